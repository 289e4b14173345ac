import type { ImpactFields } from '../fields'

/** A conversion waiting to be delivered; survives reloads in localStorage. */
export interface OutboxItem {
  /** Unique per item, for the handler waiting on its first attempt. */
  id: string
  /** Dedupe key `<event type>|<OrderId>`. */
  key: string
  /** The form body, EventDate included, exactly as first built. */
  body: string
  /** Attempts made so far. */
  attempts: number
  /** Earliest time (ms) of the next attempt. */
  next: number
}

/** Most conversions kept; beyond it the oldest is dropped (and reported). */
export const OUTBOX_LIMIT = 100

/** How long a delivered conversion's key is remembered: a reloaded thank-you page sends nothing. */
export const SENT_TTL_MS = 48 * 3_600_000

/** The well-formed items of a stored outbox (the key may hold corrupt or foreign data). */
export function outboxItems(raw: unknown): OutboxItem[] {
  return Array.isArray(raw)
    ? raw.filter(
        (i) =>
          typeof i?.id === 'string' &&
          typeof i.key === 'string' &&
          typeof i.body === 'string' &&
          Number.isInteger(i.attempts) &&
          i.next >= 0,
      )
    : []
}

/** Delivered keys with when, from stored data of any shape. */
export function sentKeys(raw: unknown): Record<string, number> {
  return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, number>) : {}
}

/**
 * The dedupe key of a conversion: its event type and OrderId. A sale with a given key leaves the
 * browser once, however often the thank-you page is reloaded.
 */
export function conversionKey(fields: Readonly<ImpactFields>): string {
  return `${fields.EventTypeId ?? fields.EventTypeCode}|${fields.OrderId}`
}

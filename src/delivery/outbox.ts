import type { JsonStore } from './json-store'

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

/** Reads a stored outbox, keeping only well-formed items (the key may hold foreign data). */
export function parseOutbox(raw: unknown): OutboxItem[] | undefined {
  if (!Array.isArray(raw)) return undefined
  return raw.filter(
    (i): i is OutboxItem =>
      typeof i === 'object' &&
      i !== null &&
      typeof i.id === 'string' &&
      typeof i.key === 'string' &&
      typeof i.body === 'string' &&
      Number.isInteger(i.attempts) &&
      typeof i.next === 'number',
  )
}

/** Replaces item `id` with `change(item)`, or removes it when `change` returns undefined. */
export function updateItem(
  store: JsonStore<OutboxItem[]>,
  id: string,
  change: (item: OutboxItem) => OutboxItem | undefined,
): void {
  const items: OutboxItem[] = []
  for (const item of store.read()) {
    const next = item.id === id ? change(item) : item
    if (next) items.push(next)
  }
  store.write(items)
}

import type { ImpactFields } from '../fields'
import type { Logger } from '../log'
import { MAX_DELAY_MS } from './retry'
import type { Store } from './store'
import { REQUEST_TIMEOUT_MS } from './transport'

/** A conversion waiting to be delivered; survives reloads in localStorage. */
export interface OutboxItem {
  /** Unique per item. */
  id: string
  /** Dedupe key, see {@link conversionKey}. */
  key: string
  /** The form body, EventDate included, exactly as first built. */
  body: string
  /** Attempts made so far. */
  attempts: number
  /** Earliest time (ms) of the next attempt. */
  next: number
  /** When the sale was stored (ms); it is given up 30 days later. */
  since: number
}

/** Storage key of the conversion outbox. */
export const OUTBOX_KEY = 'impact_outbox'

/** Most conversions kept; beyond it the oldest is dropped (and reported). */
export const OUTBOX_LIMIT = 100

/** A conversion still undelivered this long after it was stored is dropped (and reported). */
export const OUTBOX_MAX_AGE_MS = 30 * 24 * 3_600_000

/**
 * The dedupe key of a conversion: its event type and OrderId. A sale with a given key leaves the
 * browser once, however often the thank-you page is reloaded.
 */
export function conversionKey(fields: Readonly<ImpactFields>): string {
  return `${fields.EventTypeId ?? fields.EventTypeCode}|${fields.OrderId}`
}

/** The conversions waiting to be sent, in one storage key. */
export interface Outbox {
  /** True when nothing waits: one storage read, nothing parsed. */
  isEmpty(): boolean
  /** Every waiting item, oldest first. */
  items(): OutboxItem[]
  /** The first item due now; items past their 30 days are dropped (reported) on the way. */
  due(): OutboxItem | undefined
  /** Stores a new conversion (dropping the oldest beyond the bound); `held` keeps it from other tabs a while. */
  add(conversion: { key: string; body: string; held: boolean }): string
  /** Applies `change` to item `id`, or removes it without one. */
  update(id: string, change?: Partial<OutboxItem>): void
}

/** What an outbox needs. */
export interface OutboxOptions {
  store: Store
  now: () => number
  random: () => number
  log: Logger
}

/** An outbox in `store` under OUTBOX_KEY. */
export function createOutbox({ store, now, random, log }: OutboxOptions): Outbox {
  const items = (): OutboxItem[] => {
    const { items, repaired } = outboxItems(store.load(OUTBOX_KEY), now())
    // Written back, so a clamped retry time stays put instead of moving with the clock.
    if (repaired) store.save(OUTBOX_KEY, items)
    return items
  }
  const update = (id: string, change?: Partial<OutboxItem>): void => {
    store.save(
      OUTBOX_KEY,
      items().flatMap((i) => (i.id !== id ? [i] : change ? [{ ...i, ...change }] : [])),
    )
  }
  return {
    isEmpty() {
      const raw = store.raw(OUTBOX_KEY)
      return !raw || raw === '[]'
    },
    items,
    update,
    due() {
      for (const item of items()) {
        if (now() - item.since >= OUTBOX_MAX_AGE_MS) {
          log.warn(`conversion ${item.key} dropped: undelivered after 30 days`)
          update(item.id)
        } else if (item.next <= now()) return item
      }
      return undefined
    },
    add({ key, body, held }) {
      const list = items()
      while (list.length >= OUTBOX_LIMIT) log.warn('outbox full: dropped conversion ' + list.shift()!.key)
      const t = now()
      const id = t.toString(36) + random().toString(36).slice(2)
      store.save(OUTBOX_KEY, [
        ...list,
        { id, key, body, attempts: 0, next: held ? t + REQUEST_TIMEOUT_MS : 0, since: t },
      ])
      return id
    },
  }
}

/**
 * The items of a stored outbox (the key may hold corrupt or foreign data), repaired: a retry
 * time is never later than the longest wait allows (a clock that was wrong, corrupt data), and an
 * unreadable one means "now". `repaired` says whether anything changed.
 */
export function outboxItems(raw: unknown, now: number): { items: OutboxItem[]; repaired: boolean } {
  let repaired = false
  const items: OutboxItem[] = []
  for (const i of Array.isArray(raw) ? raw : []) {
    if (typeof i?.id !== 'string' || typeof i.key !== 'string' || typeof i.body !== 'string') continue
    const attempts = Number.isInteger(i.attempts) && i.attempts > 0 ? i.attempts : 0
    const next = Math.min(i.next >= 0 ? i.next : 0, now + MAX_DELAY_MS)
    const since = Math.min(i.since >= 0 ? i.since : now, now)
    repaired ||= attempts !== i.attempts || next !== i.next || since !== i.since
    items.push({ id: i.id, key: i.key, body: i.body, attempts, next, since })
  }
  return { items, repaired }
}

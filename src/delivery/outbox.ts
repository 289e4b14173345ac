import type { ImpactFields } from '../fields'
import type { Logger } from '../log'
import { MAX_DELAY_MS } from './retry'
import type { Store } from './store'
import { IN_FLIGHT_MS } from './transport'

/** A conversion waiting to be delivered; survives reloads in localStorage. */
export interface OutboxItem {
  /** Dedupe key, see {@link conversionKey}: one item per key. */
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
  /**
   * Stores a new conversion (dropping the oldest beyond the bound), held from other tabs a while.
   * While the destination backs off (an item failed and waits), the new one waits for the same next
   * probe: returns false then, true when it may be sent at once.
   */
  add(key: string, body: string): boolean
  /**
   * Applies `change` to the item with `key`, or removes it without one; `others` moves every other
   * item's next attempt (the destination's backoff, shared by every waiting sale).
   */
  update(key: string, change?: Partial<OutboxItem>, others?: (next: number) => number): void
}

/** An outbox in `store` under OUTBOX_KEY, on the clock `now`; dropped sales are reported to `log`. */
export function createOutbox(store: Store, now: () => number, log: Logger): Outbox {
  const items = (): OutboxItem[] => outboxItems(store.load(OUTBOX_KEY), now())
  const update = (key: string, change?: Partial<OutboxItem>, others = (next: number) => next): void => {
    store.save(
      OUTBOX_KEY,
      items().flatMap((i) => (i.key !== key ? [{ ...i, next: others(i.next) }] : change ? [{ ...i, ...change }] : [])),
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
          log.warn(`conversion ${item.key} dropped: 30 days undelivered`)
          update(item.key)
        } else if (item.next <= now()) return item
      }
      return undefined
    },
    add(key, body) {
      const list = items()
      const t = now()
      // The next probe of a failing destination: a sale that failed, waiting or in flight again.
      const probe = Math.max(...list.map((i) => (i.attempts ? i.next : 0)))
      while (list.length >= OUTBOX_LIMIT) log.warn(`conversion ${list.shift()!.key} dropped: outbox full`)
      // Else held (like a lease) while this page makes the first attempt.
      const next = probe > t ? probe : t + IN_FLIGHT_MS
      store.save(OUTBOX_KEY, [...list, { key, body, attempts: 0, next, since: t }])
      return probe <= t
    },
  }
}

/**
 * The items of a stored outbox (the key may hold corrupt or foreign data). A retry time later
 * than the longest wait allows (a clock that was wrong, corrupt data) or unreadable means "now":
 * no stored value can hold a sale back.
 */
export function outboxItems(raw: unknown, now: number): OutboxItem[] {
  return (Array.isArray(raw) ? raw : [])
    .filter((i) => typeof i?.key === 'string' && typeof i.body === 'string')
    .map(({ key, body, attempts, next, since }) => ({
      key,
      body,
      attempts: attempts | 0,
      next: next <= now + MAX_DELAY_MS ? +next || 0 : 0,
      since: since > 0 && since <= now ? +since : now,
    }))
}

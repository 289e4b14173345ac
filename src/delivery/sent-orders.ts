import type { JsonStore } from './json-store'

/** How long a delivered conversion's key is remembered: a reloaded thank-you page sends nothing. */
export const SENT_TTL_MS = 48 * 3_600_000
const MAX_KEYS = 500

/** Keys `<event type>|<OrderId>` of conversions already delivered, with when. */
export type SentOrders = Record<string, number>

/** Reads stored sent keys, tolerating foreign data. */
export function parseSentOrders(raw: unknown): SentOrders | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined
  return Object.fromEntries(Object.entries(raw).filter(([, at]) => typeof at === 'number'))
}

/** True when `key` was delivered within {@link SENT_TTL_MS}. */
export function wasSent(store: JsonStore<SentOrders>, key: string, now: number): boolean {
  const at = store.read()[key]
  return at !== undefined && now - at < SENT_TTL_MS
}

/** Remembers `key` as delivered, forgetting expired keys and the oldest beyond {@link MAX_KEYS}. */
export function markSent(store: JsonStore<SentOrders>, key: string, now: number): void {
  const kept = Object.entries(store.read())
    .filter(([, at]) => now - at < SENT_TTL_MS)
    .sort((a, b) => a[1] - b[1])
    .slice(-(MAX_KEYS - 1))
  store.write(Object.fromEntries([...kept, [key, now]]))
}

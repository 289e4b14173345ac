import type { Store } from './store'

/** Storage key of delivered conversion keys (in localStorage, else sessionStorage). */
export const SENT_KEY = 'impact_sent_orders'

/** Cookie holding delivered keys in compact form when neither storage takes them. */
export const SENT_COOKIE = 'impact_sent'

/**
 * How long a delivered conversion's key is remembered: customers reopen order confirmations from
 * e-mails for weeks, and a reopened thank-you page must send nothing.
 */
export const SENT_TTL_MS = 30 * 86_400_000

/** Most keys remembered in storage (the newest): a busy shared device stays bounded. */
export const SENT_LIMIT = 500

/** Most keys the compact cookie keeps (newest first), so it stays small on every request. */
const COOKIE_KEYS = 20

/** A small string store outside Web Storage (the plugin wires its cookie store in). */
export interface FallbackStore {
  get(name: string): string | undefined
  set(name: string, value: string, days: number): boolean
}

/** The conversion keys delivered in the last SENT_TTL_MS. */
export interface SentKeys {
  has(key: string): boolean
  add(key: string): void
}

/**
 * Sent keys that survive a full localStorage: a reload must still find them, so a write that
 * storage refuses goes to the next place: the next of `stores` (localStorage, then
 * sessionStorage), then `fallback` (a compact cookie of key hashes), if any.
 */
export function createSentKeys(stores: Store[], now: () => number, fallback?: FallbackStore): SentKeys {
  const fresh = (at: number | undefined): boolean => now() - at! < SENT_TTL_MS
  const cookie = (): string[] => fallback?.get(SENT_COOKIE)?.split('.') ?? []
  return {
    has(key) {
      const mark = keyHash(key) + ':'
      return (
        // Stored data of any shape: only a fresh time under this very key counts.
        stores.some((store) => fresh(Object(store.load(SENT_KEY))[key])) ||
        cookie().some((e) => e.startsWith(mark) && fresh(parseInt(e.slice(mark.length), 36) * 60_000))
      )
    },
    add(key) {
      for (const store of stores) {
        // Rebuilt from fresh times only, whatever shape the stored data has.
        const kept = Object.entries<number>(Object(store.load(SENT_KEY)))
          .filter(([, at]) => fresh(at))
          // The newest SENT_LIMIT - 1, then this one.
          .sort((a, b) => b[1] - a[1])
          .slice(0, SENT_LIMIT - 1)
        if (store.save(SENT_KEY, Object.fromEntries([...kept, [key, now()]]))) return
      }
      const entry = keyHash(key) + ':' + Math.floor(now() / 60_000).toString(36)
      fallback?.set(SENT_COOKIE, [entry, ...cookie()].slice(0, COOKIE_KEYS).join('.'), SENT_TTL_MS / 86_400_000)
    },
  }
}

/** FNV-1a, base 36: about 7 characters per key in the cookie. */
function keyHash(key: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(36)
}

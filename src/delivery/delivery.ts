import type { Logger } from '../log'
import { withLock } from './lock'
import { outboxItems, OUTBOX_LIMIT, sentKeys, SENT_TTL_MS, type OutboxItem } from './outbox'
import { isRetryable, isSuccess, MAX_ATTEMPTS, retryDelay } from './retry'
import { createStore, localStorageOrNone } from './store'
import { outlivesPage, postForm, type Answer } from './transport'

/** Where conversions go: the relay (no credentials) or, opted in, Impact with Basic auth. */
export interface ConversionTarget {
  url: string
  authorization?: string | undefined
}

/** Everything delivery touches outside itself, injectable for tests. */
export interface DeliveryDeps {
  fetch: typeof fetch
  now: () => number
  random: () => number
  setTimeout: (run: () => void, ms: number) => unknown
  storage: () => Storage | undefined
  /** Web Locks, so only one tab replays the outbox at a time. */
  locks: LockManager | undefined
}

/** Sends PageLoads and conversions with retries; conversions through a persisted outbox. */
export interface Delivery {
  /** Sends a PageLoad; resolves with the first attempt's answer, retries in memory after that. */
  sendPageLoad(body: string, onDelivered: (answer: Answer) => void): Promise<Answer>
  /**
   * Stores a conversion in the outbox, then sends it; resolves with the first attempt's answer,
   * or `'duplicate'` when the same key was already delivered or is waiting. With `final`, `body`
   * is stored at once but held until `final` gives the body to send (the hashed email arriving
   * from WebCrypto): a page that navigates away meanwhile still leaves the sale in the outbox.
   */
  sendConversion(key: string, body: string, final?: Promise<string>): Promise<Answer | 'duplicate'>
  /** Replays the outbox (next load, `online`). */
  flush(): Promise<void>
  /**
   * The page is going away (`pagehide`). Conversions whose keepalive request is already on the
   * wire count as sent: the browser finishes them, but this page never sees the answer.
   */
  leave(): void
}

/** Storage key of the conversion outbox. */
export const OUTBOX_KEY = 'impact_outbox'
/** Storage key of delivered conversion keys. */
export const SENT_KEY = 'impact_sent_orders'
/** One attempt is abandoned (and retried) after this long. */
export const REQUEST_TIMEOUT_MS = 10_000
/** How long the outbox lock is kept after a replay, for other tabs' localStorage to catch up. */
export const LOCK_SETTLE_MS = 250

/** Creates delivery for one page. */
export function createDelivery(
  pageLoadUrl: string,
  target: ConversionTarget | undefined,
  log: Logger,
  deps: DeliveryDeps = browserDeps(),
): Delivery {
  const store = createStore(deps.storage)
  /** Callers waiting for an item's first attempt: item id to [dedupe key, resolve]. */
  const waiting = new Map<string, [string, (answer: Answer) => void]>()
  const answered = (id: string, answer: Answer): void => {
    waiting.get(id)?.[1](answer)
    waiting.delete(id)
  }
  const outbox = (): OutboxItem[] => outboxItems(store.load(OUTBOX_KEY))
  const wasSent = (key: string): boolean => deps.now() - sentKeys(store.load(SENT_KEY))[key]! < SENT_TTL_MS
  /** Replaces item `id` with `change` applied, or removes it without one. */
  const update = (id: string, change?: Partial<OutboxItem>): void =>
    store.save(
      OUTBOX_KEY,
      outbox().flatMap((i) => (i.id !== id ? [i] : change ? [{ ...i, ...change }] : [])),
    )
  /** Remembers `key` as delivered (forgetting expired keys) and takes item `id` out of the outbox. */
  const markSent = (id: string, key: string): void => {
    const now = deps.now()
    const sent = sentKeys(store.load(SENT_KEY))
    for (const k in sent) if (!(now - sent[k]! < SENT_TTL_MS)) delete sent[k]
    store.save(SENT_KEY, { ...sent, [key]: now })
    update(id)
  }
  /** Conversions whose keepalive request is on the wire: item id to dedupe key. */
  const onTheWire = new Map<string, string>()
  let running: Promise<void> | undefined
  let again = false
  let timerAt = Infinity

  /** One attempt; then success, a retry after a delay, or a reported drop. */
  const attempt = async (
    url: string,
    body: string,
    authorization: string | undefined,
    attempts: number,
    what: string,
    delivered: (answer: Answer) => void,
    retry: (delay: number) => void,
    drop: () => void,
  ): Promise<Answer> => {
    const answer = await postForm(deps.fetch, url, body, authorization, REQUEST_TIMEOUT_MS)
    const status = answer.status
    if (isSuccess(status)) delivered(answer)
    else if (isRetryable(status) && attempts < MAX_ATTEMPTS)
      retry(retryDelay(attempts, deps.random, answer.retryAfterMs))
    else {
      log.warn(`${what} dropped after ${attempts} attempt(s): HTTP ${status || 'network error'}`)
      drop()
    }
    return answer
  }

  const drain = async (): Promise<void> => {
    for (let item: OutboxItem | undefined; target && (item = outbox().find((i) => i.next <= deps.now()));) {
      const { id, key, attempts } = item
      const done = (): void => update(id)
      if (wasSent(key)) {
        done()
        continue
      }
      if (outlivesPage(item.body)) onTheWire.set(id, key)
      // Leased while in flight: a tab without Web Locks, or the next page after a crash mid-request,
      // must not resend it at once.
      update(id, { next: deps.now() + REQUEST_TIMEOUT_MS })
      const answer = await attempt(
        target.url,
        item.body,
        target.authorization,
        attempts + 1,
        'conversion ' + key,
        () => markSent(id, key),
        (delay) => update(id, { attempts: attempts + 1, next: deps.now() + delay }),
        done,
      )
      // Leaving fails the fetch in this page (status 0) while the browser still finishes the
      // keepalive request, and that failure can arrive before this page's pagehide listener
      // runs: after a status 0 the item counts as on the wire until the current task is over.
      if (answer.status) onTheWire.delete(id)
      else setTimeout(() => onTheWire.delete(id))
      answered(id, answer)
    }
    // Items another tab attempted first: their callers learn whether it delivered them.
    for (const [id, [key]] of waiting)
      if (!outbox().some((i) => i.id === id)) answered(id, { status: wasSent(key) ? 200 : 0 })
    // Wake up for the earliest retry; an earlier timer still pending just finds nothing due.
    const next = Math.min(...outbox().map((i) => i.next))
    if (next < timerAt) {
      timerAt = next
      deps.setTimeout(() => {
        timerAt = Infinity
        void flush()
      }, next - deps.now())
    }
  }

  /**
   * Drains, then keeps the lock a moment: localStorage changes reach other tabs asynchronously,
   * and the next tab to take the lock must see this one's removals, or it would resend them.
   */
  const drainAndSettle = async (): Promise<void> => {
    await drain()
    await new Promise((resolve) => setTimeout(resolve, LOCK_SETTLE_MS))
  }

  const flush = (): Promise<void> => {
    if (running) {
      again = true
      return running
    }
    again = false
    // One tab at a time: a tab waiting for the lock re-reads the outbox and finds the items
    // delivered by the other already gone.
    running = (deps.locks ? withLock(deps.locks, 'impact-outbox', drainAndSettle, drain) : drain())
      .catch((error: unknown) => log.debug('outbox replay failed', error))
      .finally(() => {
        running = undefined
        if (again) void flush()
      })
    return running
  }

  return {
    flush,
    leave() {
      // Resending from the next page would pay the partner twice whenever a visitor navigates
      // right after buying. Requests too big for keepalive die with the page: they stay queued.
      for (const [id, key] of onTheWire) markSent(id, key)
    },
    sendPageLoad(body, onDelivered) {
      const run = (attempts: number): Promise<Answer> =>
        attempt(
          pageLoadUrl,
          body,
          undefined,
          attempts,
          'page load',
          onDelivered,
          (delay) => deps.setTimeout(() => void run(attempts + 1).catch(() => {}), delay),
          () => {},
        )
      return run(1)
    },
    sendConversion(key, body, final) {
      const items = outbox()
      if (wasSent(key) || items.some((i) => i.key === key)) {
        log.debug('conversion already sent or waiting: ' + key)
        return Promise.resolve('duplicate')
      }
      while (items.length >= OUTBOX_LIMIT) log.warn('outbox full: dropped conversion ' + items.shift()!.key)
      const id = deps.now().toString(36) + deps.random().toString(36).slice(2)
      // Persisted before the first attempt, so a crash or navigation mid-request loses nothing;
      // held (like a lease) while its final body is on its way.
      store.save(OUTBOX_KEY, [
        ...items,
        { id, key, body, attempts: 0, next: final ? deps.now() + REQUEST_TIMEOUT_MS : 0 },
      ])
      const first = new Promise<Answer>((resolve) => waiting.set(id, [key, resolve]))
      void (final ?? Promise.resolve(body))
        .then(
          (finalBody) => update(id, { body: finalBody, next: 0 }),
          () => update(id, { next: 0 }),
        )
        .then(flush)
      return first
    },
  }
}

/** The real browser globals. */
export function browserDeps(): DeliveryDeps {
  return {
    fetch: (input, init) => fetch(input, init),
    now: Date.now,
    random: Math.random,
    setTimeout: (run, ms) => setTimeout(run, ms),
    storage: localStorageOrNone,
    locks: globalThis.navigator?.locks,
  }
}

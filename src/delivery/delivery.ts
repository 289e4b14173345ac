import type { Logger } from '../log'
import { createJsonStore, localStorageOrNone } from './json-store'
import { OUTBOX_LIMIT, parseOutbox, updateItem, type OutboxItem } from './outbox'
import { isRetryable, isSuccess, MAX_ATTEMPTS, retryDelay } from './retry'
import { markSent, parseSentOrders, wasSent } from './sent-orders'
import { postForm, type Answer } from './transport'

/** Where conversions go: the relay (no credentials) or, opted in, Impact with Basic auth. */
export interface ConversionTarget {
  url: string
  authorization?: string
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
   * or `'duplicate'` when the same key was already sent or is waiting.
   */
  sendConversion(key: string, body: string): Promise<Answer | 'duplicate'>
  /** Replays the outbox (next load, `online`). */
  flush(): Promise<void>
}

/** Storage key of the conversion outbox. */
export const OUTBOX_KEY = 'impact_outbox'
/** Storage key of delivered conversion keys. */
export const SENT_KEY = 'impact_sent_orders'
/** One attempt is abandoned (and retried) after this long. */
export const REQUEST_TIMEOUT_MS = 10_000

/** Creates delivery for one page. */
export function createDelivery(
  pageLoadUrl: string,
  target: ConversionTarget | undefined,
  log: Logger,
  deps: DeliveryDeps = browserDeps(),
): Delivery {
  const outbox = createJsonStore(deps.storage, OUTBOX_KEY, parseOutbox, () => [])
  const sent = createJsonStore(deps.storage, SENT_KEY, parseSentOrders, () => ({}))
  const waiting = new Map<string, (answer: Answer) => void>()
  let draining: Promise<void> | undefined
  let again = false
  let timerAt = Infinity

  const post = (url: string, body: string, authorization?: string): Promise<Answer> =>
    postForm(deps.fetch, url, body, authorization, REQUEST_TIMEOUT_MS)

  const attempt = async (item: OutboxItem, to: ConversionTarget): Promise<void> => {
    const now = deps.now()
    if (wasSent(sent, item.key, now)) {
      updateItem(outbox, item.id, () => undefined)
      return
    }
    const answer = await post(to.url, item.body, to.authorization)
    waiting.get(item.id)?.(answer)
    waiting.delete(item.id)
    const attempts = item.attempts + 1
    if (isSuccess(answer.status)) {
      markSent(sent, item.key, deps.now())
      updateItem(outbox, item.id, () => undefined)
      log.debug('conversion delivered', item.key)
    } else if (isRetryable(answer.status) && attempts < MAX_ATTEMPTS) {
      const delay = retryDelay(attempts, deps.random, answer.retryAfterMs)
      updateItem(outbox, item.id, (i) => ({ ...i, attempts, next: deps.now() + delay }))
      log.debug(`conversion ${item.key}: HTTP ${answer.status || 'network error'}, retry in ${Math.round(delay)} ms`)
    } else {
      updateItem(outbox, item.id, () => undefined)
      log.warn(`conversion ${item.key} dropped after ${attempts} attempt(s): HTTP ${answer.status || 'network error'}`)
    }
  }

  const drain = async (): Promise<void> => {
    if (!target) return
    for (let due = dueItems(); due.length; due = dueItems()) {
      for (const item of due) await attempt(item, target)
    }
    // Wake up for the earliest retry; a later timer still pending just finds nothing due.
    const next = Math.min(...outbox.read().map((i) => i.next))
    if (next < timerAt) {
      timerAt = next
      deps.setTimeout(() => {
        timerAt = Infinity
        void flush()
      }, Math.max(0, next - deps.now()))
    }
  }
  const dueItems = (): OutboxItem[] => outbox.read().filter((i) => i.next <= deps.now())

  const flush = (): Promise<void> => {
    if (draining) {
      again = true
      return draining
    }
    again = false
    // One tab at a time: another tab waiting for the lock re-reads the outbox and finds the
    // items this one delivered already gone.
    const run = deps.locks ? deps.locks.request('impact-outbox', drain) : drain()
    draining = Promise.resolve(run)
      .catch((error: unknown) => log.debug('outbox replay failed', error))
      .finally(() => {
        draining = undefined
        if (again) void flush()
      })
    return draining
  }

  return {
    flush,
    sendPageLoad(body, onDelivered) {
      const run = async (attempts: number): Promise<Answer> => {
        const answer = await post(pageLoadUrl, body)
        if (isSuccess(answer.status)) onDelivered(answer)
        else if (isRetryable(answer.status) && attempts < MAX_ATTEMPTS) {
          deps.setTimeout(() => void run(attempts + 1), retryDelay(attempts, deps.random, answer.retryAfterMs))
        } else log.debug(`page load dropped after ${attempts} attempt(s): HTTP ${answer.status || 'network error'}`)
        return answer
      }
      return run(1)
    },
    sendConversion(key, body) {
      const now = deps.now()
      const items = outbox.read()
      if (wasSent(sent, key, now) || items.some((i) => i.key === key)) {
        log.debug('conversion already sent or waiting; not sending it again', key)
        return Promise.resolve('duplicate')
      }
      const id = now.toString(36) + deps.random().toString(36).slice(2, 8)
      const kept = items.slice(-(OUTBOX_LIMIT - 1))
      if (kept.length < items.length) log.warn(`outbox full: dropped ${items.length - kept.length} oldest conversion(s)`)
      // Persist before the first attempt, so a crash or navigation mid-request loses nothing.
      outbox.write([...kept, { id, key, body, attempts: 0, next: 0 }])
      const first = new Promise<Answer>((resolve) => waiting.set(id, resolve))
      void flush()
      return first
    },
  }
}

/** The real browser (or Node) globals. */
export function browserDeps(): DeliveryDeps {
  return {
    fetch: (input, init) => fetch(input, init),
    now: Date.now,
    random: Math.random,
    setTimeout: (run, ms) => setTimeout(run, ms),
    storage: localStorageOrNone,
    locks: typeof navigator === 'object' ? navigator.locks : undefined,
  }
}

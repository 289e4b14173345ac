import type { Logger } from '../log'
import type { Outbox, OutboxItem } from './outbox'
import { LEASE_RETRY_MS, type OutboxLock } from './outbox-lock'
import { dropsSale, isSuccess, retryDelay } from './retry'
import type { SentKeys } from './sent-keys'
import { IN_FLIGHT_MS, outlivesPage, postForm, type Answer, type TransportDeps } from './transport'
import { createWakeUp } from './wake-up'

/** Where conversions go: the relay (no credentials) or, opted in, Impact with Basic auth. */
export interface ConversionTarget {
  url: string
  authorization?: string | undefined
}

/** A conversion as the plugin hands it over. */
export interface Conversion {
  /** Dedupe key, from `conversionKey`. */
  key: string
  /** The form body, stored at once. */
  body: string
  /**
   * The body to send, when it is still on its way (the hashed email arriving from WebCrypto):
   * `body` is stored meanwhile, so a page that navigates away still leaves the sale behind.
   */
  finalBody?: Promise<string> | undefined
}

/** Sends conversions through one outbox. */
export interface ConversionSender {
  /** Resolves with the first attempt's answer, or `'duplicate'` when the key was sent or is waiting. */
  send(conversion: Conversion): Promise<Answer | 'duplicate'>
  /** Sends every item that is due, one tab at a time. */
  flush(): Promise<void>
  /** The page is going away: keepalive requests on the wire count as sent. */
  leave(): void
  /** The page is shown again (back/forward cache): replays resume. */
  back(): void
}

/** What a conversion sender needs. */
export interface ConversionSenderOptions {
  /** Where conversions go; none: they are kept waiting. */
  target: ConversionTarget | undefined
  outbox: Outbox
  /** Keys already delivered: the dedupe memory. */
  sent: SentKeys
  /** One tab at a time; absent for an outbox no other tab can see (memory only). */
  lock: OutboxLock | undefined
  deps: TransportDeps & { random: () => number }
  log: Logger
}

/**
 * Conversions: stored before the first attempt, retried with backoff while the page is open and
 * replayed by later pages, never dropped for a retryable answer; dropped (reported) only when the
 * answer says the sale itself is wrong, or after 30 days.
 */
export function createConversionSender({
  target,
  outbox,
  sent,
  lock,
  deps,
  log,
}: ConversionSenderOptions): ConversionSender {
  /** Keys of conversions whose keepalive request is on the wire. */
  const onTheWire = new Set<string>()
  /**
   * First attempts under way, by key. Made outside the replay, they may outlast their hold
   * (IN_FLIGHT_MS): a replay then waits for one instead of sending its sale a second time.
   */
  const firstAttempts = new Map<string, Promise<Answer>>()
  let running: Promise<void> | undefined
  let again = false

  const attempt = async ({ key, body, attempts }: OutboxItem): Promise<Answer> => {
    if (outlivesPage(body)) onTheWire.add(key)
    // Leased while in flight: a tab without Web Locks, or the next page after a crash mid-request,
    // must not resend it at once.
    const lease = deps.now() + IN_FLIGHT_MS
    outbox.update(key, { next: lease })
    const answer = await postForm(deps, { ...target!, body })
    const { status } = answer
    const now = deps.now()
    let change: Partial<OutboxItem> | undefined
    // Delivered: remembered as sent before it leaves the outbox; a sale given up leaves it too.
    if (isSuccess(status)) sent.add(key)
    else if (dropsSale(status)) log.warn(`conversion ${key} dropped: HTTP ${status}`)
    else change = { attempts: ++attempts, next: now + retryDelay(attempts, deps.random, answer.retryAfterMs) }
    // A failure is the destination's, not this sale's: every waiting sale waits for the next probe.
    // An answer releases the sales that were stored meanwhile to wait for this one (Outbox.add).
    outbox.update(key, change, (next) => (change ? Math.max(next, change.next!) : next === lease ? now : next))
    // Leaving fails the fetch in this page (status 0) while the browser still finishes the
    // keepalive request, and that failure can arrive before this page's pagehide listener
    // runs: after a status 0 the item counts as on the wire until the current task is over.
    if (status) onTheWire.delete(key)
    else deps.setTimeout(() => onTheWire.delete(key), 0)
    return answer
  }
  const waiting = (key: string): OutboxItem | undefined => outbox.items().find((i) => i.key === key)
  /** Delivered: remembered as sent, out of the outbox. */
  const done = (key: string): void => {
    sent.add(key)
    outbox.update(key)
  }

  const drain = async (renew: () => boolean): Promise<void> => {
    for (let item; target && (item = outbox.due());) {
      if (sent.has(item.key)) outbox.update(item.key)
      // The lock is no longer this tab's (the page left and came back from the back/forward cache,
      // or a request outlasted the lease): another tab may be replaying, so this one stops and asks
      // for the lock again.
      else if (!renew()) break
      // Its first attempt, still under way past the hold, is waited for: never a second request.
      // A failed probe ends the replay: the rest waits for the destination's next backoff step.
      else if (!isSuccess((await (firstAttempts.get(item.key) ?? attempt(item))).status)) break
    }
    rearm()
  }
  /**
   * Wakes up for the earliest retry; an earlier timer still pending just finds nothing due. Without
   * a target nothing is ever sent: no timer, which would wake up for due items forever.
   */
  const rearm = (): void => void (target && wakeUp(Math.min(...outbox.items().map((i) => i.next))))

  const flush = (): Promise<void> => {
    if (running) {
      again = true
      return running
    }
    // Nothing waiting (the usual page load): no lock, nothing parsed.
    if (outbox.isEmpty()) return Promise.resolve()
    again = false
    running = (lock ? lock.run(drain) : drain(() => true).then(() => true))
      // Another tab holds the lease: look again when it may have lapsed (not once the page left).
      .then((ran) => void (ran === false && wakeUp(deps.now() + LEASE_RETRY_MS)))
      .catch((error: unknown) => log.debug('replay failed', error))
      .finally(() => {
        running = undefined
        if (again) void flush()
      })
    return running
  }
  const wakeUp = createWakeUp(deps, () => void flush())

  return {
    flush,
    leave() {
      // Resending from the next page would pay the partner twice whenever a visitor navigates
      // right after buying. Requests too big for keepalive die with the page: they stay queued.
      onTheWire.forEach(done)
      // Only then the lease, so the tab that takes it over at once finds none of them to resend.
      lock?.leave()
    },
    back() {
      lock?.back()
      void flush()
    },
    async send({ key, body, finalBody }) {
      if (sent.has(key) || waiting(key)) {
        log.debug('duplicate conversion', key)
        return 'duplicate'
      }
      // Stored before the first attempt, and held from other tabs while this page makes it; while
      // the destination backs off, it waits for the next probe instead.
      const sendsNow = outbox.add(key, body)
      const final = await Promise.resolve(finalBody ?? body).catch(() => body)
      if (final !== body) outbox.update(key, { body: final })
      const item = waiting(key)
      // Gone: another tab took it after the hold lapsed. Or it waits for the destination's next
      // probe, which this page wakes up for too (the tab whose attempt failed may close first).
      if (!item || !target || !sendsNow) {
        rearm()
        return { status: sent.has(key) ? 200 : 0 }
      }
      const answer = attempt(item)
      firstAttempts.set(key, answer)
      await answer
      firstAttempts.delete(key)
      rearm()
      return answer
    },
  }
}

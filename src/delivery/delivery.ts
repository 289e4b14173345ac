import type { Logger } from '../log'
import { createConversionSender, type Conversion, type ConversionSender, type ConversionTarget } from './conversions'
import { createOutbox } from './outbox'
import { createOutboxLock } from './outbox-lock'
import { createPageLoadSender, type SendPageLoad } from './page-loads'
import { createSentKeys, type FallbackStore } from './sent-keys'
import { createStore } from './store'
import type { Answer, TransportDeps } from './transport'

export type { Conversion, ConversionTarget } from './conversions'

/** Everything delivery touches outside itself, injectable for tests. */
export interface DeliveryDeps extends TransportDeps {
  random: () => number
  /** localStorage: the outbox, sent keys and the lease. May throw: every use is guarded. */
  storage: () => Storage | undefined
  /** sessionStorage: sent keys when localStorage refuses them. May throw, as `storage`. */
  sessionStorage?: (() => Storage | undefined) | undefined
  /** Sent keys when no storage takes them (the plugin wires a cookie); none by default. */
  sentFallback?: FallbackStore | undefined
  /** Web Locks, so only one tab replays the outbox at a time. */
  locks: LockManager | undefined
}

/** How delivery is set up. */
export interface DeliveryOptions {
  pageLoadUrl: string
  /** Where conversions go; none: conversions are not sent. */
  target: ConversionTarget | undefined
  log: Logger
  /** Defaults to the browser's globals; given ones win. */
  deps?: Partial<DeliveryDeps>
}

/** Sends PageLoads and conversions with retries; conversions through a persisted outbox. */
export interface Delivery {
  /** Sends a PageLoad; resolves with the first attempt's answer, retries in memory after that. */
  sendPageLoad: SendPageLoad
  /**
   * Stores a conversion in the outbox, then sends it; resolves with the first attempt's answer,
   * or `'duplicate'` when the same key was already delivered or is waiting. With `persist: false`
   * (a visitor who denied consent) nothing of it is read from or written to storage: it is
   * deduplicated and retried in memory only, for as long as the page lives.
   */
  sendConversion(conversion: Conversion, options?: { persist?: boolean }): Promise<Answer | 'duplicate'>
  /** Replays the outbox (next load, `online`). */
  flush(): Promise<void>
  /**
   * The page is going away (`pagehide`). Conversions whose keepalive request is already on the
   * wire count as sent: the browser finishes them, but this page never sees the answer.
   */
  leave(): void
  /** The page is shown again from the back/forward cache (`pageshow`, persisted): replays resume. */
  back(): void
}

/** Creates delivery for one page. */
export function createDelivery({ pageLoadUrl, target, log, deps: given }: DeliveryOptions): Delivery {
  const deps: DeliveryDeps = { ...browserDeps(), ...given }
  const conversions = (storage: (() => Storage | undefined) | undefined, persist: boolean): ConversionSender => {
    const store = createStore(storage)
    const stores = persist ? [store, createStore(deps.sessionStorage)] : [store]
    return createConversionSender({
      target,
      outbox: createOutbox(store, deps.now, log),
      sent: createSentKeys(stores, deps.now, persist ? deps.sentFallback : undefined),
      lock: persist ? createOutboxLock({ ...deps, store, clock: deps }) : undefined,
      deps,
      log,
    })
  }
  const stored = conversions(deps.storage, true)
  let inMemory: ConversionSender | undefined
  return {
    sendPageLoad: createPageLoadSender(pageLoadUrl, deps, log),
    sendConversion(conversion, { persist = true } = {}) {
      return (persist ? stored : (inMemory ??= conversions(undefined, false))).send(conversion)
    },
    flush: stored.flush,
    leave() {
      stored.leave()
      inMemory?.leave()
    },
    back: stored.back,
  }
}

/** The real browser globals. */
export function browserDeps(): DeliveryDeps {
  return {
    fetch: (input, init) => fetch(input, init),
    now: Date.now,
    random: Math.random,
    setTimeout: (run, ms) => setTimeout(run, ms),
    // Merely touching these throws in sandboxed iframes and with storage blocked: the store catches it.
    storage: () => localStorage,
    sessionStorage: () => sessionStorage,
    locks: globalThis.navigator?.locks,
  }
}

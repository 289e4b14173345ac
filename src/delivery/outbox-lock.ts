import type { Store } from './store'
import { IN_FLIGHT_MS, type Clock } from './transport'

/** Web Lock name held while a tab replays the outbox. */
export const LOCK_NAME = 'impact-outbox'

/** Storage key of the lease that stands in for Web Locks where they are missing. */
export const LEASE_KEY = 'impact_outbox_lease'

/**
 * How long a Web Lock is kept after a replay: localStorage changes reach other tabs
 * asynchronously, and the next tab to take the lock must see this one's removals.
 */
export const LOCK_SETTLE_MS = 250

/**
 * How long a tab without Web Locks waits after writing a lease before trusting it, and so how long
 * the other tabs' writes have to reach it. Chromium was seen delivering them 300 to 600 ms late
 * with two busy cores; at 250 ms, two tabs then both trusted their lease and sent a sale twice.
 */
export const LEASE_SETTLE_MS = 1_000

/**
 * Longest wait for the Web Lock. A tab replays for milliseconds to seconds; WebKit (WPE 2.38) never
 * releases a lock held by a page that navigated away, so without a bound every later sale of the
 * origin would wait for it until the tab closes. Past it, the lease decides.
 */
export const LOCK_WAIT_MS = 3_000

/** How soon a tab that found the lease taken looks again. */
export const LEASE_RETRY_MS = 1_000

/** A lease lapses this long after its last renewal (a tab that crashed holding it). */
export const LEASE_MS = IN_FLIGHT_MS + 5_000

/** One tab at a time replays the outbox. */
export interface OutboxLock {
  /**
   * Runs `task` holding the lock; `renew` keeps a lease alive before each long step and says
   * whether it is still this tab's: false once the tab left, another tab took it or a request
   * outlasted the lease, and `task` then stops. Resolves once `task` is over (a Web Lock is kept
   * a moment longer); false when another tab holds a lease, and `task` did not run: try again
   * after LEASE_RETRY_MS; undefined when the page has left, and `task` did not run either.
   */
  run(task: (renew: () => boolean) => Promise<void>): Promise<boolean | undefined>
  /**
   * The page is going away (`pagehide`): a lease this tab holds is released at once, so another
   * tab replays without waiting LEASE_MS for it to lapse. Call it once the page's requests still
   * on the wire are out of the outbox, or that tab would send them again. Until {@link back}, this
   * tab takes the lock no more: Chromium still runs a closing tab's timers after `pagehide`, and a
   * lease written then would hold every other tab back until it lapsed.
   */
  leave(): void
  /** The page is shown again (back/forward cache): the lock may be taken again. */
  back(): void
}

/** What the lock needs. */
export interface OutboxLockOptions {
  /** Web Locks, where the browser has them. */
  locks: LockManager | undefined
  /** Where the lease lives (localStorage). */
  store: Store
  clock: Clock
  random: () => number
}

/**
 * Web Locks where available; elsewhere (older Safari, some webviews, origins where locks refuse)
 * a lease in storage: written, then trusted only if it is still this tab's after LEASE_SETTLE_MS,
 * when concurrent writes from other tabs have arrived and the last writer has won.
 */
export function createOutboxLock({ locks, store, clock, random }: OutboxLockOptions): OutboxLock {
  const me = random().toString(36).slice(2)
  let away = false
  const settle = (ms: number): Promise<void> => new Promise((resolve) => clock.setTimeout(resolve, ms))
  const holder = (): unknown => {
    const lease = Object(store.load(LEASE_KEY)) as { owner?: unknown; until: number }
    // Subtraction reads `until` as a number, whatever was stored (NaN: no lease).
    const left = lease.until - clock.now()
    // A lease further ahead than any renewal makes is corrupt or from a wrong clock: ignored.
    return left > 0 && left <= LEASE_MS && lease.owner
  }
  const renew = (): boolean => store.save(LEASE_KEY, { owner: me, until: clock.now() + LEASE_MS })
  const release = (): void => {
    if (holder() === me) store.save(LEASE_KEY, null)
  }
  /**
   * Renews the lease while it is this tab's and the page is still here; never takes back one
   * released or lapsed meanwhile.
   */
  const keep = (): boolean => !away && holder() === me && (renew(), true)

  const lease: OutboxLock['run'] = async (task) => {
    if (away) return undefined
    const other = holder()
    if (other && other !== me) return false
    // A write storage refuses cannot be seen by other tabs either: nobody to wait for.
    if (renew()) {
      await settle(LEASE_SETTLE_MS)
      if (holder() !== me) return false
    }
    // Released at once: the next tab waits LEASE_SETTLE_MS after taking it, long enough to see
    // this one's removals.
    await task(keep).finally(release)
    return true
  }

  return {
    leave() {
      away = true
      release()
    },
    back() {
      away = false
    },
    run(task) {
      if (!locks) return lease(task)
      let started = false
      let done!: (ran: boolean | undefined) => void
      const drained = new Promise<boolean | undefined>((resolve) => (done = resolve))
      // AbortSignal.timeout runs on the browser's clock, apart from the timers delivery schedules.
      const held = locks.request(LOCK_NAME, { signal: AbortSignal.timeout?.(LOCK_WAIT_MS) }, async () => {
        started = true
        // Granted after the page left: its replay is another tab's now.
        if (away) return done(undefined)
        // The lease is taken too: a tab of ours that gave up waiting for this lock falls back to the
        // lease, and must find the replay already running instead of running it a second time.
        renew()
        await task(keep).finally(() => {
          release()
          done(true)
        })
        // The next tab to take the lock must see this one's removals, or it would resend them.
        await settle(LOCK_SETTLE_MS)
      })
      // Where locks refuse (opaque origins) or stay held too long (WebKit), the lease decides.
      return Promise.race([
        drained,
        held.then(
          () => true,
          () => started || lease(task),
        ),
      ])
    },
  }
}

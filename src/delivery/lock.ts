/**
 * Longest wait for the outbox lock. A tab replays for milliseconds to seconds; WebKit (WPE 2.38)
 * never releases a lock held by a page that navigated away, so without a bound every later sale of
 * the origin would wait for it until the tab closes.
 */
export const LOCK_WAIT_MS = 3_000

/**
 * Runs `task` holding the Web Lock `name`, so tabs take turns. When locks refuse (opaque origins),
 * the lock is not granted within `LOCK_WAIT_MS`, or `task` fails, `fallback` runs without the lock:
 * the outbox's in-flight lease then keeps tabs apart, as on pages without Web Locks.
 */
export const withLock = (
  locks: LockManager,
  name: string,
  task: () => Promise<void>,
  fallback: () => Promise<void>,
): Promise<void> =>
  // AbortSignal.timeout runs on the browser's clock, apart from the timers delivery schedules.
  locks.request(name, { signal: AbortSignal.timeout?.(LOCK_WAIT_MS) }, task).catch(fallback)

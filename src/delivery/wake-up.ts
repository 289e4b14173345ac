import type { Clock } from './transport'

/** The longest delay setTimeout keeps: browsers run a longer one at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Returns `at(time)`: runs `run` once at the earliest time asked for. A later request while an
 * earlier timer is pending is dropped (that timer's run finds nothing due and asks again).
 */
export function createWakeUp(clock: Clock, run: () => void): (time: number) => void {
  let timerAt = Infinity
  return (time) => {
    if (!(time < timerAt)) return
    timerAt = time
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, time - clock.now()))
    clock.setTimeout(() => {
      timerAt = Infinity
      run()
    }, delay)
  }
}

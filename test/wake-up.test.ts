// The retry timer: one pending wake-up for the earliest time asked, never a setTimeout delay a
// browser would run at once (over 2^31-1 ms).
import { describe, expect, it, vi } from 'vitest'
import { createWakeUp, MAX_TIMER_MS } from '../src/delivery/wake-up'
import { Clock, Timers } from './support/delivery-fakes'

function wakeUp() {
  const clock = new Clock()
  const timers = new Timers(clock)
  const run = vi.fn()
  const at = createWakeUp({ now: clock.now, setTimeout: timers.setTimeout }, run)
  return { clock, timers, run, at }
}

describe('createWakeUp', () => {
  it('keeps one timer for the earliest time; a later request while it is pending adds none', async () => {
    const { clock, timers, run, at } = wakeUp()
    at(clock.t + 5_000)
    at(clock.t + 9_000)
    at(clock.t + 2_000)
    expect(timers.delays).toEqual([5_000, 2_000])
    await timers.advance(2_000)
    expect(run).toHaveBeenCalledTimes(1)
    at(clock.t + 1_000)
    expect(timers.delays.at(-1)).toBe(1_000)
  })

  it.each([1e20, Infinity - 1, 2 ** 31 + 5])(
    'a time %d ms ahead never asks setTimeout for more than 2^31-1 ms',
    (ahead) => {
      const { clock, timers, at } = wakeUp()
      at(clock.t + ahead)
      expect(timers.delays.every((d) => d <= MAX_TIMER_MS)).toBe(true)
    },
  )

  it('a time in the past, or NaN, runs at once or not at all, never with a negative delay', () => {
    const { clock, timers, at } = wakeUp()
    at(NaN)
    at(clock.t - 10_000)
    expect(timers.delays).toEqual([0])
  })
})

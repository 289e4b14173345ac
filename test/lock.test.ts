import { describe, expect, it } from 'vitest'
import { LOCK_WAIT_MS, withLock } from '../src/delivery/lock'

/** Locks that stay held for good, as WebKit leaves one held by a page that navigated away. */
const staleLocks = {
  request: (_name: string, options: LockOptions) =>
    new Promise((_, reject) =>
      options.signal?.addEventListener('abort', () => reject(new DOMException('', 'AbortError'))),
    ),
} as unknown as LockManager

/** Locks granted at once, counted. */
function freeLocks(): LockManager & { granted: number } {
  const locks = {
    granted: 0,
    request: async (_name: string, _options: LockOptions, task: () => Promise<unknown>) => (locks.granted++, task()),
  }
  return locks as unknown as LockManager & { granted: number }
}

/** A task that counts its runs. */
function counted(): { run: () => Promise<void>; runs: number } {
  const task = { runs: 0, run: async () => void task.runs++ }
  return task
}

describe('withLock', () => {
  it('runs the task inside the lock when it is granted, and not the fallback', async () => {
    const [locks, task, fallback] = [freeLocks(), counted(), counted()]
    await withLock(locks, 'impact-outbox', task.run, fallback.run)
    expect({ granted: locks.granted, task: task.runs, fallback: fallback.runs }).toEqual({
      granted: 1,
      task: 1,
      fallback: 0,
    })
  })

  it(`runs the fallback after ${LOCK_WAIT_MS} ms when the lock is never released: no sale waits for good`, async () => {
    const [task, fallback] = [counted(), counted()]
    const started = Date.now()
    const done = withLock(staleLocks, 'impact-outbox', task.run, fallback.run)
    await new Promise((resolve) => setTimeout(resolve, LOCK_WAIT_MS / 2))
    expect(fallback.runs).toBe(0)
    await done
    expect({ task: task.runs, fallback: fallback.runs }).toEqual({ task: 0, fallback: 1 })
    expect(Date.now() - started).toBeGreaterThanOrEqual(LOCK_WAIT_MS - 50)
  })

  it('runs the fallback where the browser refuses locks (opaque origins)', async () => {
    const refusing = { request: () => Promise.reject(new DOMException('', 'SecurityError')) } as unknown as LockManager
    const [task, fallback] = [counted(), counted()]
    await withLock(refusing, 'impact-outbox', task.run, fallback.run)
    expect({ task: task.runs, fallback: fallback.runs }).toEqual({ task: 0, fallback: 1 })
  })
})

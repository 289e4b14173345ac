// One tab at a time replays the outbox, also where Web Locks are missing: a lease in localStorage,
// tested with storage that reaches other tabs late, as it does between browser processes.
import { describe, expect, it } from 'vitest'
import { OUTBOX_KEY } from '../src/delivery/outbox'
import { createOutboxLock, LEASE_KEY, LEASE_MS, LEASE_SETTLE_MS, LOCK_WAIT_MS } from '../src/delivery/outbox-lock'
import { createStore } from '../src/delivery/store'
import {
  Clock,
  FakeLocks,
  gate,
  laggingStorages,
  MemoryStorage,
  scriptedFetch,
  sequenceRandom,
  settle,
  Timers,
} from './support/delivery-fakes'
import { conversionBody, keyOf, tab, type Tab } from './support/delivery-tab'

/** Runs every tab's timers (and `others`, on the same clock) in time order until `end`. */
async function runTabsUntil(tabs: Tab[], end: number, others: Timers[] = []): Promise<void> {
  const queues = [...tabs.map((t) => t.timers), ...others]
  for (;;) {
    const next = queues.reduce((a, b) => (b.nextAt < a.nextAt ? b : a))
    if (next.nextAt > end) break
    await next.step()
  }
  tabs[0]!.clock.t = Math.max(tabs[0]!.clock.t, end)
  await settle()
}

/** An outbox of `count` sales left by an earlier page, all due. */
function waitingSales(count: number, now: number): { seed: string; bodies: string[] } {
  const bodies = Array.from({ length: count }, (_, i) => conversionBody(`w-${i}`))
  const items = bodies.map((body, i) => ({
    id: `id-${i}`,
    key: keyOf(`w-${i}`),
    body,
    attempts: 2,
    next: 0,
    since: now,
  }))
  return { seed: JSON.stringify(items), bodies }
}

describe('tabs without Web Locks (a storage lease)', () => {
  it('20 waiting sales, 3 tabs opened at once: each sale is delivered exactly once', async () => {
    const clock = new Clock()
    const { seed, bodies } = waitingSales(20, clock.t)
    const net = scriptedFetch()
    net.fallback = () => 200
    const tabs = laggingStorages(3, { [OUTBOX_KEY]: seed }).map((storage) =>
      tab({ storage, clock, net, locks: undefined }),
    )
    for (const t of tabs) void t.delivery.flush()
    await settle()
    await runTabsUntil(tabs, clock.t + 5 * 60_000)
    expect(net.bodies().sort()).toEqual([...bodies].sort())
    for (const t of tabs) expect(JSON.parse(t.storage!.getItem(OUTBOX_KEY)!)).toEqual([])
  })

  it('writes reaching the other tabs 600 ms late (a busy browser): each sale is still delivered exactly once', async () => {
    const clock = new Clock()
    const { seed, bodies } = waitingSales(5, clock.t)
    const net = scriptedFetch()
    net.fallback = () => 200
    const browser = new Timers(clock)
    const tabs = laggingStorages(3, { [OUTBOX_KEY]: seed }, { ms: 600, timers: browser }).map((storage, i) =>
      tab({ storage, clock, net, locks: undefined, random: sequenceRandom(i + 1) }),
    )
    for (const t of tabs) void t.delivery.flush()
    await settle()
    await runTabsUntil(tabs, clock.t + 5 * 60_000, [browser])
    expect(net.bodies().sort()).toEqual([...bodies].sort())
  })

  it('a tab that finds another tab holding the lease waits, then delivers what is left once it lapses', async () => {
    const clock = new Clock()
    const { seed, bodies } = waitingSales(2, clock.t)
    // A tab that crashed while holding the lease.
    const lease = JSON.stringify({ owner: 'gone', until: clock.t + LEASE_MS })
    const [storage] = laggingStorages(1, { [OUTBOX_KEY]: seed, [LEASE_KEY]: lease })
    const t = tab({ storage, clock, locks: undefined })
    t.net.fallback = () => 200
    await t.delivery.flush()
    expect(t.net.calls).toHaveLength(0)
    await runTabsUntil([t], clock.t + LEASE_MS + 60_000)
    expect(t.net.bodies()).toEqual(bodies)
  })

  /** Tab A replays three waiting sales, its request for the first one on the wire; then it leaves. */
  async function leavingWhileReplaying() {
    const clock = new Clock()
    const { seed, bodies } = waitingSales(3, clock.t)
    const [storageA, storageB] = laggingStorages(2, { [OUTBOX_KEY]: seed })
    const onTheWire = gate()
    const a = tab({ storage: storageA, clock, locks: undefined, random: sequenceRandom(1) })
    a.net.queue(onTheWire)
    void a.delivery.flush()
    await a.timers.advance(LEASE_SETTLE_MS)
    expect(a.net.bodies()).toEqual([bodies[0]])
    a.delivery.leave()
    await settle()
    const b = tab({ storage: storageB, clock, locks: undefined, random: sequenceRandom(2) })
    return { clock, bodies, a, b, onTheWire, storageB: storageB! }
  }

  it('a tab that leaves while it replays hands the lease over at once, and the sale it had on the wire is not resent', async () => {
    const { clock, bodies, b, storageB } = await leavingWhileReplaying()
    expect(JSON.parse(storageB.getItem(LEASE_KEY)!)).toBeNull()
    b.net.fallback = () => 200
    void b.delivery.flush()
    // As soon as B trusts its own lease: A's would have held it until LEASE_MS.
    await b.timers.advance(LEASE_SETTLE_MS)
    expect(b.net.bodies()).toEqual([bodies[1], bodies[2]])
    await runTabsUntil([b], clock.t + LEASE_MS + 60_000)
    expect(b.net.bodies()).toEqual([bodies[1], bodies[2]])
  })

  it('a tab back after leaving (back/forward cache) neither takes back the lease nor releases the lease of the tab that took over', async () => {
    const { clock, bodies, a, b, onTheWire, storageB } = await leavingWhileReplaying()
    const request = gate()
    b.net.queue(request)
    b.net.fallback = () => 200
    void b.delivery.flush()
    await b.timers.advance(LEASE_SETTLE_MS)
    expect(b.net.bodies()).toEqual([bodies[1]])
    const lease = storageB.getItem(LEASE_KEY)
    // A's page comes back: its request is answered and its replay would go on with the third sale.
    onTheWire.open(200)
    await settle()
    a.delivery.leave()
    await settle()
    expect(storageB.getItem(LEASE_KEY)).toBe(lease)
    request.open(200)
    await runTabsUntil([a, b], clock.t + LEASE_MS + 60_000)
    expect(a.net.bodies()).toEqual([bodies[0]])
    expect(b.net.bodies()).toEqual([bodies[1], bodies[2]])
  })

  it('a closing tab whose timer fires after pagehide (Chromium runs them while it tears down) takes no lease: the other tabs are not held back', async () => {
    const clock = new Clock()
    const { seed, bodies } = waitingSales(2, clock.t)
    const [storageA, storageB] = laggingStorages(2, { [OUTBOX_KEY]: seed })
    const a = tab({ storage: storageA, clock, locks: undefined, random: sequenceRandom(1) })
    a.delivery.leave()
    void a.delivery.flush()
    await a.timers.advance(LEASE_SETTLE_MS)
    expect(a.net.calls).toHaveLength(0)
    expect(storageB!.getItem(LEASE_KEY)).toBeNull()
    const b = tab({ storage: storageB, clock, locks: undefined, random: sequenceRandom(2) })
    b.net.fallback = () => 200
    void b.delivery.flush()
    await b.timers.advance(LEASE_SETTLE_MS)
    expect(b.net.bodies()).toEqual(bodies)
  })

  it('a tab shown again from the back/forward cache replays again', async () => {
    const clock = new Clock()
    const { seed, bodies } = waitingSales(2, clock.t)
    const [storage] = laggingStorages(1, { [OUTBOX_KEY]: seed })
    const t = tab({ storage, clock, locks: undefined })
    t.net.fallback = () => 200
    t.delivery.leave()
    t.delivery.back()
    await t.timers.advance(LEASE_SETTLE_MS)
    expect(t.net.bodies()).toEqual(bodies)
  })

  it('a request that outlasts the lease: the replay stops, takes the lease again, and delivers the rest once', async () => {
    const clock = new Clock()
    const { seed, bodies } = waitingSales(2, clock.t)
    const [storage] = laggingStorages(1, { [OUTBOX_KEY]: seed })
    const t = tab({ storage, clock, locks: undefined })
    const slow = gate()
    t.net.queue(slow)
    t.net.fallback = () => 200
    void t.delivery.flush()
    await t.timers.advance(LEASE_SETTLE_MS)
    await t.timers.advance(LEASE_MS + 5_000)
    expect(t.net.bodies()).toEqual([bodies[0]])
    slow.open(200)
    await settle()
    await runTabsUntil([t], clock.t + 60_000)
    expect(t.net.bodies()).toEqual(bodies)
    // The lease was taken twice, each time trusted only after LEASE_SETTLE_MS.
    expect(t.timers.delays.filter((ms) => ms === LEASE_SETTLE_MS)).toHaveLength(2)
    expect(JSON.parse(storage!.getItem(OUTBOX_KEY)!)).toEqual([])
  })

  it('a lease dated far in the future (a wrong clock, corrupt data) is ignored', async () => {
    const clock = new Clock()
    const { seed, bodies } = waitingSales(1, clock.t)
    const lease = JSON.stringify({ owner: 'other', until: clock.t + 365 * 86_400_000 })
    const [storage] = laggingStorages(1, { [OUTBOX_KEY]: seed, [LEASE_KEY]: lease })
    const t = tab({ storage, clock, locks: undefined })
    t.net.fallback = () => 200
    void t.delivery.flush()
    await runTabsUntil([t], clock.t + 1_000)
    expect(t.net.bodies()).toEqual(bodies)
  })
})

describe('Web Locks that misbehave', () => {
  /** A lock over `locks` with real storage and the real clock, as a browser tab has. */
  const lockOver = (locks: LockManager, storage = new MemoryStorage()) =>
    createOutboxLock({
      locks,
      store: createStore(() => storage),
      clock: {
        now: Date.now,
        setTimeout: (run, ms) => setTimeout(run, ms),
      },
      random: Math.random,
    })

  it(`a lock that is never released (WebKit, after a navigation) is given up after ${LOCK_WAIT_MS} ms for the lease`, async () => {
    const stale = {
      request: (_name: string, options: LockOptions) =>
        new Promise((_, reject) =>
          options.signal?.addEventListener('abort', () => reject(new DOMException('', 'AbortError'))),
        ),
    } as unknown as LockManager
    let runs = 0
    const started = Date.now()
    const ran = lockOver(stale).run(async () => void runs++)
    await new Promise((resolve) => setTimeout(resolve, LOCK_WAIT_MS / 2))
    expect(runs).toBe(0)
    expect(await ran).toBe(true)
    expect(runs).toBe(1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(LOCK_WAIT_MS - 50)
  })

  it('a Web Lock granted after the page left runs nothing and writes no lease', async () => {
    const storage = new MemoryStorage()
    const lock = lockOver(new FakeLocks(), storage)
    lock.leave()
    let runs = 0
    expect(await lock.run(async () => void runs++)).toBeUndefined()
    expect(runs).toBe(0)
    expect(storage.getItem(LEASE_KEY)).toBeNull()
  })

  it('where the browser refuses locks (opaque origins) the lease runs the replay at once', async () => {
    const refusing = { request: () => Promise.reject(new DOMException('', 'SecurityError')) } as unknown as LockManager
    let runs = 0
    expect(await lockOver(refusing).run(async () => void runs++)).toBe(true)
    expect(runs).toBe(1)
  })
})

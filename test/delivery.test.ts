// Delivery, tested only through its stable API (createDelivery, the storage keys) with injected
// fakes: no real network, no real timers for retries. Retries: test/retry.test.ts.
import { describe, expect, it, vi } from 'vitest'
import { createDelivery, type DeliveryDeps } from '../src/delivery/delivery'
import { OUTBOX_KEY } from '../src/delivery/outbox'
import { LOCK_SETTLE_MS } from '../src/delivery/outbox-lock'
import { SENT_KEY } from '../src/delivery/sent-keys'
import { createLogger } from '../src/log'
import {
  anyStoredValueContains,
  Clock,
  FakeLocks,
  gate,
  MemoryStorage,
  scriptedFetch,
  sequenceRandom,
  settle,
  stateOf,
  ThrowingStorage,
  Timers,
  type Call,
} from './support/delivery-fakes'
import {
  conversionBody,
  EVENT_DATE,
  keyOf,
  KINDS,
  outboxHolds,
  PAGELOAD_URL,
  pageLoadBody,
  RELAY,
  sender,
  tab,
} from './support/delivery-tab'

// =============================================================================================
/** The one request shape for both endpoints: a form POST with keepalive and no credentials. */
function expectFormPost(call: Call | undefined, url: string, body: string): void {
  expect(call).toBeDefined()
  expect(call!.url).toBe(url)
  expect(call!.method).toBe('POST')
  expect(call!.headers.get('content-type')).toBe('application/x-www-form-urlencoded;charset=UTF-8')
  expect(call!.init.credentials).toBe('omit')
  expect(call!.init.keepalive).toBe(true)
  expect(call!.headers.has('authorization')).toBe(false)
  expect(call!.body).toBe(body)
}

describe('request shape', () => {
  it('PageLoad: form POST to the PageLoad URL, keepalive, no credentials, no Authorization', async () => {
    const t = tab({
      target: { url: 'https://api.impact.com/Advertisers/IRsid/Conversions', authorization: 'Basic c2VjcmV0' },
    })
    t.net.queue(200)
    const body = pageLoadBody()
    await t.delivery.sendPageLoad(body, () => undefined)
    expect(t.net.calls).toHaveLength(1)
    expectFormPost(t.net.calls[0], PAGELOAD_URL, body)
  })

  it('conversion to the relay: same form POST, no Authorization header', async () => {
    const t = tab({ target: { url: '/impact/conversions' } })
    t.net.queue(202)
    const body = conversionBody('o-1')
    await t.delivery.sendConversion({ key: keyOf('o-1'), body })
    expect(t.net.calls).toHaveLength(1)
    expectFormPost(t.net.calls[0], '/impact/conversions', body)
  })

  it('conversion straight to Impact (opted in): carries the target Authorization', async () => {
    const url = 'https://api.impact.com/Advertisers/IRsid/Conversions'
    const t = tab({ target: { url, authorization: 'Basic SVJzaWQ6dG9r' } })
    t.net.queue(200)
    await t.delivery.sendConversion({ key: keyOf('o-1'), body: conversionBody('o-1') })
    const call = t.net.calls[0]!
    expect(call.url).toBe(url)
    expect(call.headers.get('authorization')).toBe('Basic SVJzaWQ6dG9r')
    expect(call.init.credentials).toBe('omit')
  })

  describe.each(KINDS)('%s keepalive', (kind) => {
    it.each([
      [16_383, true],
      [16_384, true],
      [16_385, false],
      [40_000, false],
    ])('a body of %i chars is sent with keepalive %s', async (length, keepalive) => {
      const t = tab()
      t.net.queue(200)
      const base = kind === 'pageLoad' ? pageLoadBody() : conversionBody('o-big')
      const body = base + '&Note=' + 'x'.repeat(length - base.length - 6)
      expect(body).toHaveLength(length)
      await sender(kind, t).send(body).answer
      expect(t.net.calls).toHaveLength(1)
      expect(t.net.calls[0]!.init.keepalive).toBe(keepalive)
      expect(t.net.calls[0]!.body).toBe(body)
    })
  })
})

// =============================================================================================
describe('one backoff per destination', () => {
  it('20 sales waiting, Retry-After 60: one probe a minute, then one request after another, each sale once', async () => {
    const t = tab({ random: () => 0 })
    t.net.fallback = () => ({ status: 503, headers: { 'Retry-After': '60' } })
    const bodies = Array.from({ length: 20 }, (_, i) => conversionBody(`o-${i}`))
    for (const [i, body] of bodies.entries()) {
      await t.delivery.sendConversion({ key: keyOf(`o-${i}`), body })
      await t.timers.advance(100)
    }
    // The first sale failed; the other 19 were stored and wait for the destination's next probe.
    expect(t.net.calls).toHaveLength(1)
    // Two seconds have passed; the next 57 bring no request.
    await t.timers.advance(57_000)
    expect(t.net.calls).toHaveLength(1)
    // One probe per step, whatever the number of waiting sales.
    await t.timers.advance(2_000)
    expect(t.net.calls).toHaveLength(2)
    await t.timers.advance(60_000)
    expect(t.net.calls).toHaveLength(3)
    // The destination recovers: the next probe succeeds and the outbox drains, one request at a time.
    const first = gate()
    t.net.queue(first)
    t.net.fallback = () => 200
    await t.timers.advance(60_000)
    expect(t.net.calls).toHaveLength(4)
    await settle()
    expect(t.net.calls).toHaveLength(4)
    first.open(200)
    await settle(200)
    await t.timers.runAll()
    expect(t.net.calls).toHaveLength(23)
    const delivered = t.net.bodies().slice(3)
    expect([...delivered].sort()).toEqual([...bodies].sort())
    expect(JSON.parse(t.storage!.getItem(OUTBOX_KEY) ?? '[]')).toEqual([])
  })

  it('a sale held for the probe of a failure another tab saw: this tab wakes up for it too', async () => {
    const storage = new MemoryStorage()
    const clock = new Clock()
    // A checkout tab opened with nothing waiting: no timer of its own.
    const checkout = tab({ storage, clock })
    checkout.net.fallback = () => 200
    await checkout.delivery.flush()
    const failing = tab({ storage, clock, random: () => 0 })
    failing.net.queue({ status: 503, headers: { 'Retry-After': '30' } })
    await failing.delivery.sendConversion({ key: keyOf('o-1'), body: conversionBody('o-1') })
    // The checkout tab tracks a sale during that backoff; the tab that failed closes.
    expect(await checkout.delivery.sendConversion({ key: keyOf('o-2'), body: conversionBody('o-2') })).toEqual({
      status: 0,
    })
    failing.delivery.leave()
    await checkout.timers.advance(30_000)
    await settle()
    await checkout.timers.runAll()
    expect([...checkout.net.bodies()].sort()).toEqual([conversionBody('o-1'), conversionBody('o-2')].sort())
  })

  it('without a target (no conversionEndpoint) sales wait with no timer polling the outbox', async () => {
    const storage = new MemoryStorage()
    const sending = tab({ storage })
    sending.net.queue(503)
    await sending.delivery.sendConversion({ key: keyOf('o-1'), body: conversionBody('o-1') })
    sending.clock.t += 120_000
    const nowhere = tab({ storage, clock: sending.clock, target: undefined })
    await nowhere.delivery.flush()
    await nowhere.delivery.sendConversion({ key: keyOf('o-2'), body: conversionBody('o-2') })
    // The lock's own short settle may still run; nothing wakes up again after it.
    await nowhere.timers.advance(60_000)
    expect(nowhere.timers.pending).toBe(0)
    expect(nowhere.net.calls).toHaveLength(0)
  })

  it('a new sale while the destination backs off is stored, sent with the next probe round, once', async () => {
    const t = tab({ random: () => 0 })
    t.net.queue({ status: 503, headers: { 'Retry-After': '30' } })
    t.net.fallback = () => 200
    await t.delivery.sendConversion({ key: keyOf('o-1'), body: conversionBody('o-1') })
    await t.timers.advance(1_000)
    expect(await t.delivery.sendConversion({ key: keyOf('o-2'), body: conversionBody('o-2') })).toEqual({ status: 0 })
    expect(t.net.calls).toHaveLength(1)
    await t.timers.advance(29_000)
    await settle()
    expect(t.net.bodies()).toEqual([conversionBody('o-1'), conversionBody('o-1'), conversionBody('o-2')])
    await t.timers.runAll()
    expect(t.net.calls).toHaveLength(3)
  })
})

describe('outbox', () => {
  it('holds the conversion before fetch is first called, and drops it after success', async () => {
    const t = tab()
    const body = conversionBody('o-1')
    const seenInside: boolean[] = []
    t.net.onRequest = () => seenInside.push(outboxHolds(t.storage, body))
    t.net.queue(200)
    await t.delivery.sendConversion({ key: keyOf('o-1'), body })
    expect(seenInside).toEqual([true])
    expect(outboxHolds(t.storage, body)).toBe(false)
  })

  it('keeps it after a retryable failure; the next page load replays it with flush(), same body', async () => {
    const storage = new MemoryStorage()
    const clock = new Clock()
    const page1 = tab({ storage, clock })
    const body = conversionBody('o-1', EVENT_DATE)
    page1.net.queue('network')
    expect(await page1.delivery.sendConversion({ key: keyOf('o-1'), body })).toMatchObject({ status: 0 })
    expect(outboxHolds(storage, body)).toBe(true)

    // The visitor navigates away; page1's timers die with it. A new page loads 10 s later.
    clock.t += 10_000
    const page2 = tab({ storage, clock })
    page2.net.queue(200)
    await page2.delivery.flush()
    await settle()
    expect(page2.net.calls).toHaveLength(1)
    expect(page2.net.calls[0]!.body).toBe(body)
    expect(new URLSearchParams(page2.net.calls[0]!.body).get('EventDate')).toBe(EVENT_DATE)
    expect(page2.net.calls[0]!.url).toBe(RELAY!.url)
    expect(outboxHolds(storage, body)).toBe(false)
    // And it is now known as sent.
    expect(await page2.delivery.sendConversion({ key: keyOf('o-1'), body })).toBe('duplicate')
  })

  it('counts attempts across page loads: the backoff goes on where the last page left it', async () => {
    const storage = new MemoryStorage()
    const clock = new Clock()
    const page1 = tab({ storage, clock })
    page1.net.fallback = () => 503
    const body = conversionBody('o-1')
    await page1.delivery.sendConversion({ key: keyOf('o-1'), body })
    await page1.timers.advance(500) // 2nd attempt (first wait is at most 500 ms)
    await page1.timers.advance(1_000) // 3rd
    await page1.timers.advance(2_000) // 4th
    expect(page1.net.calls).toHaveLength(4)
    expect(outboxHolds(storage, body)).toBe(true)

    clock.t += 120_000
    const page2 = tab({ storage, clock })
    page2.net.fallback = () => 503
    await page2.delivery.flush()
    expect(page2.net.calls).toHaveLength(1)
    const [item] = JSON.parse(storage.getItem(OUTBOX_KEY)!) as Array<{ attempts: number; next: number }>
    expect(item!.attempts).toBe(5)
    // The wait after a 5th failure: 4 to 8 s.
    expect(item!.next - clock.t).toBeGreaterThanOrEqual(4_000)
    expect(item!.next - clock.t).toBeLessThanOrEqual(8_000)
    expect(page2.log.warn).not.toHaveBeenCalled()
  })

  it('PageLoads retry in memory only: nothing of theirs is stored', async () => {
    const storage = new MemoryStorage()
    const t = tab({ storage })
    t.net.queue(503)
    const body = pageLoadBody('/only-in-memory')
    await t.delivery.sendPageLoad(body, () => undefined)
    expect(anyStoredValueContains(storage, 'only-in-memory')).toBe(false)
    // A new page does not replay it.
    const page2 = tab({ storage })
    await page2.delivery.flush()
    expect(page2.net.calls).toHaveLength(0)
  })

  it('is bounded to 100: the 101st conversion drops the oldest, reported via warn', async () => {
    const storage = new MemoryStorage()
    const t = tab({ storage })
    t.net.fallback = () => 503
    const bodies: string[] = []
    for (let i = 0; i < 100; i++) {
      bodies.push(conversionBody(`o-${i}`))
      // The first fails; the others wait for the destination's next probe.
      expect(await t.delivery.sendConversion({ key: keyOf(`o-${i}`), body: bodies[i]! })).toMatchObject({
        status: i ? 0 : 503,
      })
      t.clock.t += 1
    }
    expect(t.net.calls).toHaveLength(1)
    expect(bodies.every((b) => outboxHolds(storage, b))).toBe(true)
    expect(t.log.warn).not.toHaveBeenCalled()

    const newest = conversionBody('o-100')
    expect(await t.delivery.sendConversion({ key: keyOf('o-100'), body: newest })).toMatchObject({ status: 0 })
    expect(t.log.warn).toHaveBeenCalledTimes(1)
    expect(outboxHolds(storage, bodies[0]!)).toBe(false)
    expect(outboxHolds(storage, newest)).toBe(true)
    expect(bodies.slice(1).every((b) => outboxHolds(storage, b))).toBe(true)
    const stored = JSON.parse(storage.getItem(OUTBOX_KEY)!) as unknown[]
    expect(stored).toHaveLength(100)
    // The second oldest is still waiting; the oldest is gone, so it is no longer a duplicate.
    expect(await t.delivery.sendConversion({ key: keyOf('o-1'), body: bodies[1]! })).toBe('duplicate')
    expect(await t.delivery.sendConversion({ key: keyOf('o-0'), body: bodies[0]! })).not.toBe('duplicate')
  })

  describe.each([
    ['corrupt JSON', '{"oops', '[1,'],
    ['a JSON object', JSON.stringify({ id: 'x', key: keyOf('o-1'), body: 'b', attempts: 0, next: 0 }), '"sent"'],
    [
      'an array of junk',
      JSON.stringify([null, 1, 'x', [], {}, { id: 5 }, { key: keyOf('o-1'), body: 7 }, { id: 'a', key: keyOf('o-1') }]),
      JSON.stringify([keyOf('o-1')]),
    ],
    ['JSON null', 'null', 'null'],
    ['a number', '42', '{"Order Completed|o-1":"yesterday"}'],
  ])('foreign data under the keys: %s', (_name, outboxJunk, sentJunk) => {
    it('does not throw and does not block new conversions', async () => {
      const storage = new MemoryStorage({ [OUTBOX_KEY]: outboxJunk, [SENT_KEY]: sentJunk })
      const t = tab({ storage })
      t.net.queue(503, 200)
      const body = conversionBody('o-1')
      expect(await t.delivery.sendConversion({ key: keyOf('o-1'), body })).toMatchObject({ status: 503 })
      expect(outboxHolds(storage, body)).toBe(true)
      await t.timers.runAll()
      expect(t.net.bodies()).toEqual([body, body])
      expect(outboxHolds(storage, body)).toBe(false)
      expect(await t.delivery.sendConversion({ key: keyOf('o-1'), body })).toBe('duplicate')
      await expect(t.delivery.flush()).resolves.toBeUndefined()
      // A next page load on the same storage is fine too.
      const page2 = tab({ storage })
      page2.net.queue(200)
      expect(await page2.delivery.sendConversion({ key: keyOf('o-2'), body: conversionBody('o-2') })).toMatchObject({
        status: 200,
      })
    })

    it('a next page load with the junk still there sends and replays nothing bogus', async () => {
      const storage = new MemoryStorage({ [OUTBOX_KEY]: outboxJunk, [SENT_KEY]: sentJunk })
      const t = tab({ storage })
      await expect(t.delivery.flush()).resolves.toBeUndefined()
      await settle()
      expect(t.net.calls).toHaveLength(0)
    })
  })

  describe('storage that throws on every access', () => {
    it('conversions still go out, retry in memory, and dedupe within the page; nothing throws', async () => {
      const storage = new ThrowingStorage()
      const t = tab({ storage })
      t.net.queue('network', 200, 200)
      const body = conversionBody('o-1')
      const first = t.delivery.sendConversion({ key: keyOf('o-1'), body })
      await expect(first).resolves.toMatchObject({ status: 0 })
      expect(storage.attempts).toBeGreaterThan(0)
      expect(await t.delivery.sendConversion({ key: keyOf('o-1'), body })).toBe('duplicate')
      await t.timers.runAll()
      expect(t.net.bodies()).toEqual([body, body])
      expect(await t.delivery.sendConversion({ key: keyOf('o-1'), body })).toBe('duplicate')
      expect(await t.delivery.sendConversion({ key: keyOf('o-2'), body: conversionBody('o-2') })).toMatchObject({
        status: 200,
      })
      await expect(t.delivery.flush()).resolves.toBeUndefined()
      t.net.queue(200)
      await expect(t.delivery.sendPageLoad(pageLoadBody(), () => undefined)).resolves.toMatchObject({ status: 200 })
    })

    it('works the same when there is no storage at all', async () => {
      const t = tab({ storage: undefined })
      t.net.queue(503, 200)
      const body = conversionBody('o-1')
      expect(await t.delivery.sendConversion({ key: keyOf('o-1'), body })).toMatchObject({ status: 503 })
      expect(await t.delivery.sendConversion({ key: keyOf('o-1'), body })).toBe('duplicate')
      await t.timers.runAll()
      expect(t.net.bodies()).toEqual([body, body])
      expect(await t.delivery.sendConversion({ key: keyOf('o-1'), body })).toBe('duplicate')
    })

    it('with the real logger nothing reaches the console as an error', async () => {
      const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
      try {
        const clock = new Clock()
        const timers = new Timers(clock)
        const net = scriptedFetch().queue(200)
        const deps: DeliveryDeps = {
          fetch: net.fetch,
          now: clock.now,
          random: sequenceRandom(),
          setTimeout: timers.setTimeout,
          storage: () => new ThrowingStorage(),
          locks: new FakeLocks(),
        }
        const delivery = createDelivery({ pageLoadUrl: PAGELOAD_URL, target: RELAY, log: createLogger(false), deps })
        expect(await delivery.sendConversion({ key: keyOf('o-1'), body: conversionBody('o-1') })).toMatchObject({
          status: 200,
        })
        expect(error).not.toHaveBeenCalled()
      } finally {
        error.mockRestore()
      }
    })
  })

  // localStorage that is full: reads work, a setItem that grows it throws QuotaExceededError. The
  // outbox key is typically already there ('[]' is left behind by every earlier successful delivery).
  describe('full localStorage (growing setItem throws, getItem works)', () => {
    it('a new conversion still goes out when an earlier delivery left the outbox key behind', async () => {
      const storage = new MemoryStorage()
      const clock = new Clock()
      const earlier = tab({ storage, clock })
      earlier.net.queue(200)
      await earlier.delivery.sendConversion({ key: keyOf('o-1'), body: conversionBody('o-1') })

      storage.fill()
      clock.t += 3_600_000
      const t = tab({ storage, clock })
      t.net.fallback = () => 200
      const body = conversionBody('o-2')
      const answer = t.delivery.sendConversion({ key: keyOf('o-2'), body })
      await t.timers.advance(60_000)
      expect(t.net.bodies()).toEqual([body])
      expect(await stateOf(answer)).toEqual({ value: expect.objectContaining({ status: 200 }) })
    })

    it('a pending conversion from an earlier page is delivered once, not resent in a loop', async () => {
      const storage = new MemoryStorage()
      const clock = new Clock()
      const earlier = tab({ storage, clock })
      earlier.net.queue(200, 503)
      await earlier.delivery.sendConversion({ key: keyOf('o-1'), body: conversionBody('o-1') })
      const body = conversionBody('o-2')
      await earlier.delivery.sendConversion({ key: keyOf('o-2'), body })
      expect(outboxHolds(storage, body)).toBe(true)

      storage.fill()
      clock.t += 3_600_000
      const t = tab({ storage, clock })
      // Fuse: after 5 requests, never answer, so a runaway loop stops instead of hanging the run.
      t.net.fallback = () => (t.net.calls.length > 5 ? 'hang' : 200)
      void t.delivery.flush()
      await settle(50)
      await t.timers.advance(60_000)
      expect(t.net.bodies().filter((b) => b === body)).toHaveLength(1)

      // And the page after that does not send it again.
      clock.t += 60_000
      const after = tab({ storage, clock })
      after.net.fallback = () => 200
      await after.delivery.flush()
      await after.timers.runAll()
      expect(after.net.bodies()).not.toContain(body)
    })

    it('conversions delivered on earlier pages stay duplicates after this page fails a write', async () => {
      const storage = new MemoryStorage()
      const clock = new Clock()
      const earlier = tab({ storage, clock })
      earlier.net.queue(200)
      const body = conversionBody('o-1')
      await earlier.delivery.sendConversion({ key: keyOf('o-1'), body })

      storage.fill()
      clock.t += 60_000
      // The reloaded thank-you page: another conversion first (its outbox write fails), then the
      // order already delivered.
      const t = tab({ storage, clock })
      t.net.fallback = () => 200
      expect(
        await t.delivery.sendConversion({ key: 'Application Installed|a-1', body: conversionBody('a-1') }),
      ).toMatchObject({
        status: 200,
      })
      expect(await t.delivery.sendConversion({ key: keyOf('o-1'), body })).toBe('duplicate')
      expect(t.net.bodies()).not.toContain(body)
    })
  })
})

// =============================================================================================
describe('exactly once', () => {
  it('the same key twice: the second is a duplicate and fetch is called once', async () => {
    const t = tab()
    t.net.fallback = () => 200
    const body = conversionBody('o-1')
    const a = t.delivery.sendConversion({ key: keyOf('o-1'), body })
    const b = t.delivery.sendConversion({ key: keyOf('o-1'), body })
    expect(await b).toBe('duplicate')
    expect(await a).toMatchObject({ status: 200 })
    expect(await t.delivery.sendConversion({ key: keyOf('o-1'), body })).toBe('duplicate')
    await t.timers.runAll()
    expect(t.net.calls).toHaveLength(1)
  })

  it('a key waiting for a retry is a duplicate too', async () => {
    const t = tab()
    t.net.queue(503, 200)
    const body = conversionBody('o-1')
    await t.delivery.sendConversion({ key: keyOf('o-1'), body })
    expect(await t.delivery.sendConversion({ key: keyOf('o-1'), body })).toBe('duplicate')
    await t.timers.runAll()
    expect(t.net.calls).toHaveLength(2)
  })

  it('a reloaded thank-you page (new instance, same storage) sends nothing within 24 h; another key still goes', async () => {
    const storage = new MemoryStorage()
    const clock = new Clock()
    const page1 = tab({ storage, clock })
    page1.net.queue(200)
    const body = conversionBody('o-1')
    expect(await page1.delivery.sendConversion({ key: keyOf('o-1'), body })).toMatchObject({ status: 200 })

    const deliveredAt = clock.t
    for (const later of [1_000, 3_600_000, 24 * 3_600_000 - 1]) {
      clock.t = deliveredAt + later
      const reloaded = tab({ storage, clock })
      expect(await reloaded.delivery.sendConversion({ key: keyOf('o-1'), body })).toBe('duplicate')
      await reloaded.delivery.flush()
      await reloaded.timers.runAll()
      expect(reloaded.net.calls).toHaveLength(0)
    }

    const other = tab({ storage, clock })
    other.net.queue(200)
    const body2 = conversionBody('o-2')
    expect(await other.delivery.sendConversion({ key: keyOf('o-2'), body: body2 })).toMatchObject({ status: 200 })
    expect(other.net.bodies()).toEqual([body2])
  })

  it('the same OrderId under another event type is another conversion', async () => {
    const t = tab()
    t.net.fallback = () => 200
    await t.delivery.sendConversion({ key: 'Order Completed|o-1', body: conversionBody('o-1') })
    expect(
      await t.delivery.sendConversion({ key: 'Application Installed|o-1', body: conversionBody('o-1') }),
    ).toMatchObject({
      status: 200,
    })
    expect(t.net.calls).toHaveLength(2)
  })
})

// =============================================================================================
describe('leaving the page (pagehide) with a conversion in progress', () => {
  /** A page whose conversion is sent, then the page leaves; the next page on the same storage. */
  async function leaveWith(
    body: string,
    options: { final?: Promise<string>; onTheWire: boolean; failFirst?: boolean },
  ) {
    const storage = new MemoryStorage()
    const clock = new Clock()
    const page1 = tab({ storage, clock })
    const request = gate()
    page1.net.queue(request)
    void page1.delivery.sendConversion({ key: keyOf('o-1'), body: body, finalBody: options.final })
    await settle()
    expect(page1.net.calls).toHaveLength(options.onTheWire ? 1 : 0)
    if (options.failFirst) {
      // The navigation fails the fetch in this page first, within the task that runs pagehide:
      // microtasks only, so the failure is handled (a retry is planned) before leave() runs.
      request.open('network')
      for (let i = 0; i < 200; i++) await Promise.resolve()
      expect(storage.getItem(OUTBOX_KEY)).toContain('"attempts":1')
      page1.delivery.leave()
    } else {
      page1.delivery.leave()
      // The page's JavaScript then sees its fetch fail (the document is going away).
      request.open('network')
    }
    await settle()
    clock.t += 60_000 // past any lease or backoff
    const page2 = tab({ storage, clock })
    page2.net.fallback = () => 200
    await page2.delivery.flush()
    await page2.timers.runAll()
    return { page1, page2, storage }
  }

  it('a keepalive request already on the wire counts as sent: the next page neither resends nor accepts it again', async () => {
    const body = conversionBody('o-1')
    const { page1, page2, storage } = await leaveWith(body, { onTheWire: true })
    expect(page2.net.calls).toHaveLength(0)
    expect(await page2.delivery.sendConversion({ key: keyOf('o-1'), body })).toBe('duplicate')
    expect(page2.net.calls).toHaveLength(0)
    expect(outboxHolds(storage, body)).toBe(false)
    await page1.timers.advance(0) // a task later: no retry planned
    expect(page1.timers.pending).toBe(0)
  })

  it('the same when the navigation failed the fetch in this page just before pagehide', async () => {
    const body = conversionBody('o-1')
    const { page2, storage } = await leaveWith(body, { onTheWire: true, failFirst: true })
    expect(page2.net.calls).toHaveLength(0)
    expect(outboxHolds(storage, body)).toBe(false)
    expect(await page2.delivery.sendConversion({ key: keyOf('o-1'), body })).toBe('duplicate')
  })

  it('one not yet on the wire (its hashed email still coming) stays queued, and the next page sends it once', async () => {
    const body = conversionBody('o-1')
    const { page2 } = await leaveWith(body, { final: new Promise<string>(() => undefined), onTheWire: false })
    expect(page2.net.bodies()).toEqual([body])
  })

  it('one too big for keepalive dies with the page, so it stays queued and the next page sends it once', async () => {
    const base = conversionBody('o-1')
    const body = base + '&Note=' + 'x'.repeat(20_000)
    const { page1, page2 } = await leaveWith(body, { onTheWire: true })
    expect(page1.net.calls[0]!.init.keepalive).toBe(false)
    expect(page2.net.bodies()).toEqual([body])
  })

  it.each([503, 'network'] as const)(
    'leaving after a failed attempt (%s) keeps it queued for the next page, and the page that left retries nothing',
    async (failure) => {
      const t = tab()
      t.net.queue(failure)
      const body = conversionBody('o-1')
      await t.delivery.sendConversion({ key: keyOf('o-1'), body })
      // A real failure is over before the page leaves (at least a task later).
      await t.timers.advance(0)
      t.delivery.leave()
      expect(outboxHolds(t.storage, body)).toBe(true)
      // Its retry timer still fires (Chromium runs a closing tab's timers after pagehide).
      await t.timers.runAll()
      expect(t.net.bodies()).toEqual([body])
      const next = tab({ storage: t.storage, clock: t.clock })
      next.net.fallback = () => 200
      await next.delivery.flush()
      await next.timers.runAll()
      expect(next.net.bodies()).toEqual([body])
    },
  )
})

// =============================================================================================
describe('two tabs sharing storage and Web Locks', () => {
  async function pendingItem(storage: MemoryStorage, clock: Clock, orderId = 'o-1'): Promise<string> {
    const page0 = tab({ storage, clock })
    page0.net.queue(503)
    const body = conversionBody(orderId)
    await page0.delivery.sendConversion({ key: keyOf(orderId), body })
    expect(outboxHolds(storage, body)).toBe(true)
    clock.t += 10_000 // due by now
    return body
  }

  /** Two tabs on one storage and one lock manager, a conversion pending, its next request held open. */
  async function twoTabsWithPendingItem() {
    const storage = new MemoryStorage()
    const clock = new Clock()
    const locks = new FakeLocks()
    const pendingBody = await pendingItem(storage, clock)
    const net = scriptedFetch()
    const inFlight = gate()
    net.queue(inFlight)
    net.fallback = () => 200
    return {
      storage,
      locks,
      net,
      inFlight,
      pendingBody,
      a: tab({ storage, clock, locks, net }),
      b: tab({ storage, clock, locks, net }),
    }
  }

  it('both flush() concurrently: the pending conversion is sent once in total', async () => {
    const { storage, locks, net, inFlight, pendingBody: body, a, b } = await twoTabsWithPendingItem()
    const both = Promise.all([a.delivery.flush(), b.delivery.flush()])
    await settle() // the first request is in flight while the other tab tries
    inFlight.open(200)
    await settle()
    // Each tab keeps the lock a moment after its replay (LOCK_SETTLE_MS), on its own timers.
    await a.timers.advance(LOCK_SETTLE_MS)
    await b.timers.advance(LOCK_SETTLE_MS)
    await both
    await a.timers.runAll()
    await b.timers.runAll()
    expect(net.bodies()).toEqual([body])
    expect(locks.maxHeld).toBe(1)
    expect(outboxHolds(storage, body)).toBe(false)
  })

  it('where Web Locks refuse (opaque origin), conversions still go out, once', async () => {
    const refusing = new FakeLocks()
    refusing.request = (() => Promise.reject(new DOMException('denied', 'SecurityError'))) as FakeLocks['request']
    const t = tab({ locks: refusing })
    t.net.queue(503, 200)
    const body = conversionBody('o-1')
    expect(await t.delivery.sendConversion({ key: keyOf('o-1'), body })).toMatchObject({ status: 503 })
    await t.timers.runAll()
    await expect(t.delivery.flush()).resolves.toBeUndefined()
    expect(t.net.bodies()).toEqual([body, body])
    expect(outboxHolds(t.storage, body)).toBe(false)
  })

  it('a conversion made in one tab while the other retries a failed one waits for that probe, then goes once', async () => {
    const { net, inFlight, pendingBody, a: replaying, b: checkout } = await twoTabsWithPendingItem()
    const replay = replaying.delivery.flush()
    await settle()
    const body = conversionBody('o-2')
    // Stored, not sent: the destination failed last time and its probe is on the wire.
    expect(await checkout.delivery.sendConversion({ key: keyOf('o-2'), body })).toEqual({ status: 0 })
    expect(net.bodies()).toEqual([pendingBody])
    inFlight.open(200)
    await replay
    await settle()
    // The probe succeeded: the replaying tab sends the waiting sale right after it, once.
    expect(net.bodies()).toEqual([pendingBody, body])
    await replaying.timers.runAll()
    await checkout.timers.runAll()
    expect(net.bodies().filter((b) => b === body)).toHaveLength(1)
  })
})

// =============================================================================================
describe('first attempt answer; retries through the injected setTimeout', () => {
  it.each(KINDS)('%s resolves with the first answer; the retry waits for the fake timers', async (kind) => {
    const t = tab({ random: () => 0 }) // first wait: exactly 250 ms
    t.net.queue({ status: 503, json: { Status: 'DOWN' } }, { status: 200, json: { clickId: 'x' } })
    const s = sender(kind, t)
    const { answer } = s.send()
    expect(await answer).toEqual({ status: 503, body: { Status: 'DOWN' }, retryAfterMs: undefined })
    // Real time passes well beyond the backoff: nothing happens without the injected timers.
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(t.net.calls).toHaveLength(1)
    expect(t.timers.pending).toBe(1)
    await t.timers.advance(249)
    expect(t.net.calls).toHaveLength(1)
    await t.timers.advance(1)
    expect(t.net.calls).toHaveLength(2)
    // The promise stayed resolved with the first answer.
    expect(await answer).toMatchObject({ status: 503 })
    if (kind === 'pageLoad') expect(s.delivered).toHaveBeenCalledWith(expect.objectContaining({ status: 200 }))
  })

  it('a network error resolves as status 0 and never rejects', async () => {
    const t = tab()
    t.net.queue('network', 'network')
    await expect(t.delivery.sendPageLoad(pageLoadBody(), () => undefined)).resolves.toMatchObject({ status: 0 })
    await expect(t.delivery.sendConversion({ key: keyOf('o-1'), body: conversionBody('o-1') })).resolves.toMatchObject({
      status: 0,
    })
  })
})

// =============================================================================================
describe('a request still under way after 10 s (a slow or hanging relay)', () => {
  // Each call here reaches the relay: Chromium still delivers a keepalive request its page aborted
  // (queued or already sent), and a relay that has read a body forwards it anyway. So a second
  // call for one sale is a second payment, and none may be made while the first is under way.
  it.each([
    ['keepalive', ''],
    ['no keepalive (over 16 KiB)', '&Note=' + 'x'.repeat(20_000)],
  ])('with %s, it is waited for: never abandoned and sent again', async (_name, extra) => {
    const t = tab()
    const slow = gate()
    t.net.queue(slow)
    t.net.fallback = () => 202
    const body = conversionBody('o-slow') + extra
    const answer = t.delivery.sendConversion({ key: keyOf('o-slow'), body })
    await settle()
    await t.timers.advance(5 * 60_000)
    expect(t.net.calls).toHaveLength(1)
    slow.open(202)
    expect(await answer).toMatchObject({ status: 202 })
    await t.timers.runAll()
    expect(t.net.bodies()).toEqual([body])
    expect(outboxHolds(t.storage, body)).toBe(false)
  })

  it('a replay meanwhile (online, a wake-up for another sale) waits for it instead of sending it again', async () => {
    const t = tab()
    const slow = gate()
    t.net.queue(slow)
    t.net.fallback = () => 202
    const body = conversionBody('o-slow')
    const answer = t.delivery.sendConversion({ key: keyOf('o-slow'), body })
    await settle()
    // Past the 10 s the outbox holds an item in flight (IN_FLIGHT_MS): it counts as due again.
    await t.timers.advance(20_000)
    const replay = t.delivery.flush()
    await settle()
    expect(t.net.calls).toHaveLength(1)
    slow.open(503)
    expect(await answer).toMatchObject({ status: 503 })
    await replay
    // Then its retry, after the backoff, once.
    await t.timers.runAll()
    expect(t.net.bodies()).toEqual([body, body])
    expect(outboxHolds(t.storage, body)).toBe(false)
  })
})

// =============================================================================================
describe('stored retry times are clamped', () => {
  const stored = (now: number, next: unknown): string =>
    JSON.stringify([{ id: 'x', key: keyOf('o-1'), body: conversionBody('o-1'), attempts: 3, next, since: now }])

  it.each([
    ['a year ahead (a clock that was wrong)', (now: number) => now + 365 * 86_400_000],
    ['beyond what setTimeout can wait', () => 1e20],
    ['not a number', () => 'soon'],
  ])('a retry time %s counts as due: replayed at once, no timer over 2^31-1 ms', async (_name, next) => {
    const clock = new Clock()
    const storage = new MemoryStorage({ [OUTBOX_KEY]: stored(clock.t, next(clock.t)) })
    const t = tab({ storage, clock })
    t.net.fallback = () => 200
    await t.delivery.flush()
    expect(t.net.bodies()).toEqual([conversionBody('o-1')])
    await t.timers.advance(60_000)
    expect(t.net.bodies()).toHaveLength(1)
    expect(t.timers.delays.every((d) => d <= 60_000)).toBe(true)
    expect(outboxHolds(storage, conversionBody('o-1'))).toBe(false)
  })
})

describe('no work without a reason', () => {
  it.each([
    ['no outbox key', {}],
    ['an empty outbox', { [OUTBOX_KEY]: '[]' }],
  ])('a page load with %s takes no lock and reads storage once at most', async (_name, seed) => {
    const storage = new MemoryStorage(seed)
    const locks = new FakeLocks()
    const t = tab({ storage, locks })
    const parse = vi.spyOn(JSON, 'parse')
    try {
      await t.delivery.flush()
      expect(parse).not.toHaveBeenCalled()
    } finally {
      parse.mockRestore()
    }
    expect(storage.accesses).toBeLessThanOrEqual(1)
    expect(locks.granted).toBe(0)
    expect(t.timers.pending).toBe(0)
  })
})

describe('persist: false (a visitor who denied consent, sendWithoutConsent)', () => {
  it('touches no storage at all, retries in memory, and dedupes within the page', async () => {
    const storage = new MemoryStorage()
    const session = new MemoryStorage()
    const t = tab({ storage, sessionStorage: session })
    t.net.queue(503, 200)
    const body = conversionBody('o-1')
    expect(await t.delivery.sendConversion({ key: keyOf('o-1'), body }, { persist: false })).toMatchObject({
      status: 503,
    })
    expect(await t.delivery.sendConversion({ key: keyOf('o-1'), body }, { persist: false })).toBe('duplicate')
    await t.timers.runAll()
    expect(t.net.bodies()).toEqual([body, body])
    expect(await t.delivery.sendConversion({ key: keyOf('o-1'), body }, { persist: false })).toBe('duplicate')
    expect(storage.accesses).toBe(0)
    expect(session.accesses).toBe(0)
  })
})

describe('bodies over the keepalive limit', () => {
  it('go without keepalive, up to 64 KiB, and stay in the outbox until answered', async () => {
    const t = tab()
    const request = gate()
    t.net.queue(request)
    const body = conversionBody('o-big') + '&Note=' + 'x'.repeat(60_000)
    const answer = t.delivery.sendConversion({ key: keyOf('o-big'), body })
    await settle()
    expect(t.net.calls[0]!.init.keepalive).toBe(false)
    t.delivery.leave()
    expect(outboxHolds(t.storage, body)).toBe(true)
    request.open(200)
    expect(await answer).toMatchObject({ status: 200 })
    expect(outboxHolds(t.storage, body)).toBe(false)
  })
})

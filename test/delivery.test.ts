// Delivery, tested only through its stable API (createDelivery, the storage keys, MAX_ATTEMPTS,
// retryDelay, isRetryable) with injected fakes: no real network, no real timers for retries.
import { describe, expect, it, vi } from 'vitest'
import { createDelivery, OUTBOX_KEY, SENT_KEY, type Delivery, type DeliveryDeps } from '../src/delivery/delivery'
import { isRetryable, MAX_ATTEMPTS, retryDelay } from '../src/delivery/retry'
import { conversionKey } from '../src/delivery/outbox'
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
  spyLogger,
  stateOf,
  storedJsonHolds,
  ThrowingStorage,
  Timers,
  type Call,
  type Reply,
  type ScriptedFetch,
  type SpyLogger,
} from './support/delivery-fakes'

type Target = Parameters<typeof createDelivery>[1]
type Answer = Awaited<ReturnType<Delivery['sendPageLoad']>>

const PAGELOAD_URL = 'https://trkapi.impact.com/PageLoad'
const RELAY: Target = { url: '/impact/conversions' }
const EVENT_DATE = '2024-05-01T11:59:58.123Z'

const conversionBody = (orderId: string, eventDate = EVENT_DATE): string =>
  new URLSearchParams({
    CampaignId: '1000',
    EventTypeCode: 'Order Completed',
    EventDate: eventDate,
    OrderId: orderId,
    ClickId: 'abc-123',
    OrderSubTotalPostDiscount: '49.99',
    CurrencyCode: 'USD',
  }).toString()
const keyOf = (OrderId: string): string => conversionKey({ EventTypeCode: 'Order Completed', OrderId })
const pageLoadBody = (page = '/'): string =>
  new URLSearchParams({
    CampaignId: '1000',
    EventDate: EVENT_DATE,
    PageUrl: `https://shop.example.com${page}`,
  }).toString()

interface Tab {
  delivery: Delivery
  clock: Clock
  timers: Timers
  net: ScriptedFetch
  log: SpyLogger
  storage: Storage | undefined
}

interface TabOptions {
  storage?: Storage | undefined
  locks?: LockManager
  clock?: Clock
  random?: () => number
  target?: Target
  net?: ScriptedFetch
}

/** One page (one "tab") with its own timers and logger; storage, clock, locks and fetch may be shared. */
function tab(options: TabOptions = {}): Tab {
  const clock = options.clock ?? new Clock()
  const timers = new Timers(clock)
  const net = options.net ?? scriptedFetch()
  const log = spyLogger()
  const storage = 'storage' in options ? options.storage : new MemoryStorage()
  const deps: DeliveryDeps = {
    fetch: net.fetch,
    now: clock.now,
    random: options.random ?? sequenceRandom(),
    setTimeout: timers.setTimeout,
    storage: () => storage,
    locks: options.locks,
  }
  const delivery = createDelivery(PAGELOAD_URL, 'target' in options ? options.target : RELAY, log, deps)
  return { delivery, clock, timers, net, log, storage }
}

const outboxHolds = (storage: Storage | undefined, body: string): boolean =>
  !!storage && storedJsonHolds(storage, OUTBOX_KEY, body)

/** The two kinds of request, driven the same way for the table-driven tests. */
type Kind = 'pageLoad' | 'conversion'
function sender(kind: Kind, t: Tab) {
  const delivered = vi.fn((_answer: Answer) => undefined)
  let n = 0
  return {
    delivered,
    /** Sends a fresh body each time (new OrderId / page). */
    send(body = kind === 'pageLoad' ? pageLoadBody(`/p${++n}`) : conversionBody(`o-${++n}`)) {
      return {
        body,
        answer:
          kind === 'pageLoad'
            ? t.delivery.sendPageLoad(body, delivered)
            : t.delivery.sendConversion(keyOf(new URLSearchParams(body).get('OrderId') ?? body), body),
      }
    },
    url: kind === 'pageLoad' ? PAGELOAD_URL : RELAY!.url,
  }
}

const KINDS: Kind[] = ['pageLoad', 'conversion']
const statusReply = (status: number | 'network'): Reply => (status === 'network' ? 'network' : status)

// =============================================================================================
/** The one request shape for both endpoints: a form POST with keepalive and no credentials. */
function expectFormPost(call: Call | undefined, url: string, body: string): void {
  expect(call).toBeDefined()
  expect(call!.url).toBe(url)
  expect(call!.method).toBe('POST')
  expect(call!.headers.get('content-type')).toBe('application/x-www-form-urlencoded')
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
    await t.delivery.sendConversion(keyOf('o-1'), body)
    expect(t.net.calls).toHaveLength(1)
    expectFormPost(t.net.calls[0], '/impact/conversions', body)
  })

  it('conversion straight to Impact (opted in): carries the target Authorization', async () => {
    const url = 'https://api.impact.com/Advertisers/IRsid/Conversions'
    const t = tab({ target: { url, authorization: 'Basic SVJzaWQ6dG9r' } })
    t.net.queue(200)
    await t.delivery.sendConversion(keyOf('o-1'), conversionBody('o-1'))
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
describe.each(KINDS)('status matrix: %s', (kind) => {
  it.each([
    [200, { clickId: 'c-200', Status: 'QUEUED' }],
    [201, { clickId: 'c-201' }],
    [204, undefined],
  ])('%i is delivered after one attempt', async (status, json) => {
    const t = tab()
    t.net.queue({ status, json })
    const s = sender(kind, t)
    const { body, answer } = s.send()
    const first = await answer
    expect(first).toMatchObject({ status })
    if (json !== undefined) expect(first).toMatchObject({ body: json })
    await t.timers.runAll()
    await t.timers.advance(3_600_000)
    expect(t.net.calls).toHaveLength(1)
    expect(t.net.calls[0]!.url).toBe(s.url)
    expect(t.timers.pending).toBe(0)
    expect(t.log.warn).not.toHaveBeenCalled()
    expect(t.log.error).not.toHaveBeenCalled()
    if (kind === 'pageLoad') {
      expect(s.delivered).toHaveBeenCalledTimes(1)
      expect(s.delivered.mock.calls[0]![0]).toMatchObject({ status })
      expect(s.delivered.mock.calls[0]![0].body).toEqual(json)
    } else {
      expect(outboxHolds(t.storage, body)).toBe(false)
    }
  })

  it.each(['network', 408, 429, 500, 502, 503] as const)('%s is retried, then delivered', async (status) => {
    const t = tab()
    t.net.queue(statusReply(status), { status: 200, json: { clickId: 'late' } })
    const s = sender(kind, t)
    const { body, answer } = s.send()
    expect(await answer).toMatchObject({ status: status === 'network' ? 0 : status })
    expect(t.net.calls).toHaveLength(1)
    expect(s.delivered).not.toHaveBeenCalled()
    if (kind === 'conversion') expect(outboxHolds(t.storage, body)).toBe(true)
    expect(t.timers.pending).toBe(1)

    await t.timers.runAll()
    expect(t.net.calls).toHaveLength(2)
    expect(t.net.calls[1]!.body).toBe(body)
    expect(t.net.calls[1]!.url).toBe(s.url)
    if (kind === 'pageLoad') {
      expect(s.delivered).toHaveBeenCalledTimes(1)
      expect(s.delivered.mock.calls[0]![0]).toMatchObject({ status: 200, body: { clickId: 'late' } })
    } else {
      expect(outboxHolds(t.storage, body)).toBe(false)
    }
    expect(t.log.warn).not.toHaveBeenCalled()
  })

  it.each([400, 401, 403, 404, 409, 422])('%i is dropped after one attempt and reported', async (status) => {
    const t = tab()
    t.net.queue({ status, json: { Status: 'ERROR', Message: 'bad request' } })
    const s = sender(kind, t)
    const { body, answer } = s.send()
    expect(await answer).toMatchObject({ status })
    await t.timers.runAll()
    await t.timers.advance(3_600_000)
    await t.delivery.flush()
    expect(t.net.calls).toHaveLength(1)
    expect(t.timers.pending).toBe(0)
    expect(s.delivered).not.toHaveBeenCalled()
    if (kind === 'conversion') {
      expect(t.log.warn).toHaveBeenCalledTimes(1)
      expect(String(t.log.warn.mock.calls[0]![0])).toContain(String(status))
      expect(outboxHolds(t.storage, body)).toBe(false)
    } else {
      expect(t.log.messages().some((m) => m.includes(String(status)))).toBe(true)
    }
  })

  it(`is attempted at most MAX_ATTEMPTS (${MAX_ATTEMPTS}) times, then dropped and reported`, async () => {
    expect(MAX_ATTEMPTS).toBe(10)
    const t = tab()
    t.net.fallback = () => 503
    let messagesBeforeLast = -1
    t.net.onRequest = () => {
      if (t.net.calls.length === MAX_ATTEMPTS) messagesBeforeLast = t.log.messages().length
    }
    const s = sender(kind, t)
    const { body, answer } = s.send()
    expect(await answer).toMatchObject({ status: 503 })
    await t.timers.runAll()
    await t.timers.advance(24 * 3_600_000)
    await t.delivery.flush()
    await t.timers.runAll()
    expect(t.net.calls).toHaveLength(MAX_ATTEMPTS)
    expect(t.net.calls.every((c) => c.body === body)).toBe(true)
    expect(t.timers.pending).toBe(0)
    expect(s.delivered).not.toHaveBeenCalled()
    // Reported after the last attempt.
    expect(t.log.messages().length).toBeGreaterThan(messagesBeforeLast)
    expect(
      t.log
        .messages()
        .slice(messagesBeforeLast)
        .some((m) => m.includes('503')),
    ).toBe(true)
    if (kind === 'conversion') {
      expect(t.log.warn).toHaveBeenCalledTimes(1)
      expect(outboxHolds(t.storage, body)).toBe(false)
    }
  })
})

describe('isRetryable', () => {
  it.each([
    [0, true],
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [422, false],
  ])('%i -> %s', (status, retryable) => {
    expect(isRetryable(status)).toBe(retryable)
  })
})

// =============================================================================================
describe('backoff', () => {
  const exp = (attempt: number): number => Math.min(60_000, 500 * 2 ** (attempt - 1))
  const ALMOST_ONE = 1 - 1e-9

  it('retryDelay: 0.5 s doubling, equal jitter inside [exp/2, exp], capped at 60 s', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      expect(retryDelay(attempt, () => 0)).toBeCloseTo(exp(attempt) / 2, 3)
      expect(retryDelay(attempt, () => ALMOST_ONE)).toBeCloseTo(exp(attempt), 3)
      const mid = retryDelay(attempt, () => 0.5)
      expect(mid).toBeGreaterThanOrEqual(exp(attempt) / 2)
      expect(mid).toBeLessThanOrEqual(exp(attempt))
    }
    expect(retryDelay(1, () => 0)).toBe(250)
    expect(retryDelay(2, () => 0)).toBe(500)
    expect(retryDelay(30, () => ALMOST_ONE)).toBeLessThanOrEqual(60_000)
  })

  it('retryDelay: Retry-After wins, capped at 60 s', () => {
    expect(retryDelay(1, () => 0.5, 5_000)).toBe(5_000)
    expect(retryDelay(1, () => 0.5, 600_000)).toBe(60_000)
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      expect(retryDelay(attempt, () => 0.5, 5_000)).toBeGreaterThanOrEqual(5_000)
      expect(retryDelay(attempt, () => 0.5, 600_000)).toBe(60_000)
    }
  })

  describe.each(KINDS)('%s', (kind) => {
    it.each([
      ['random 0 (lower bound exp/2)', 0],
      ['random ~1 (upper bound exp)', ALMOST_ONE],
    ])('waits follow the schedule with %s', async (_name, r) => {
      const t = tab({ random: () => r })
      t.net.fallback = () => 503
      await sender(kind, t).send().answer
      await t.timers.runAll()
      expect(t.net.calls).toHaveLength(MAX_ATTEMPTS)
      expect(t.timers.delays).toHaveLength(MAX_ATTEMPTS - 1)
      t.timers.delays.forEach((delay, i) => {
        const e = exp(i + 1)
        expect(delay).toBeGreaterThanOrEqual(e / 2 - 1e-6)
        expect(delay).toBeLessThanOrEqual(e + 1e-6)
        expect(delay).toBeCloseTo(r === 0 ? e / 2 : e, 2)
        expect(delay).toBeLessThanOrEqual(60_000)
      })
      // Doubling until the cap.
      expect(t.timers.delays.slice(0, 4).map(Math.round)).toEqual(
        r === 0 ? [250, 500, 1_000, 2_000] : [500, 1_000, 2_000, 4_000],
      )
    })

    it.each([
      ['5', 5_000],
      ['600', 60_000],
    ])('a 429 with Retry-After: %s waits %i ms', async (header, wait) => {
      const t = tab({ random: () => 0.5 })
      t.net.queue({ status: 429, headers: { 'Retry-After': header } }, 200)
      await sender(kind, t).send().answer
      expect(t.timers.delays).toEqual([wait])
      await t.timers.advance(wait - 1)
      expect(t.net.calls).toHaveLength(1)
      await t.timers.advance(1)
      expect(t.net.calls).toHaveLength(2)
    })

    it('a 503 with Retry-After is honoured too', async () => {
      const t = tab({ random: () => 0.5 })
      t.net.queue({ status: 503, headers: { 'Retry-After': '7' } }, 200)
      await sender(kind, t).send().answer
      expect(t.timers.delays).toEqual([7_000])
    })
  })
})

// =============================================================================================
describe('outbox', () => {
  it('holds the conversion before fetch is first called, and drops it after success', async () => {
    const t = tab()
    const body = conversionBody('o-1')
    const seenInside: boolean[] = []
    t.net.onRequest = () => seenInside.push(outboxHolds(t.storage, body))
    t.net.queue(200)
    await t.delivery.sendConversion(keyOf('o-1'), body)
    expect(seenInside).toEqual([true])
    expect(outboxHolds(t.storage, body)).toBe(false)
  })

  it('keeps it after a retryable failure; the next page load replays it with flush(), same body', async () => {
    const storage = new MemoryStorage()
    const clock = new Clock()
    const page1 = tab({ storage, clock })
    const body = conversionBody('o-1', EVENT_DATE)
    page1.net.queue('network')
    expect(await page1.delivery.sendConversion(keyOf('o-1'), body)).toMatchObject({ status: 0 })
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
    expect(await page2.delivery.sendConversion(keyOf('o-1'), body)).toBe('duplicate')
  })

  it('counts attempts across page loads: MAX_ATTEMPTS in total, not per page', async () => {
    const storage = new MemoryStorage()
    const clock = new Clock()
    const page1 = tab({ storage, clock })
    page1.net.fallback = () => 503
    const body = conversionBody('o-1')
    await page1.delivery.sendConversion(keyOf('o-1'), body)
    await page1.timers.advance(500) // 2nd attempt (first wait is at most 500 ms)
    await page1.timers.advance(1_000) // 3rd
    await page1.timers.advance(2_000) // 4th
    expect(page1.net.calls).toHaveLength(4)
    expect(outboxHolds(storage, body)).toBe(true)

    clock.t += 120_000
    const page2 = tab({ storage, clock })
    page2.net.fallback = () => 503
    await page2.delivery.flush()
    await page2.timers.runAll()
    expect(page2.net.calls).toHaveLength(MAX_ATTEMPTS - 4)
    expect(page2.log.warn).toHaveBeenCalledTimes(1)
    expect(outboxHolds(storage, body)).toBe(false)
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
      expect(await t.delivery.sendConversion(keyOf(`o-${i}`), bodies[i]!)).toMatchObject({ status: 503 })
      t.clock.t += 1
    }
    expect(bodies.every((b) => outboxHolds(storage, b))).toBe(true)
    expect(t.log.warn).not.toHaveBeenCalled()

    const newest = conversionBody('o-100')
    expect(await t.delivery.sendConversion(keyOf('o-100'), newest)).toMatchObject({ status: 503 })
    expect(t.log.warn).toHaveBeenCalledTimes(1)
    expect(outboxHolds(storage, bodies[0]!)).toBe(false)
    expect(outboxHolds(storage, newest)).toBe(true)
    expect(bodies.slice(1).every((b) => outboxHolds(storage, b))).toBe(true)
    const stored = JSON.parse(storage.getItem(OUTBOX_KEY)!) as unknown[]
    expect(stored).toHaveLength(100)
    // The second oldest is still waiting; the oldest is gone, so it is no longer a duplicate.
    expect(await t.delivery.sendConversion(keyOf('o-1'), bodies[1]!)).toBe('duplicate')
    expect(await t.delivery.sendConversion(keyOf('o-0'), bodies[0]!)).not.toBe('duplicate')
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
      expect(await t.delivery.sendConversion(keyOf('o-1'), body)).toMatchObject({ status: 503 })
      expect(outboxHolds(storage, body)).toBe(true)
      await t.timers.runAll()
      expect(t.net.bodies()).toEqual([body, body])
      expect(outboxHolds(storage, body)).toBe(false)
      expect(await t.delivery.sendConversion(keyOf('o-1'), body)).toBe('duplicate')
      await expect(t.delivery.flush()).resolves.toBeUndefined()
      // A next page load on the same storage is fine too.
      const page2 = tab({ storage })
      page2.net.queue(200)
      expect(await page2.delivery.sendConversion(keyOf('o-2'), conversionBody('o-2'))).toMatchObject({ status: 200 })
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
      const first = t.delivery.sendConversion(keyOf('o-1'), body)
      await expect(first).resolves.toMatchObject({ status: 0 })
      expect(storage.attempts).toBeGreaterThan(0)
      expect(await t.delivery.sendConversion(keyOf('o-1'), body)).toBe('duplicate')
      await t.timers.runAll()
      expect(t.net.bodies()).toEqual([body, body])
      expect(await t.delivery.sendConversion(keyOf('o-1'), body)).toBe('duplicate')
      expect(await t.delivery.sendConversion(keyOf('o-2'), conversionBody('o-2'))).toMatchObject({ status: 200 })
      await expect(t.delivery.flush()).resolves.toBeUndefined()
      t.net.queue(200)
      await expect(t.delivery.sendPageLoad(pageLoadBody(), () => undefined)).resolves.toMatchObject({ status: 200 })
    })

    it('works the same when there is no storage at all', async () => {
      const t = tab({ storage: undefined })
      t.net.queue(503, 200)
      const body = conversionBody('o-1')
      expect(await t.delivery.sendConversion(keyOf('o-1'), body)).toMatchObject({ status: 503 })
      expect(await t.delivery.sendConversion(keyOf('o-1'), body)).toBe('duplicate')
      await t.timers.runAll()
      expect(t.net.bodies()).toEqual([body, body])
      expect(await t.delivery.sendConversion(keyOf('o-1'), body)).toBe('duplicate')
    })

    it('with the real logger nothing reaches the console as an error', async () => {
      const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
      try {
        const clock = new Clock()
        const timers = new Timers(clock)
        const net = scriptedFetch().queue(200)
        const delivery = createDelivery(PAGELOAD_URL, RELAY, createLogger(false), {
          fetch: net.fetch,
          now: clock.now,
          random: sequenceRandom(),
          setTimeout: timers.setTimeout,
          storage: () => new ThrowingStorage(),
          locks: new FakeLocks(),
        })
        expect(await delivery.sendConversion(keyOf('o-1'), conversionBody('o-1'))).toMatchObject({ status: 200 })
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
      await earlier.delivery.sendConversion(keyOf('o-1'), conversionBody('o-1'))

      storage.fill()
      clock.t += 3_600_000
      const t = tab({ storage, clock })
      t.net.fallback = () => 200
      const body = conversionBody('o-2')
      const answer = t.delivery.sendConversion(keyOf('o-2'), body)
      await t.timers.advance(60_000)
      expect(t.net.bodies()).toEqual([body])
      expect(await stateOf(answer)).toEqual({ value: expect.objectContaining({ status: 200 }) })
    })

    it('a pending conversion from an earlier page is delivered once, not resent in a loop', async () => {
      const storage = new MemoryStorage()
      const clock = new Clock()
      const earlier = tab({ storage, clock })
      earlier.net.queue(200, 503)
      await earlier.delivery.sendConversion(keyOf('o-1'), conversionBody('o-1'))
      const body = conversionBody('o-2')
      await earlier.delivery.sendConversion(keyOf('o-2'), body)
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
      await earlier.delivery.sendConversion(keyOf('o-1'), body)

      storage.fill()
      clock.t += 60_000
      // The reloaded thank-you page: another conversion first (its outbox write fails), then the
      // order already delivered.
      const t = tab({ storage, clock })
      t.net.fallback = () => 200
      expect(await t.delivery.sendConversion('Application Installed|a-1', conversionBody('a-1'))).toMatchObject({
        status: 200,
      })
      expect(await t.delivery.sendConversion(keyOf('o-1'), body)).toBe('duplicate')
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
    const a = t.delivery.sendConversion(keyOf('o-1'), body)
    const b = t.delivery.sendConversion(keyOf('o-1'), body)
    expect(await b).toBe('duplicate')
    expect(await a).toMatchObject({ status: 200 })
    expect(await t.delivery.sendConversion(keyOf('o-1'), body)).toBe('duplicate')
    await t.timers.runAll()
    expect(t.net.calls).toHaveLength(1)
  })

  it('a key waiting for a retry is a duplicate too', async () => {
    const t = tab()
    t.net.queue(503, 200)
    const body = conversionBody('o-1')
    await t.delivery.sendConversion(keyOf('o-1'), body)
    expect(await t.delivery.sendConversion(keyOf('o-1'), body)).toBe('duplicate')
    await t.timers.runAll()
    expect(t.net.calls).toHaveLength(2)
  })

  it('a reloaded thank-you page (new instance, same storage) sends nothing within 24 h; another key still goes', async () => {
    const storage = new MemoryStorage()
    const clock = new Clock()
    const page1 = tab({ storage, clock })
    page1.net.queue(200)
    const body = conversionBody('o-1')
    expect(await page1.delivery.sendConversion(keyOf('o-1'), body)).toMatchObject({ status: 200 })

    const deliveredAt = clock.t
    for (const later of [1_000, 3_600_000, 24 * 3_600_000 - 1]) {
      clock.t = deliveredAt + later
      const reloaded = tab({ storage, clock })
      expect(await reloaded.delivery.sendConversion(keyOf('o-1'), body)).toBe('duplicate')
      await reloaded.delivery.flush()
      await reloaded.timers.runAll()
      expect(reloaded.net.calls).toHaveLength(0)
    }

    const other = tab({ storage, clock })
    other.net.queue(200)
    const body2 = conversionBody('o-2')
    expect(await other.delivery.sendConversion(keyOf('o-2'), body2)).toMatchObject({ status: 200 })
    expect(other.net.bodies()).toEqual([body2])
  })

  it('the same OrderId under another event type is another conversion', async () => {
    const t = tab()
    t.net.fallback = () => 200
    await t.delivery.sendConversion('Order Completed|o-1', conversionBody('o-1'))
    expect(await t.delivery.sendConversion('Application Installed|o-1', conversionBody('o-1'))).toMatchObject({
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
    void page1.delivery.sendConversion(keyOf('o-1'), body, options.final)
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
    expect(await page2.delivery.sendConversion(keyOf('o-1'), body)).toBe('duplicate')
    expect(page2.net.calls).toHaveLength(0)
    expect(outboxHolds(storage, body)).toBe(false)
    expect(page1.timers.pending).toBe(0)
  })

  it('the same when the navigation failed the fetch in this page just before pagehide', async () => {
    const body = conversionBody('o-1')
    const { page2, storage } = await leaveWith(body, { onTheWire: true, failFirst: true })
    expect(page2.net.calls).toHaveLength(0)
    expect(outboxHolds(storage, body)).toBe(false)
    expect(await page2.delivery.sendConversion(keyOf('o-1'), body)).toBe('duplicate')
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
    'leaving after a failed attempt (%s) keeps it queued for its retry',
    async (failure) => {
      const t = tab()
      t.net.queue(failure, 200)
      const body = conversionBody('o-1')
      await t.delivery.sendConversion(keyOf('o-1'), body)
      // A real failure is over before the page leaves (at least a task later).
      await new Promise((resolve) => setTimeout(resolve, 5))
      t.delivery.leave()
      expect(outboxHolds(t.storage, body)).toBe(true)
      await t.timers.runAll()
      expect(t.net.bodies()).toEqual([body, body])
    },
  )
})

// =============================================================================================
describe('two tabs sharing storage and Web Locks', () => {
  async function pendingItem(storage: MemoryStorage, clock: Clock, orderId = 'o-1'): Promise<string> {
    const page0 = tab({ storage, clock })
    page0.net.queue(503)
    const body = conversionBody(orderId)
    await page0.delivery.sendConversion(keyOf(orderId), body)
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
    expect(await t.delivery.sendConversion(keyOf('o-1'), body)).toMatchObject({ status: 503 })
    await t.timers.runAll()
    await expect(t.delivery.flush()).resolves.toBeUndefined()
    expect(t.net.bodies()).toEqual([body, body])
    expect(outboxHolds(t.storage, body)).toBe(false)
  })

  it('a conversion made in one tab while the other replays is sent once, and its promise settles', async () => {
    const { net, inFlight, pendingBody, a: replaying, b: checkout } = await twoTabsWithPendingItem()
    const replay = replaying.delivery.flush()
    await settle()
    const body = conversionBody('o-2')
    const answer = checkout.delivery.sendConversion(keyOf('o-2'), body)
    inFlight.open(200)
    await replay
    await settle()
    expect(net.bodies().filter((b) => b === pendingBody)).toHaveLength(1)
    expect(net.bodies().filter((b) => b === body)).toHaveLength(1)
    // "resolves with the first attempt's answer" (made, successfully, by the other tab): no hang.
    const state = await stateOf(answer)
    expect(state).not.toBe('pending')
    const settled = state === 'pending' ? undefined : state.value
    expect(settled).not.toBe('duplicate')
    const status = typeof settled === 'object' ? settled.status : -1
    expect(status).toBeGreaterThanOrEqual(200)
    expect(status).toBeLessThan(300)
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
    await expect(t.delivery.sendConversion(keyOf('o-1'), conversionBody('o-1'))).resolves.toMatchObject({
      status: 0,
    })
  })
})

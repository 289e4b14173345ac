// Retries of both pipelines, through delivery's public API with injected fakes: which answers are
// retried, kept or dropped, the backoff schedule, Retry-After in both forms, and the bounds.
import { describe, expect, it } from 'vitest'
import { dropsSale, isRetryable, MAX_ATTEMPTS, MAX_DELAY_MS, retryDelay } from '../src/delivery/retry'
import { retryAfterMs } from '../src/delivery/transport'
import { MemoryStorage } from './support/delivery-fakes'
import { conversionBody, keyOf, KINDS, outboxHolds, sender, statusReply, tab } from './support/delivery-tab'

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
    await t.timers.advance(0) // a task later
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

  it.each(kind === 'pageLoad' ? [400, 401, 403, 404, 409, 413, 422] : [400, 413, 422])(
    '%i is dropped after one attempt and reported',
    async (status) => {
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
    },
  )

  if (kind === 'conversion')
    it.each([401, 403, 404, 409])(
      '%i (a relay misconfigured) keeps the sale until the relay is fixed',
      async (status) => {
        const t = tab()
        const fixedAt = t.clock.t + 3_600_000
        t.net.fallback = () => (t.clock.t < fixedAt ? status : 200)
        const { body, answer } = sender(kind, t).send()
        expect(await answer).toMatchObject({ status })
        await t.timers.advance(3_600_000 + 60_000)
        expect(t.net.calls.length).toBeGreaterThan(MAX_ATTEMPTS)
        expect(t.net.bodies().every((b) => b === body)).toBe(true)
        expect(outboxHolds(t.storage, body)).toBe(false)
        await t.timers.advance(0)
        expect(t.timers.pending).toBe(0)
        expect(t.log.warn).not.toHaveBeenCalled()
      },
    )
})

describe('how long retries go on', () => {
  it(`a PageLoad is attempted at most MAX_ATTEMPTS (${MAX_ATTEMPTS}) times, then dropped and reported`, async () => {
    expect(MAX_ATTEMPTS).toBe(10)
    const t = tab()
    t.net.fallback = () => 503
    let messagesBeforeLast = -1
    t.net.onRequest = () => {
      if (t.net.calls.length === MAX_ATTEMPTS) messagesBeforeLast = t.log.messages().length
    }
    const s = sender('pageLoad', t)
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
  })

  it('a conversion is never dropped for a retryable answer: the relay down 20 minutes, the sale arrives once after', async () => {
    const t = tab()
    const backAt = t.clock.t + 20 * 60_000
    t.net.fallback = () => (t.clock.t < backAt ? 503 : 200)
    const body = conversionBody('o-outage')
    expect(await t.delivery.sendConversion({ key: keyOf('o-outage'), body })).toMatchObject({ status: 503 })
    await t.timers.advance(20 * 60_000 + 60_000)
    const late = t.net.calls.length
    expect(late).toBeGreaterThan(MAX_ATTEMPTS)
    expect(t.net.bodies().every((b) => b === body)).toBe(true)
    expect(outboxHolds(t.storage, body)).toBe(false)
    // Retries stop once it is delivered, and no wait was ever longer than the cap.
    await t.timers.advance(3_600_000)
    expect(t.net.calls).toHaveLength(late)
    expect(Math.max(...t.timers.delays)).toBeLessThanOrEqual(MAX_DELAY_MS)
    expect(t.log.warn).not.toHaveBeenCalled()
  })

  it('a conversion still undelivered after 30 days is dropped and reported', async () => {
    const storage = new MemoryStorage()
    const page1 = tab({ storage })
    page1.net.fallback = () => 503
    const body = conversionBody('o-old')
    await page1.delivery.sendConversion({ key: keyOf('o-old'), body })
    // Visits every 10 days, the relay still down.
    const storedAt = page1.clock.t
    for (const day of [10, 20, 29]) {
      const visit = tab({ storage, clock: page1.clock })
      visit.clock.t = storedAt + day * 86_400_000
      visit.net.fallback = () => 503
      void visit.delivery.flush()
      await visit.timers.advance(1_000)
      expect(visit.net.bodies()).toContain(body)
      expect(visit.log.warn).not.toHaveBeenCalled()
    }
    const last = tab({ storage, clock: page1.clock })
    last.clock.t = storedAt + 30 * 86_400_000
    last.net.fallback = () => 200
    await last.delivery.flush()
    await last.timers.advance(60_000)
    expect(last.net.calls).toHaveLength(0)
    expect(outboxHolds(storage, body)).toBe(false)
    expect(last.log.warn).toHaveBeenCalledWith(expect.stringContaining('o-old'))
  })
})

describe('classification', () => {
  it.each([0, 408, 429, 500, 502, 503, 504])('%i is retried (both pipelines)', (status) => {
    expect(isRetryable(status)).toBe(true)
    expect(dropsSale(status)).toBe(false)
  })

  it.each([400, 401, 403, 404, 409, 413, 422])('%i is not retried for a PageLoad', (status) => {
    expect(isRetryable(status)).toBe(false)
  })

  it.each([
    [400, true],
    [413, true],
    [422, true],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [0, false],
    [503, false],
  ])('%i drops a sale: %s', (status, drops) => {
    expect(dropsSale(status)).toBe(drops)
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
    expect(retryDelay(5_000, () => ALMOST_ONE)).toBeLessThanOrEqual(60_000)
  })

  it('retryDelay: Retry-After wins, capped at 60 s', () => {
    expect(retryDelay(1, () => 0.5, 5_000)).toBe(5_000)
    expect(retryDelay(1, () => 0.5, 600_000)).toBe(60_000)
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      expect(retryDelay(attempt, () => 0.5, 5_000)).toBeGreaterThanOrEqual(5_000)
      expect(retryDelay(attempt, () => 0.5, 600_000)).toBe(60_000)
    }
  })

  it('Retry-After: delay-seconds and the HTTP-date form; junk is ignored', () => {
    const now = Date.UTC(2024, 4, 1, 12, 0, 0)
    expect(retryAfterMs('7', now)).toBe(7_000)
    expect(retryAfterMs(new Date(now + 7_000).toUTCString(), now)).toBe(7_000)
    expect(retryAfterMs('Wed, 01 May 2024 12:00:42 GMT', now)).toBe(42_000)
    expect(retryAfterMs(new Date(now - 60_000).toUTCString(), now)).toBe(0)
    expect(retryAfterMs('soon', now)).toBeUndefined()
    expect(retryAfterMs(null, now)).toBeUndefined()
  })

  describe.each(KINDS)('%s', (kind) => {
    it.each([
      ['random 0 (lower bound exp/2)', 0],
      ['random ~1 (upper bound exp)', ALMOST_ONE],
    ])('waits follow the schedule with %s', async (_name, r) => {
      const t = tab({ random: () => r })
      t.net.fallback = () => 503
      // The waits, measured between requests (a conversion's replays also set the lock's timers).
      const sentAt: number[] = []
      t.net.onRequest = () => sentAt.push(t.clock.t)
      await sender(kind, t).send().answer
      while (t.net.calls.length < MAX_ATTEMPTS) await t.timers.step()
      expect(t.net.calls).toHaveLength(MAX_ATTEMPTS)
      const waits = sentAt.slice(1).map((at, i) => at - sentAt[i]!)
      waits.forEach((delay, i) => {
        const e = exp(i + 1)
        expect(delay).toBeGreaterThanOrEqual(e / 2 - 1e-6)
        expect(delay).toBeLessThanOrEqual(e + 1e-6)
        expect(delay).toBeCloseTo(r === 0 ? e / 2 : e, 2)
        expect(delay).toBeLessThanOrEqual(60_000)
      })
      // Doubling until the cap.
      expect(waits.slice(0, 4).map(Math.round)).toEqual(r === 0 ? [250, 500, 1_000, 2_000] : [500, 1_000, 2_000, 4_000])
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

    it('a Retry-After HTTP date 42 s ahead waits 42 s', async () => {
      const t = tab({ random: () => 0.5 })
      const date = new Date(t.clock.t + 42_000).toUTCString()
      t.net.queue({ status: 503, headers: { 'Retry-After': date } }, 200)
      await sender(kind, t).send().answer
      expect(t.timers.delays).toEqual([42_000])
      await t.timers.advance(41_999)
      expect(t.net.calls).toHaveLength(1)
      await t.timers.advance(1)
      expect(t.net.calls).toHaveLength(2)
    })
  })
})

// A reloaded thank-you page sends nothing new, also when localStorage refuses the plugin's writes:
// sent keys then go to sessionStorage, and where that is full too, to a compact cookie.
import { describe, expect, it } from 'vitest'
import { SENT_COOKIE, SENT_KEY, SENT_LIMIT, SENT_TTL_MS } from '../src/delivery/sent-keys'
import { Clock, FakeFallbackStore, MemoryStorage } from './support/delivery-fakes'
import { conversionBody, keyOf, tab, type TabOptions } from './support/delivery-tab'

/** Order, reload, the same order again: what the two pages sent. */
async function orderThenReload(options: Omit<TabOptions, 'clock'>, reloadAfterMs = 60_000): Promise<string[]> {
  const clock = new Clock()
  const page1 = tab({ ...options, clock })
  page1.net.fallback = () => 200
  const body = conversionBody('o-1')
  expect(await page1.delivery.sendConversion({ key: keyOf('o-1'), body })).toMatchObject({ status: 200 })
  clock.t += reloadAfterMs
  const page2 = tab({ ...options, clock })
  page2.net.fallback = () => 200
  await page2.delivery.sendConversion({ key: keyOf('o-1'), body })
  await page2.timers.advance(60_000)
  return [...page1.net.bodies(), ...page2.net.bodies()]
}

/** A storage that is full from the start: nothing may grow it. */
function fullStorage(): MemoryStorage {
  const storage = new MemoryStorage()
  storage.fill()
  return storage
}

describe('sent memory', () => {
  it('a thank-you page reopened three days later (from the order e-mail) sends nothing', async () => {
    expect(await orderThenReload({ storage: new MemoryStorage() }, 3 * 86_400_000)).toHaveLength(1)
  })

  it('still remembers after 29 days, forgets after 30', async () => {
    expect(await orderThenReload({ storage: new MemoryStorage() }, 29 * 86_400_000)).toHaveLength(1)
    expect(await orderThenReload({ storage: new MemoryStorage() }, SENT_TTL_MS)).toHaveLength(2)
  })

  it(`keeps at most ${SENT_LIMIT} keys, the newest`, async () => {
    const storage = new MemoryStorage()
    const clock = new Clock()
    const old: Record<string, number> = {}
    for (let i = 0; i < SENT_LIMIT + 50; i++) old[keyOf(`old-${i}`)] = clock.t - (SENT_LIMIT + 50 - i) * 1000
    storage.setItem(SENT_KEY, JSON.stringify(old))
    const t = tab({ storage, clock })
    t.net.fallback = () => 200
    await t.delivery.sendConversion({ key: keyOf('new-1'), body: conversionBody('new-1') })
    const kept = Object.keys(JSON.parse(storage.getItem(SENT_KEY)!) as object)
    expect(kept).toHaveLength(SENT_LIMIT)
    expect(kept).toContain(keyOf('new-1'))
    expect(kept).toContain(keyOf(`old-${SENT_LIMIT + 49}`))
    expect(kept).not.toContain(keyOf('old-0'))
  })
})

describe('sent keys when localStorage is full', () => {
  it('fall back to sessionStorage: the reload sends nothing', async () => {
    const session = new MemoryStorage()
    const sent = await orderThenReload({ storage: fullStorage(), sessionStorage: session })
    expect(sent).toHaveLength(1)
    expect(session.getItem('impact_sent_orders')).toContain(keyOf('o-1'))
  })

  it('with sessionStorage full too, fall back to a compact cookie: the reload sends nothing', async () => {
    const cookies = new FakeFallbackStore()
    const sent = await orderThenReload({ storage: fullStorage(), sessionStorage: fullStorage(), sentFallback: cookies })
    expect(sent).toHaveLength(1)
    const value = cookies.get(SENT_COOKIE)!
    expect(value).toMatch(/^[0-9a-z]+:[0-9a-z]+$/)
    expect(value).not.toContain('o-1')
  })

  it('the cookie keeps the newest 20 keys and forgets a key after 30 days', async () => {
    const cookies = new FakeFallbackStore()
    const options = { storage: fullStorage(), sessionStorage: fullStorage(), sentFallback: cookies }
    const clock = new Clock()
    const t = tab({ ...options, clock })
    t.net.fallback = () => 200
    for (let i = 0; i < 25; i++)
      await t.delivery.sendConversion({ key: keyOf(`o-${i}`), body: conversionBody(`o-${i}`) })
    expect(cookies.get(SENT_COOKIE)!.split('.')).toHaveLength(20)
    clock.t += 60_000
    const reload = tab({ ...options, clock })
    reload.net.fallback = () => 200
    expect(await reload.delivery.sendConversion({ key: keyOf('o-24'), body: conversionBody('o-24') })).toBe('duplicate')
    clock.t += SENT_TTL_MS
    const later = tab({ ...options, clock })
    later.net.fallback = () => 200
    expect(await later.delivery.sendConversion({ key: keyOf('o-24'), body: conversionBody('o-24') })).not.toBe(
      'duplicate',
    )
  })

  it('another order still goes out after a reload that fell back', async () => {
    const session = new MemoryStorage()
    const storage = fullStorage()
    await orderThenReload({ storage, sessionStorage: session })
    const t = tab({ storage, sessionStorage: session })
    t.net.fallback = () => 200
    expect(await t.delivery.sendConversion({ key: keyOf('o-2'), body: conversionBody('o-2') })).toMatchObject({
      status: 200,
    })
  })
})

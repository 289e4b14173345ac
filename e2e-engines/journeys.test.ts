/**
 * The journeys that decide money, in Firefox and WebKit, against the demo shop: real
 * analytics-next, the plugin's CDN bundle, the real relay and the strict fake Impact. One demo, one
 * browser per engine; every request leaves the browser through the guard proxy.
 * `ENGINES=firefox` (or `webkit`) runs one engine: `npm run test:firefox`, `npm run test:webkit`.
 */
import { createHash } from 'node:crypto'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startDemo, type Demo } from '../demo/server'
import type { LogEntry } from '../demo/fake-impact/index'
import type { EngineBrowser, EnginePage, LaunchOptions } from './engine'
import { launchFirefox } from './firefox'
import { HIDDEN_HTTPS, startGuardProxy, type GuardProxy } from './guard-proxy'
import { launchWebKit } from './webkit'

const LAUNCHERS: Record<string, (options: LaunchOptions) => Promise<EngineBrowser>> = {
  firefox: launchFirefox,
  webkit: launchWebKit,
}
const selected = (process.env.ENGINES ?? 'firefox,webkit').split(',').filter(Boolean)
const unknown = selected.filter((name) => !LAUNCHERS[name])
if (unknown.length > 0) throw new Error(`ENGINES: unknown ${unknown.join(', ')} (firefox, webkit)`)

// Beside Playwright's demo (E2E_PORT) and fake Impact (E2E_PORT + 1), so both suites may run at once.
const BASE_PORT = Number(process.env.E2E_PORT ?? 4183)
const PORTS = { demo: BASE_PORT + 2, impact: BASE_PORT + 3, proxy: BASE_PORT + 4, driver: BASE_PORT + 5 }
/** The shop on loopback: a secure context in every engine. */
const SHOP = `http://127.0.0.1:${PORTS.demo}`
/** The same shop under a name: plain http, so no WebCrypto and no Web Locks in Firefox and WebKit. */
const PLAIN_SHOP = `http://shop.example.test:${PORTS.demo}`
const CLICK = 'EngineClick-1a2B3c.4_~'
const EMAIL_SHA1 = createHash('sha1').update('jane.doe@example.com').digest('hex')

let demo: Demo
let proxy: GuardProxy

beforeAll(async () => {
  demo = await startDemo(PORTS.demo, PORTS.impact, [PLAIN_SHOP])
  proxy = await startGuardProxy(PORTS.proxy)
})
afterAll(async () => {
  await proxy?.close()
  await demo?.close()
})

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const pageLoads = (entries: LogEntry[]): LogEntry[] => entries.filter((e) => e.endpoint === 'PageLoad')
/** Conversions the fake Impact accepted: the ones a partner is paid on. */
const accepted = (entries: LogEntry[]): LogEntry[] =>
  entries.filter((e) => e.endpoint === 'Conversions' && e.status === 200)

/** Polls the fake Impact's log until `predicate` holds; fails naming `what`. */
async function impactLog(predicate: (entries: LogEntry[]) => boolean, what: string): Promise<LogEntry[]> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const entries = demo.impact.entries()
    if (predicate(entries)) return entries
    if (Date.now() > deadline) throw new Error(`fake Impact: no ${what} within 15 s; log: ${JSON.stringify(entries)}`)
    await sleep(100)
  }
}

/** After `ms` (time for a late resend to show), the log as it then is. */
async function impactLogAfter(ms: number): Promise<LogEntry[]> {
  await sleep(ms)
  return demo.impact.entries()
}

/** Polls `read` until it returns `expected` (compared as JSON). */
async function eventually<T>(read: () => Promise<T>, expected: T, what: string): Promise<void> {
  const deadline = Date.now() + 15_000
  let last: T | undefined
  while (Date.now() < deadline) {
    if (JSON.stringify((last = await read())) === JSON.stringify(expected)) return
    await sleep(50)
  }
  expect(last, what).toEqual(expected)
}

/** Requests the page sent to the relay's conversion route (through the proxy). */
const relayPosts = (): number =>
  proxy.requests().filter((r) => new URL(r.url).pathname === '/impact/conversions').length

for (const engine of selected) {
  describe(engine, () => {
    let browser: EngineBrowser
    let page: EnginePage

    beforeAll(async () => {
      browser = await LAUNCHERS[engine]!({
        proxy: proxy.address,
        driverPort: PORTS.driver,
        origins: [SHOP, PLAIN_SHOP],
      })
      console.log(`${engine}: ${browser.version}`)
    })
    afterAll(() => browser?.close())

    beforeEach(async () => {
      page = await browser.newPage()
      proxy.clear()
      demo.impact.reset()
    })
    // Every test: nothing asked for a non-local host, nothing threw, everything Impact got was valid.
    afterEach(() => {
      const invalid = demo.impact.entries().filter((e) => !e.valid)
      expect({ foreign: proxy.takeForeign(), pageErrors: page.pageErrors(), invalid }).toEqual({
        foreign: [],
        pageErrors: [],
        invalid: [],
      })
    })

    /** The click cookie's value once the plugin has stored it. */
    const clickCookieValue = async (): Promise<string | undefined> => (await page.cookie('impact_click_id'))?.value

    /** Lands from a partner on `shop`, then buys through the cart; returns the order id. */
    async function buy(shop = SHOP): Promise<string> {
      await page.goto(`${shop}/?irclickid=${CLICK}`)
      await eventually(clickCookieValue, CLICK, 'the click cookie')
      await page.goto(`${shop}/cart`)
      await page.click('#place-order')
      await eventually(async () => (await page.url()).includes('/thank-you?order='), true, 'the thank-you page')
      return new URL(await page.url()).searchParams.get('order')!
    }

    /** Tracks an Order Completed for `orderId` on the current page (not awaited). */
    const trackOrder = (orderId: string, extra = ''): Promise<unknown> =>
      page.run(
        `void window.demoAnalytics.track('Order Completed', { order_id: ${JSON.stringify(orderId)}, revenue: 25, ` +
          `currency: 'usd', products: [{ sku: '45790-32', name: 'Monopoly', price: 19, quantity: 1 }] ${extra} })`,
      )

    /** Failed attempts so far of `orderId` in the outbox (undefined when it is not there). */
    const attempts = (orderId: string): Promise<number | undefined> =>
      page.run(
        `(JSON.parse(localStorage.getItem('impact_outbox') || '[]').find(i => i.key.endsWith('|' + ${JSON.stringify(orderId)})) || {}).attempts`,
      )

    it('the guard sees a page asking for a non-local host (so every other test would fail on one)', async () => {
      await page.goto(`${SHOP}/product`)
      await page.run(
        `Promise.allSettled([fetch('https://impact.invalid/tls', { mode: 'no-cors' }), fetch('http://impact.invalid/plain', { mode: 'no-cors' })]).then(() => true)`,
      )
      const seen = proxy.takeForeign().join(' ')
      expect(seen).toContain('http://impact.invalid/plain')
      // An https request is a tunnel asked for (CONNECT), or, from WPE, TLS spoken to the proxy.
      expect(seen.includes('CONNECT impact.invalid:443') || seen.includes(HIDDEN_HTTPS)).toBe(true)
    })

    it('a partner landing stores the click cookie and sends a valid PageLoad with its ClickId', async () => {
      await page.goto(`${SHOP}/?irclickid=${CLICK}&utm_source=partner`)
      const [landing] = pageLoads(await impactLog((e) => pageLoads(e).length === 1, 'landing PageLoad'))
      expect(landing!.fields).toMatchObject({ CampaignId: '12345', ClickId: CLICK })
      expect(landing!.fields.PageUrl).toContain(`irclickid=${CLICK}`)
      await eventually(clickCookieValue, CLICK, 'the click cookie')
      const cookie = await page.cookie('impact_click_id')
      expect(cookie?.path).toBe('/')
      // cookieMaxAgeDays (30) days, as script-written cookies get outside Safari's ITP.
      expect(cookie!.expires! * 1000 - Date.now()).toBeGreaterThan(29 * 86_400_000)
    })

    it('the next page, without the parameter, carries the same ClickId', async () => {
      await page.goto(`${SHOP}/?irclickid=${CLICK}`)
      await impactLog((e) => pageLoads(e).length === 1, 'landing PageLoad')
      await page.click('main a[href="/product"]')
      const second = pageLoads(await impactLog((e) => pageLoads(e).length === 2, 'second PageLoad'))[1]!
      expect(second.fields.ClickId).toBe(CLICK)
      expect(second.fields.PageUrl).toBe(`${SHOP}/product`)
      expect(second.fields.ReferringUrl).toContain(`irclickid=${CLICK}`)
    })

    it('identify sends CustomerId and the SHA-1 of the email, never the address', async () => {
      await page.goto(`${SHOP}/cart`)
      await page.run(`document.getElementById('email').value = '  Jane.Doe@Example.com '`)
      await page.click('#place-order')
      const entries = await impactLog(
        (e) => pageLoads(e).some((p) => p.fields.CustomerId === 'user-42'),
        'identify PageLoad',
      )
      const identify = pageLoads(entries).find((p) => p.fields.CustomerId === 'user-42')!
      expect(identify.fields.CustomerEmail).toBe(EMAIL_SHA1)
      await eventually(async () => (await page.url()).includes('/thank-you'), true, 'the thank-you page')
      const leaked = proxy.requests().filter((r) => /jane\.doe(%40|@)example/i.test(r.url + r.body))
      expect(leaked).toEqual([])
    })

    it('Order Completed reaches the fake Impact through the relay exactly once', async () => {
      const order = await buy()
      const [conversion] = accepted(await impactLog((e) => accepted(e).length === 1, 'the conversion'))
      expect(conversion!.hasAuthorization).toBe(true)
      expect(conversion!.fields).toMatchObject({
        OrderId: order,
        ClickId: CLICK,
        CustomerId: 'user-42',
        CustomerEmail: EMAIL_SHA1,
        CurrencyCode: 'USD',
      })
      expect(accepted(await impactLogAfter(1500))).toHaveLength(1)
      expect(relayPosts()).toBe(1)
    })

    it('a reloaded thank-you page sends nothing new', async () => {
      await buy()
      await impactLog((e) => accepted(e).length === 1, 'the conversion')
      await page.reload()
      const entries = await impactLogAfter(1500)
      expect(entries.filter((e) => e.endpoint === 'Conversions')).toHaveLength(1)
      expect(relayPosts()).toBe(1)
    })

    it('an aborted conversion is replayed once after a reload', async () => {
      await page.goto(`${SHOP}/product`)
      const unblock = proxy.rule({ path: '/impact/conversions', action: 'reset' })
      await trackOrder('ABORTED-1')
      await eventually(async () => ((await attempts('ABORTED-1')) ?? 0) >= 2, true, 'two failed attempts')
      expect(demo.impact.entries().filter((e) => e.endpoint === 'Conversions')).toEqual([])
      unblock()
      await page.reload()
      const [replayed] = accepted(await impactLog((e) => accepted(e).length === 1, 'the replayed conversion'))
      expect(replayed!.fields.OrderId).toBe('ABORTED-1')
      expect(accepted(await impactLogAfter(1000))).toHaveLength(1)
    })

    it('a conversion tracked right before navigating away arrives', async () => {
      await page.goto(`${SHOP}/product`)
      // The next page takes 250 ms to arrive, as over a real network (see e2e/conversions.spec.ts).
      proxy.rule({ path: '/', action: { delayMs: 250 } })
      await page.run(
        `(window.demoAnalytics.track('Order Completed', { order_id: 'NAV-1', revenue: 10, currency: 'EUR' }), ` +
          `location.href = '/', true)`,
      )
      await eventually(async () => new URL(await page.url()).pathname, '/', 'the next page')
      const [conversion] = accepted(await impactLog((e) => accepted(e).length === 1, 'the conversion'))
      expect(conversion!.fields).toMatchObject({
        OrderId: 'NAV-1',
        OrderSubTotalPostDiscount: '10',
        CurrencyCode: 'EUR',
      })
      expect(accepted(await impactLogAfter(1000))).toHaveLength(1)
    })

    it('an order too big for keepalive (over 16 KiB) arrives once', async () => {
      // WebKit fails a keepalive body over its limit with "Load failed": such bodies go without it.
      await page.goto(`${SHOP}/product`)
      const products =
        ", products: Array.from({ length: 120 }, (_, i) => ({ sku: 'SKU-' + i, price: 1, quantity: 1, name: 'Trail item ' + i + ' '.padEnd(120, 'x') }))"
      await trackOrder('BIG-1', products)
      const [conversion] = accepted(await impactLog((e) => accepted(e).length === 1, 'the big conversion'))
      expect(conversion!.fields.ItemSku120).toBe('SKU-119')
      const body = proxy.requests().find((r) => r.url.endsWith('/impact/conversions'))!.body
      expect(body.length).toBeGreaterThan(16 * 1024)
      expect(accepted(await impactLogAfter(1000))).toHaveLength(1)
    })

    it('on a plain-http shop (no WebCrypto, no Web Locks) the click and the sale arrive once, the email left out', async () => {
      await page.goto(PLAIN_SHOP)
      expect(await page.run(`[isSecureContext, typeof crypto.subtle, typeof navigator.locks]`)).toEqual([
        false,
        'undefined',
        'undefined',
      ])
      const order = await buy(PLAIN_SHOP)
      const [conversion] = accepted(await impactLog((e) => accepted(e).length === 1, 'the conversion'))
      expect(conversion!.fields).toMatchObject({ OrderId: order, ClickId: CLICK, CustomerId: 'user-42' })
      expect(conversion!.fields.CustomerEmail).toBeUndefined()
      const identify = pageLoads(demo.impact.entries()).find((p) => p.fields.CustomerId === 'user-42')
      expect(identify?.fields.CustomerEmail).toBeUndefined()
      expect(proxy.requests().filter((r) => /jane\.doe(%40|@)example/i.test(r.url + r.body))).toEqual([])
      expect(accepted(await impactLogAfter(1000))).toHaveLength(1)
    })
  })
}

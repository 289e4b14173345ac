import { createHash } from 'node:crypto'
import type { Page } from '@playwright/test'
import { clickCookie, expect, only, registerProbe, test, type FakeImpactClient, type ImpactEntry } from './fixtures'

const CLICK = 'ConvClick-9z8y7x'
const TOKEN = 'demo-token-not-a-secret'

/** Accepted conversions (the fake answered 200), the ones a partner is paid on. */
const accepted = (entries: ImpactEntry[]): ImpactEntry[] => only('Conversions', entries).filter((e) => e.status === 200)

/** Lands from a partner, then buys through the cart's checkout form. */
async function buy(page: Page): Promise<string> {
  await page.goto(`/?irclickid=${CLICK}`)
  // The plugin keeps the click when it loads, which may come after the page's load event.
  await expect.poll(async () => (await clickCookie(page.context()))?.value).toBe(CLICK)
  await page.goto('/cart')
  await page.click('#place-order')
  await page.waitForURL(/thank-you\?order=/)
  return new URL(page.url()).searchParams.get('order')!
}

/** The outbox as stored on `page`: the conversions waiting there and their failed attempts so far. */
function outbox(page: Page): Promise<Array<{ key: string; attempts: number }>> {
  return page.evaluate(() => JSON.parse(localStorage.getItem('impact_outbox') ?? '[]'))
}

/**
 * Waits until `orderId` has failed `attempts` times, then returns at once: its next retry is at
 * least 0.5 s away, so nothing of it is on the wire when the test navigates. A request on the
 * wire when the page goes away counts as sent (the browser finishes it), which a test that
 * blocks requests must not run into.
 */
async function failedAttempts(page: Page, orderId: string, attempts: number): Promise<void> {
  await expect
    .poll(async () => (await outbox(page)).find((i) => i.key.endsWith('|' + orderId))?.attempts, { intervals: [20] })
    .toBe(attempts)
}

/** After `ms` (time for any late resend to show), the fake Impact holds exactly `count` conversions. */
async function conversionsAfter(page: Page, impact: FakeImpactClient, ms: number, count: number): Promise<void> {
  await page.waitForTimeout(ms)
  expect(only('Conversions', await impact.entries())).toHaveLength(count)
}

/** Tracks the Segment example order `orderId` on the current page (not awaited). */
function trackOrder(page: Page, orderId: string): Promise<void> {
  return page.evaluate((order_id) => {
    const analytics = (window as unknown as { demoAnalytics: { track(name: string, props: object): unknown } })
      .demoAnalytics
    void analytics.track('Order Completed', {
      order_id,
      total: 27.5,
      revenue: 25,
      shipping: 3,
      tax: 2,
      currency: 'usd',
      products: [{ sku: '45790-32', name: 'Monopoly: 3rd Edition', price: 19, quantity: 1 }],
    })
  }, orderId)
}

test('Order Completed goes through the real relay to Impact with the landing ClickId, and the token never reaches the browser', async ({
  page,
  impact,
}) => {
  const seen: string[] = []
  page.on('request', (r) => seen.push([r.url(), JSON.stringify(r.headers()), r.postData() ?? ''].join(' ')))
  const order = await buy(page)
  const entries = await impact.waitFor((e) => accepted(e).length === 1, 'one accepted conversion')
  const conversion = accepted(entries)[0]!
  expect(conversion.hasAuthorization).toBe(true)
  expect(conversion.fields).toMatchObject({
    CampaignId: '12345',
    EventTypeCode: 'Order Completed',
    OrderId: order,
    ClickId: CLICK,
    CurrencyCode: 'USD',
    OrderPromoCode: 'hasbros',
    OrderShipping: '3',
    OrderTax: '2',
    OrderDiscount: '2.5',
    ItemSku1: '45790-32',
    ItemSubTotal1: '19',
    ItemSku2: '46493-32',
    ItemQuantity2: '2',
    ItemSubTotal2: '6',
    CustomerId: 'user-42',
    CustomerEmail: createHash('sha1').update('jane.doe@example.com').digest('hex'),
    IpAddress: '127.0.0.1',
  })
  expect(conversion.fields.OrderSubTotalPostDiscount).toBeUndefined()
  // Nothing the browser sent carries credentials, in clear or Basic-encoded.
  const basic = Buffer.from(`IRdemoAccountSid1:${TOKEN}`).toString('base64')
  expect(seen.filter((r) => r.includes(TOKEN) || r.includes(basic) || /"authorization"/i.test(r))).toEqual([])
})

test('reloading the thank-you page, or tracking the same order again, sends nothing new', async ({ page, impact }) => {
  const order = await buy(page)
  await impact.waitFor((e) => accepted(e).length === 1, 'the first conversion')
  await page.reload()
  await trackOrder(page, order)
  await conversionsAfter(page, impact, 1500, 1)
})

test('Impact failing three times (the relay answers 503) still yields exactly one conversion', async ({
  page,
  impact,
}) => {
  await impact.fault({ endpoint: 'Conversions', status: 500, count: 3 })
  await page.goto('/product')
  await trackOrder(page, 'RETRY-503')
  const entries = await impact.waitFor((e) => accepted(e).length === 1, 'the conversion after three failures')
  expect(only('Conversions', entries).map((e) => e.fault ?? e.status)).toEqual([500, 500, 500, 200])
  await page.waitForTimeout(1000)
  expect(accepted(await impact.entries())).toHaveLength(1)
})

test('a conversion whose request was aborted is replayed on the next page load, once', async ({ page, impact }) => {
  await page.route('**/impact/conversions', (route) => route.abort('connectionreset'))
  await page.goto('/product')
  await trackOrder(page, 'ABORTED-1')
  await failedAttempts(page, 'ABORTED-1', 2)
  await page.unroute('**/impact/conversions')
  await page.reload()
  const entries = await impact.waitFor((e) => accepted(e).length === 1, 'the replayed conversion')
  expect(accepted(entries)[0]!.fields.OrderId).toBe('ABORTED-1')
  await conversionsAfter(page, impact, 1000, 1)
})

test('a conversion tracked offline is sent once when the browser comes back online', async ({
  page,
  context,
  impact,
}) => {
  await page.goto('/product')
  await context.setOffline(true)
  await trackOrder(page, 'OFFLINE-1')
  await conversionsAfter(page, impact, 500, 0)
  await context.setOffline(false)
  await impact.waitFor((e) => accepted(e).length === 1, 'the conversion after going online')
  await conversionsAfter(page, impact, 1000, 1)
})

test('a conversion tracked right before navigating away still arrives', async ({ page, impact }) => {
  await page.goto('/product')
  // The next page takes 250 ms to arrive, as over a real network. On localhost it would replace
  // this one within milliseconds, before analytics-next has handed the event to any destination
  // (it keeps only the events it has not started on, so such an event is lost for every one).
  await page.route(
    (url) => url.pathname === '/',
    async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 250))
      await route.continue()
    },
  )
  await page.evaluate(() => {
    const analytics = (window as unknown as { demoAnalytics: { track(name: string, props: object): unknown } })
      .demoAnalytics
    void analytics.track('Order Completed', { order_id: 'NAV-1', revenue: 10, currency: 'EUR' })
    location.href = '/'
  })
  await page.waitForURL(/\/$/)
  const entries = await impact.waitFor((e) => accepted(e).length === 1, 'the conversion sent during navigation')
  expect(accepted(entries)[0]!.fields).toMatchObject({
    OrderId: 'NAV-1',
    OrderSubTotalPostDiscount: '10',
    CurrencyCode: 'EUR',
  })
  await expect.poll(() => outbox(page)).toEqual([])
  await conversionsAfter(page, impact, 1000, 1)
})

test('a conversion still on the wire when the visitor leaves is not sent again by the next page', async ({
  page,
  impact,
}) => {
  // Impact answers slowly: the request has arrived, and its answer is still on its way, when the
  // visitor leaves. The browser finishes it, but the next page never learns the outcome.
  await impact.fault({ endpoint: 'Conversions', delayMs: 1500, count: 1 })
  await page.goto('/product')
  await trackOrder(page, 'WIRE-1')
  await impact.waitFor((e) => only('Conversions', e).length === 1, 'the conversion on the wire')
  await page.goto('/')
  // Nothing is left to resend (that would pay the partner twice) ...
  expect(await outbox(page)).toEqual([])
  await conversionsAfter(page, impact, 2500, 1)
  // ... and the order stays known as sent.
  await trackOrder(page, 'WIRE-1')
  await conversionsAfter(page, impact, 500, 1)
})

test('two tabs opening with a pending outbox deliver it once', async ({ context, impact }) => {
  const first = await context.newPage()
  await first.route('**/impact/conversions', (route) => route.abort('connectionreset'))
  await first.goto('/product')
  await trackOrder(first, 'TWO-TABS-1')
  await failedAttempts(first, 'TWO-TABS-1', 2)
  await first.close()
  const [a, b] = await Promise.all([context.newPage(), context.newPage()])
  await Promise.all([a!.goto('/'), b!.goto('/cart')])
  await impact.waitFor((e) => accepted(e).length === 1, 'the pending conversion')
  await conversionsAfter(a!, impact, 1500, 1)
})

test('with Impact and the relay blocked (as ad blockers do) analytics and other destinations carry on, and the sale arrives once unblocked', async ({
  page,
  impact,
}) => {
  await page.route(`${impact.url}/**`, (route) => route.abort('blockedbyclient'))
  await page.route('**/impact/conversions', (route) => route.abort('blockedbyclient'))
  await page.route('**/impact/pageload', (route) => route.abort('blockedbyclient'))
  await page.goto('/product')
  const probe = await registerProbe(page)
  const tracked = await page.evaluate(async () => {
    const analytics = (
      window as unknown as {
        demoAnalytics: { ready(): Promise<unknown>; track(n: string, p: object): Promise<unknown> }
      }
    ).demoAnalytics
    await analytics.ready()
    return Promise.race([
      analytics.track('Order Completed', { order_id: 'BLOCKED-1', revenue: 42 }).then(() => 'resolved'),
      new Promise((resolve) => setTimeout(() => resolve('still pending after 10 s'), 10_000)),
    ])
  })
  const outcome = { tracked, seen: await probe() }
  expect(outcome).toEqual({ tracked: 'resolved', seen: ['Order Completed'] })
  expect(only('Conversions', await impact.entries())).toHaveLength(0)
  await page.unroute('**/impact/conversions')
  await page.unroute('**/impact/pageload')
  await page.unroute(`${impact.url}/**`)
  const entries = await impact.waitFor((e) => accepted(e).length === 1, 'the conversion once unblocked')
  expect(accepted(entries)[0]!.fields.OrderId).toBe('BLOCKED-1')
})

test('three tabs without Web Locks (older Safari, some webviews) deliver each waiting sale once', async ({
  context,
  impact,
}) => {
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined }))
  const first = await context.newPage()
  await first.route('**/impact/conversions', (route) => route.abort('connectionreset'))
  await first.goto('/product')
  const orders = ['NOLOCK-1', 'NOLOCK-2', 'NOLOCK-3', 'NOLOCK-4', 'NOLOCK-5']
  for (const order of orders) await trackOrder(first, order)
  for (const order of orders) await failedAttempts(first, order, 1)
  await first.close()
  const tabs = await Promise.all([context.newPage(), context.newPage(), context.newPage()])
  expect(await tabs[0]!.evaluate(() => 'locks' in navigator && navigator.locks)).toBeFalsy()
  await Promise.all(tabs.map((tab, i) => tab.goto(['/', '/cart', '/product'][i]!)))
  await impact.waitFor((e) => accepted(e).length === orders.length, 'every waiting sale')
  await conversionsAfter(tabs[0]!, impact, 2000, orders.length)
  expect(
    accepted(await impact.entries())
      .map((e) => e.fields.OrderId)
      .sort(),
  ).toEqual(orders)
})

test('with no room in localStorage or sessionStorage for the plugin, a reloaded thank-you page sends nothing new', async ({
  page,
  impact,
}) => {
  // A full quota: every write of the plugin's keys is refused (Chromium crashes on a DOMException
  // named QuotaExceededError built by the page, so a plain Error carries the name).
  await page.addInitScript(() => {
    const setItem = Storage.prototype.setItem
    Storage.prototype.setItem = function (key: string, value: string) {
      if (key.startsWith('impact_')) throw Object.assign(new Error('quota'), { name: 'QuotaExceededError' })
      return setItem.call(this, key, value)
    }
  })
  await page.goto('/product')
  await trackOrder(page, 'FULL-1')
  await impact.waitFor((e) => accepted(e).length === 1, 'the conversion')
  await expect.poll(async () => (await page.context().cookies()).some((c) => c.name === 'impact_sent')).toBe(true)
  await page.reload()
  await trackOrder(page, 'FULL-1')
  await conversionsAfter(page, impact, 2000, 1)
})

import { createHash } from 'node:crypto'
import type { Page, Request } from '@playwright/test'
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
    EventTypeId: '7777',
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

/** Conversion requests each page has on the wire (the page's clock waits for them). */
const onTheWire = new WeakMap<Page, () => number>()

function wireOf(page: Page): () => number {
  let count = onTheWire.get(page)
  if (!count) {
    let n = 0
    const isConversion = (url: string): boolean => url.endsWith('/impact/conversions')
    page.on('request', (r) => isConversion(r.url()) && n++)
    page.on('requestfinished', (r) => isConversion(r.url()) && n--)
    page.on('requestfailed', (r) => isConversion(r.url()) && n--)
    onTheWire.set(page, (count = () => n))
  }
  return count
}

/**
 * Moves the page's clock forward `ms` in steps. Requests take real time: the clock stands still
 * while a conversion is on the wire, so that each answer is handled before the next retry is due,
 * as in real time. A request that takes long in the page's own time is the subject of the
 * real-time test below (held up 12 s).
 */
async function advance(page: Page, ms: number, step = 15_000): Promise<void> {
  const wire = wireOf(page)
  for (let done = 0; done < ms; done += step) {
    await expect.poll(wire, { intervals: [10] }).toBe(0)
    // A round trip through the page's event loop: an answer that has arrived is handled before the
    // clock moves (on a loaded machine the page can lag the network events by a long while).
    await page.evaluate(() => 0)
    await page.clock.runFor(Math.min(step, ms - done))
    await page.waitForTimeout(30)
  }
}

/**
 * Advances the page's clock in 1 s steps until the fake Impact has accepted a conversion (a
 * request event can reach the test late; small steps keep the clock close to the retry).
 */
async function advanceUntilAccepted(page: Page, impact: FakeImpactClient): Promise<void> {
  await expect
    .poll(
      async () => {
        await advance(page, 3_000, 1_000)
        return accepted(await impact.entries()).length
      },
      { timeout: 60_000, intervals: [20] },
    )
    .toBeGreaterThan(0)
}

/**
 * The sale `orderId` arrives (the page's clock moving on), exactly once: nothing else reached
 * Impact then, nor in the five minutes and the real 1.5 s after (a late second copy).
 */
async function arrivesOnce(page: Page, impact: FakeImpactClient, orderId: string): Promise<void> {
  await advanceUntilAccepted(page, impact)
  expect(only('Conversions', await impact.entries()).map((e) => [e.fields.OrderId, e.status])).toEqual([[orderId, 200]])
  await advance(page, 5 * 60_000)
  await conversionsAfter(page, impact, 1500, 1)
}

/**
 * Waits until `page` is between two retries of its only waiting sale. An attempt in flight holds
 * the sale at most 10 s ahead (one waiting for the lock: not at all), so a next attempt further
 * away means none is under way, and none comes soon. A visitor who leaves while a request is on
 * the wire hands it to the browser (it counts as sent), which this test is not about.
 */
async function betweenRetries(page: Page): Promise<void> {
  const ahead = (): Promise<number> =>
    page.evaluate(() => JSON.parse(localStorage.getItem('impact_outbox')!)[0].next - Date.now())
  // The page's clock runs in real time between steps: a retry due within 10 s happens meanwhile.
  await expect.poll(ahead, { intervals: [50], timeout: 30_000 }).toBeGreaterThan(10_000)
  // The answer's last step (the request no longer counted as on the wire) runs a task later.
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)))
}

test('with the relay down 20 minutes while the visitor stays, the sale arrives once when it is back', async ({
  page,
  impact,
}) => {
  // Many clock steps, each waiting for real requests: slow on a loaded machine.
  test.slow()
  let refused = 0
  wireOf(page)
  await page.clock.install()
  await page.route('**/impact/conversions', (route) => (refused++, route.abort('connectionrefused')))
  await page.goto('/product')
  await trackOrder(page, 'OUTAGE-20')
  await failedAttempts(page, 'OUTAGE-20', 1)
  await advance(page, 20 * 60_000)
  // Retried all along, far past the 10 attempts a PageLoad gets, and still waiting.
  expect(refused).toBeGreaterThan(15)
  expect((await outbox(page)).map((i) => i.key)).toEqual(['7777|OUTAGE-20'])
  await page.unroute('**/impact/conversions')
  await arrivesOnce(page, impact, 'OUTAGE-20')
  expect(await outbox(page)).toEqual([])
})

test('with the relay down when the visitor leaves, the sale arrives once on the next visit hours later', async ({
  context,
  impact,
}) => {
  // Many clock steps, each waiting for real requests: slow on a loaded machine.
  test.slow()
  const first = await context.newPage()
  wireOf(first)
  await first.clock.install()
  await first.route('**/impact/conversions', (route) => route.abort('connectionrefused'))
  await first.goto('/product')
  await trackOrder(first, 'LEFT-1')
  await failedAttempts(first, 'LEFT-1', 1)
  // Five minutes of retries (more than 10 attempts), then the visitor leaves between two of them.
  // Steps of 5 s: a retry due inside a step is answered before the clock moves much further (on a
  // loaded machine 15 s steps merged the early, short waits and left exactly 10 attempts).
  await advance(first, 5 * 60_000, 5_000)
  expect((await outbox(first))[0]!.attempts).toBeGreaterThan(10)
  await betweenRetries(first)
  await first.close()
  expect(only('Conversions', await impact.entries())).toHaveLength(0)

  const next = await context.newPage()
  wireOf(next)
  await next.clock.install({ time: Date.now() + 5 * 3_600_000 })
  await next.goto('/')
  await arrivesOnce(next, impact, 'LEFT-1')
})

test('a relay answering 404, then 403, keeps the sale; once it is fixed the sale arrives once', async ({
  page,
  impact,
}) => {
  // Many clock steps, each waiting for real requests: slow on a loaded machine.
  test.slow()
  let status = 404
  const answered: number[] = []
  wireOf(page)
  await page.clock.install()
  await page.route('**/impact/conversions', (route) => (answered.push(status), route.fulfill({ status })))
  await page.goto('/product')
  await trackOrder(page, 'MISCONFIGURED-1')
  await failedAttempts(page, 'MISCONFIGURED-1', 1)
  await advance(page, 2 * 60_000)
  status = 403
  await advance(page, 3 * 60_000)
  expect(answered).toContain(404)
  expect(answered).toContain(403)
  expect(only('Conversions', await impact.entries())).toHaveLength(0)
  await page.unroute('**/impact/conversions')
  await arrivesOnce(page, impact, 'MISCONFIGURED-1')
})

test('a sale whose request is held up 12 s on its way to the relay is sent once: the page waits for it', async ({
  page,
  impact,
}) => {
  // Real time. The first request waits 12 s before it goes on to the relay, as one queued in the
  // browser or on a stalled connection does. Chromium delivers a keepalive request even after its
  // page aborted it, so a page that gave up on it and sent the sale again would be paid twice.
  test.slow()
  let requests = 0
  await page.route('**/impact/conversions', async (route) => {
    if (requests++ === 0) await new Promise((resolve) => setTimeout(resolve, 12_000))
    await route.continue()
  })
  await page.goto('/product')
  await trackOrder(page, 'HELD-1')
  await expect.poll(async () => accepted(await impact.entries()).length, { timeout: 30_000 }).toBeGreaterThan(0)
  await conversionsAfter(page, impact, 3000, 1)
  expect(requests).toBe(1)
  expect(await outbox(page)).toEqual([])
})

test('three tabs without Web Locks (older Safari, some webviews) deliver each waiting sale once', async ({
  context,
  impact,
}) => {
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined }))
  const first = await context.newPage()
  // Down: the first sale fails; the others are stored to wait for the destination's next probe.
  await first.route('**/impact/conversions', (route) => route.fulfill({ status: 503, headers: { 'Retry-After': '3' } }))
  await first.goto('/product')
  const orders = ['NOLOCK-1', 'NOLOCK-2', 'NOLOCK-3', 'NOLOCK-4', 'NOLOCK-5']
  await trackOrder(first, orders[0]!)
  await failedAttempts(first, orders[0]!, 1)
  for (const order of orders.slice(1)) await trackOrder(first, order)
  await expect.poll(async () => (await outbox(first)).length).toBe(orders.length)
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

test('a thank-you page reopened three days later (from the order e-mail) sends the sale nothing more', async ({
  context,
  impact,
}) => {
  const first = await context.newPage()
  const order = await buy(first)
  await impact.waitFor((e) => accepted(e).length === 1, 'the sale')
  await first.close()
  // Three days later, the customer opens the confirmation link again.
  const reopened = await context.newPage()
  await reopened.clock.install({ time: Date.now() + 3 * 86_400_000 })
  await reopened.goto(`/thank-you?order=${order}`)
  await expect(reopened.locator('#order-id')).toHaveText(order)
  // Time for a send, its retries and the replay after load.
  await reopened.clock.runFor(10_000)
  await reopened.waitForTimeout(3000)
  expect(only('Conversions', await impact.entries())).toHaveLength(1)
})

test('the real relay with an outdated campaignIds answers 403 and the sale is kept; once the relay is fixed, the next page sends it once', async ({
  page,
  impact,
}) => {
  test.slow()
  wireOf(page)
  await page.clock.install()
  // The shop's program changed: the relay still lists only an old CampaignId.
  await page.request.post('/__demo/relay?campaignIds=99999')
  try {
    await page.goto('/product')
    const refused = page.waitForResponse((r) => r.url().endsWith('/impact/conversions') && r.status() === 403)
    await trackOrder(page, 'OUTDATED-1')
    await refused
    await advance(page, 2 * 60_000)
    expect((await outbox(page)).map((i) => i.key)).toEqual(['7777|OUTDATED-1'])
    expect(only('Conversions', await impact.entries())).toHaveLength(0)
  } finally {
    await page.request.post('/__demo/relay')
  }
  // Fixed: the next page replays the sale, once.
  await page.goto('/product')
  await arrivesOnce(page, impact, 'OUTDATED-1')
  expect(await outbox(page)).toEqual([])
})

test('20 sales waiting on a relay answering 503 with Retry-After 60: one probe a minute, then one request at a time, each sale once', async ({
  page,
  impact,
}) => {
  test.slow()
  const orders = Array.from({ length: 20 }, (_, i) => `WAIT-${i}`)
  let requests = 0
  let onWire = 0
  let mostOnWire = 0
  const isConversion = (url: string): boolean => url.endsWith('/impact/conversions')
  page.on('request', (r) => isConversion(r.url()) && (mostOnWire = Math.max(mostOnWire, ++onWire)))
  const answered = (r: Request): void => void (isConversion(r.url()) && onWire--)
  page.on('requestfinished', answered)
  page.on('requestfailed', answered)
  wireOf(page)
  await page.clock.install()
  await page.route('**/impact/conversions', (route) => {
    requests++
    return route.fulfill({ status: 503, headers: { 'Retry-After': '60' }, json: { error: 'Impact is down' } })
  })
  await page.goto('/product')
  await trackOrder(page, orders[0]!)
  await failedAttempts(page, orders[0]!, 1)
  for (const order of orders.slice(1)) await trackOrder(page, order)
  await expect.poll(async () => (await outbox(page)).length).toBe(20)
  // The 19 later sales were stored and wait for the destination's next probe.
  expect(requests).toBe(1)
  for (let minute = 1; minute <= 3; minute++) {
    const before = requests
    await advance(page, 60_000, 5_000)
    expect(requests - before, `requests in minute ${minute}`).toBe(1)
  }
  await page.unroute('**/impact/conversions')
  mostOnWire = 0
  await expect
    .poll(
      async () => {
        await advance(page, 5_000, 1_000)
        return accepted(await impact.entries()).length
      },
      { timeout: 90_000, intervals: [20] },
    )
    .toBe(20)
  // The outbox drained one request after another: never a burst.
  expect(mostOnWire).toBe(1)
  expect(
    accepted(await impact.entries())
      .map((e) => e.fields.OrderId)
      .sort(),
  ).toEqual([...orders].sort())
  await advance(page, 5 * 60_000)
  await conversionsAfter(page, impact, 1500, 20)
  expect(await outbox(page)).toEqual([])
})

import type { CDPSession, Page } from '@playwright/test'
import { expect, only, test } from './fixtures'
import { formatCosts, meterPluginCosts } from './plugin-costs'

/**
 * Deterministic budgets from the browser's own network log (CDP sees CORS preflights, which
 * Playwright's request events do not): one request per event sent to Impact, no preflight.
 */
async function networkLog(page: Page): Promise<{ cdp: CDPSession; requests: Array<{ method: string; url: string }> }> {
  const cdp = await page.context().newCDPSession(page)
  const requests: Array<{ method: string; url: string }> = []
  cdp.on('Network.requestWillBeSent', (e) => requests.push({ method: e.request.method, url: e.request.url }))
  await cdp.send('Network.enable')
  return { cdp, requests }
}

const toImpact = (requests: Array<{ method: string; url: string }>) =>
  requests.filter(
    (r) => /\/PageLoad|\/impact\/(?:conversions|pageload)|\/Conversions/.test(r.url) && r.method !== 'GET',
  )

test('each event sent to Impact costs exactly one request and no CORS preflight', async ({ page, impact }) => {
  const { requests } = await networkLog(page)
  await page.goto('/?irclickid=BudgetClick1')
  await impact.waitFor((e) => only('PageLoad', e).length === 1, 'page view')
  // First-party mode: the PageLoad goes to the relay on the shop's origin.
  expect(toImpact(requests)).toEqual([
    { method: 'POST', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/impact\/pageload$/) },
  ])

  await page.evaluate(() =>
    (
      window as unknown as { demoAnalytics: { identify(id: string, t: object): Promise<unknown> } }
    ).demoAnalytics.identify('budget-user', { email: 'budget@example.com' }),
  )
  await impact.waitFor((e) => only('PageLoad', e).length === 2, 'identify')
  expect(toImpact(requests)).toHaveLength(2)

  await page.evaluate(() =>
    (window as unknown as { demoAnalytics: { track(n: string, p: object): Promise<unknown> } }).demoAnalytics.track(
      'Order Completed',
      { order_id: 'BUDGET-1', revenue: 5 },
    ),
  )
  await impact.waitFor((e) => only('Conversions', e).length === 1, 'conversion')
  const sent = toImpact(requests)
  expect(sent).toHaveLength(3)
  expect(sent[2]).toMatchObject({ method: 'POST', url: expect.stringMatching(/\/impact\/conversions$/) })
  expect(requests.filter((r) => r.method === 'OPTIONS')).toEqual([])
  expect(only('preflight', await impact.entries())).toEqual([])

  // The counter does see preflights: a JSON POST across origins needs one.
  await page.evaluate(
    (url) =>
      fetch(`${url}/__log`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).catch(
        () => undefined,
      ),
    impact.url,
  )
  await expect.poll(() => requests.filter((r) => r.method === 'OPTIONS').length).toBe(1)
})

/**
 * `document.cookie` accesses allowed (each is a synchronous call into the browser), on an IP host
 * and on a domain alike: a landing there also probes for the registrable domain (a write, a read
 * and a removal), which the click session then remembers for the page views after it.
 */
const COOKIE_BUDGET = { landing: 8, pageView: 3 }
/** Long enough for the answer's handling, the outbox replay and a late write to be counted. */
const SETTLE_MS = 800

for (const [where, origin, probeReads] of [
  ['an IP address (host-only cookies)', '', 0],
  ['a domain (registrable-domain probe)', `http://www.shop.example.test:${process.env.E2E_PORT ?? 4183}`, 1],
] as const) {
  test(`cookie accesses and exceptions on ${where}: a landing, a plain page view, an Order Completed`, async ({
    page,
    impact,
  }) => {
    const meter = await meterPluginCosts(page)
    await page.goto(`${origin}/?irclickid=BudgetClick2`)
    await impact.waitFor((e) => only('PageLoad', e).length === 1, 'landing PageLoad')
    await page.waitForTimeout(SETTLE_MS)
    const landing = await meter.take()

    await page.goto(`${origin}/product`)
    await impact.waitFor((e) => only('PageLoad', e).length === 2, 'second PageLoad')
    await page.waitForTimeout(SETTLE_MS)
    const pageView = await meter.take()
    expect(only('PageLoad', await impact.entries())[1]?.fields.ClickId).toBe('BudgetClick2')

    await page.evaluate(() =>
      (window as unknown as { demoAnalytics: { track(n: string, p: object): Promise<unknown> } }).demoAnalytics.track(
        'Order Completed',
        { order_id: 'BUDGET-2', revenue: 5 },
      ),
    )
    await impact.waitFor((e) => only('Conversions', e).length === 1, 'conversion')
    await page.waitForTimeout(SETTLE_MS)
    const order = await meter.take()

    console.log(`budgets on ${where}:`)
    for (const [step, costs] of [
      ['landing', landing],
      ['plain page view', pageView],
      ['Order Completed', order],
    ] as const)
      console.log(`  ${step}: ${formatCosts(costs)}`)
    expect(landing.cookieReads + landing.cookieWrites).toBeLessThanOrEqual(COOKIE_BUDGET.landing)
    expect(pageView.cookieReads + pageView.cookieWrites).toBeLessThanOrEqual(COOKIE_BUDGET.pageView)
    // One js-cookie read per document (plus the probe's on a domain): the landing's page event and
    // Impact's answer reuse what load() read, and the page view's event reuses its click verdict.
    // js-cookie reads document.cookie twice, or once when it is empty (a first landing).
    expect(landing.cookieReads).toBe(1 + 2 * probeReads)
    expect(pageView.cookieReads).toBe(2)
    expect(landing.cookieWrites).toBeGreaterThan(0)
    expect([...landing.exceptions, ...pageView.exceptions, ...order.exceptions]).toEqual([])
  })
}

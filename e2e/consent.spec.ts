/**
 * Consent with real parts: Segment's consent tools (createWrapper) around real analytics-next, the
 * demo shop's cookie banner, the plugin's CDN bundle, the real relay and the strict fake Impact.
 * The banner is turned on per browser with the demo's `demo_consent_mode` cookie.
 */
import type { BrowserContext, Page } from '@playwright/test'
import { clickCookie, expect, only, registerProbe, test, type FakeImpactClient } from './fixtures'

const CLICK = 'ConsentClick-4d5e6f'
/** Long enough for a late send: a retry, a replay after load, the withheld landing. */
const QUIET_MS = 3000

/** Turns on the shop's banner ('banner') or the banner with sendWithoutConsent, for this browser. */
async function consentMode(context: BrowserContext, mode: 'banner' | 'send-without-consent'): Promise<void> {
  await context.addCookies([{ name: 'demo_consent_mode', value: mode, url: test.info().project.use.baseURL! }])
}

/** Every request the page makes to Impact's endpoints or the relay (not the panel's log polling). */
function watchTracking(page: Page): string[] {
  const sent: string[] = []
  page.on('request', (request) => {
    const url = new URL(request.url())
    if (/\/impact\/|\/PageLoad$|\/Conversions$/.test(url.pathname)) sent.push(request.url())
  })
  return sent
}

/** The visitor's choice, made before the shop loads (as a returning visitor's would be). */
async function chosenBefore(page: Page, choice: 'accepted' | 'rejected'): Promise<void> {
  await page.addInitScript((c) => window.localStorage.setItem('demo_consent', c), choice)
}

/** Tracks an order on the current page (not awaited by the page). */
function trackOrder(page: Page, orderId: string): Promise<void> {
  return page.evaluate((order_id) => {
    const w = window as unknown as { demoAnalytics: { track(name: string, props: object): unknown } }
    void w.demoAnalytics.track('Order Completed', { order_id, total: 19, currency: 'usd' })
  }, orderId)
}

/**
 * What the browser keeps that could identify the click or the order: cookies and storage, apart
 * from analytics-next's own (ajs_) and the banner's choice (demo_).
 */
async function kept(page: Page): Promise<string[]> {
  const cookies = (await page.context().cookies()).map((c) => `cookie ${c.name}=${c.value}`)
  const storage = await page.evaluate(() =>
    [window.localStorage, window.sessionStorage].flatMap((s) =>
      Object.keys(s).map((k) => `storage ${k}=${s.getItem(k)}`),
    ),
  )
  return [...cookies, ...storage].filter((entry) => !/^\w+ (ajs_|demo_)/.test(entry))
}

/** The fake Impact's log after QUIET_MS: time for any late send to show. */
async function afterQuiet(page: Page, impact: FakeImpactClient) {
  await page.waitForTimeout(QUIET_MS)
  return impact.entries()
}

test('declined: no request to Impact or the relay, nothing stored, other destinations still receive events', async ({
  page,
  context,
  impact,
}) => {
  await consentMode(context, 'banner')
  const sent = watchTracking(page)
  await page.goto(`/?irclickid=${CLICK}`)
  await page.click('#consent-reject')
  const probe = await registerProbe(page)
  await trackOrder(page, 'DECLINED-1')
  await expect.poll(probe).toEqual(['Order Completed'])
  // Then the whole journey: cart, identify, thank-you page.
  await page.goto('/cart')
  await page.click('#place-order')
  await page.waitForURL(/thank-you\?order=/)
  const order = new URL(page.url()).searchParams.get('order')!
  expect(await afterQuiet(page, impact)).toEqual([])
  expect(sent).toEqual([])
  const stored = await kept(page)
  expect(stored.filter((e) => e.includes(CLICK) || e.includes(order) || e.includes('DECLINED-1'))).toEqual([])
  expect(stored.filter((e) => /impact/i.test(e))).toEqual([])
})

test('accepted: TrackingConsent=true on the landing PageLoad and the conversion, click cookie written', async ({
  page,
  context,
  impact,
}) => {
  await consentMode(context, 'banner')
  await chosenBefore(page, 'accepted')
  await page.goto(`/?irclickid=${CLICK}`)
  const entries = await impact.waitFor((e) => only('PageLoad', e).length === 1, 'the landing PageLoad')
  expect(only('PageLoad', entries)[0]!.fields).toMatchObject({ ClickId: CLICK, TrackingConsent: 'true' })
  await expect.poll(async () => (await clickCookie(context))?.value).toBe(CLICK)
  await trackOrder(page, 'ACCEPTED-1')
  const after = await impact.waitFor((e) => only('Conversions', e).length === 1, 'the conversion')
  expect(only('Conversions', after)[0]!.fields).toMatchObject({
    OrderId: 'ACCEPTED-1',
    ClickId: CLICK,
    TrackingConsent: 'true',
  })
})

test('accepted later on the same page: exactly one landing PageLoad, after the choice', async ({
  page,
  context,
  impact,
}) => {
  await consentMode(context, 'banner')
  await page.goto(`/?irclickid=${CLICK}`)
  expect(await afterQuiet(page, impact)).toEqual([])
  expect(await clickCookie(context)).toBeUndefined()
  await page.click('#consent-accept')
  await impact.waitFor((e) => only('PageLoad', e).length === 1, 'the withheld landing PageLoad')
  const entries = await afterQuiet(page, impact)
  expect(entries).toHaveLength(1)
  expect(entries[0]!.fields).toMatchObject({ ClickId: CLICK, TrackingConsent: 'true' })
  expect(entries[0]!.fields.PageUrl).toContain(`irclickid=${CLICK}`)
  expect((await clickCookie(context))?.value).toBe(CLICK)
})

test('withdrawn: the click cookies are removed and later sales send nothing', async ({ page, context, impact }) => {
  await consentMode(context, 'banner')
  await page.goto(`/?irclickid=${CLICK}`)
  await page.click('#consent-accept')
  await impact.waitFor((e) => only('PageLoad', e).length === 1, 'the landing PageLoad')
  await expect.poll(async () => (await clickCookie(context))?.value).toBe(CLICK)
  await page.click('#consent-change')
  await page.click('#consent-reject')
  await expect.poll(async () => (await context.cookies()).filter((c) => c.name.startsWith('impact_'))).toEqual([])
  await trackOrder(page, 'WITHDRAWN-1')
  await page.goto('/product')
  await trackOrder(page, 'WITHDRAWN-2')
  const entries = await afterQuiet(page, impact)
  expect(only('Conversions', entries)).toEqual([])
  expect(only('PageLoad', entries)).toHaveLength(1)
  expect((await kept(page)).filter((e) => /impact|WITHDRAWN/i.test(e))).toEqual([])
})

test('sendWithoutConsent: declined visitors are sent with TrackingConsent=false and nothing stored', async ({
  page,
  context,
  impact,
}) => {
  await consentMode(context, 'send-without-consent')
  await chosenBefore(page, 'rejected')
  await page.goto(`/?irclickid=${CLICK}`)
  await trackOrder(page, 'NOCONSENT-1')
  const entries = await impact.waitFor(
    (e) => only('PageLoad', e).length === 1 && only('Conversions', e).length === 1,
    'a PageLoad and a conversion',
  )
  // The click id on the current URL is used; nothing is remembered.
  expect(only('PageLoad', entries)[0]!.fields).toMatchObject({ ClickId: CLICK, TrackingConsent: 'false' })
  expect(only('Conversions', entries)[0]!.fields).toMatchObject({
    OrderId: 'NOCONSENT-1',
    ClickId: CLICK,
    TrackingConsent: 'false',
  })
  await page.waitForTimeout(1000)
  expect((await kept(page)).filter((e) => /impact|NOCONSENT|ConsentClick/i.test(e))).toEqual([])
})

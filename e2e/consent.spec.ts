/**
 * Consent with real parts: Segment's consent tools (createWrapper) around real analytics-next, the
 * plugin's CDN bundle, the real relay and the strict fake Impact, with the consent platforms shops
 * really have. The demo's `banner` mode is a OneTrust-shaped platform wrapped as Segment's OneTrust
 * wrapper does it: every event reports every group, advertising (C0004) `false` before the visitor
 * answers. Other modes: its opt-in model with the categories from the CDN settings, no category
 * known at all, and a hand-wired banner that reports `{}` until the visitor answers. The mode is
 * chosen per browser with the demo's `demo_consent_mode` cookie.
 */
import type { BrowserContext, Page } from '@playwright/test'
import type { ConsentMode } from '../demo/server'
import { clickCookie, expect, only, registerProbe, test, type FakeImpactClient, type ImpactEntry } from './fixtures'

const CLICK = 'ConsentClick-4d5e6f'
/** Long enough for a late send: a retry, a replay after load, the withheld landing. */
const QUIET_MS = 3000
/** Identifiers the device stores: never sent without consent. */
const STORED_IDS = ['CustomProfileId', 'CustomerId', 'CustomerEmail']

/** Sets the shop's consent setup for this browser. */
async function consentMode(context: BrowserContext, mode: ConsentMode): Promise<void> {
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

/** The plugin's console errors (`[Impact] ...`). */
function impactErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().startsWith('[Impact]')) errors.push(message.text())
  })
  return errors
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

/** The consent an event carries on this page, as analytics-next hands it to destinations. */
function stampedConsent(page: Page): Promise<unknown> {
  return page.evaluate(async () => {
    type Analytics = { track(name: string): Promise<{ event: { context?: { consent?: unknown } } }> }
    const ctx = await (window as unknown as { demoAnalytics: Analytics }).demoAnalytics.track('Probe Consent')
    return ctx.event.context?.consent
  })
}

/** Buys through the cart: identify with the email, then the thank-you page's Order Completed. */
async function checkout(page: Page): Promise<string> {
  await page.goto('/cart')
  await page.click('#place-order')
  await page.waitForURL(/thank-you\?order=/)
  return new URL(page.url()).searchParams.get('order')!
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
async function afterQuiet(page: Page, impact: FakeImpactClient): Promise<ImpactEntry[]> {
  await page.waitForTimeout(QUIET_MS)
  return impact.entries()
}

/** Exactly one PageLoad, the landing's unique click with TrackingConsent=true. */
function expectLandingOnce(entries: ImpactEntry[]): void {
  const pageLoads = only('PageLoad', entries).filter((e) => e.fields.PageUrl?.includes(`irclickid=${CLICK}`))
  expect(pageLoads).toHaveLength(1)
  expect(pageLoads[0]!.fields).toMatchObject({ ClickId: CLICK, TrackingConsent: 'true' })
}

test.describe('OneTrust, opt-out model: every group reported, advertising false until Accept', () => {
  test.beforeEach(({ context }) => consentMode(context, 'banner'))

  test('Accept on the landing after the default refusal: the landing PageLoad once, the cookie, the sale credited', async ({
    page,
    context,
    impact,
  }) => {
    await page.goto(`/?irclickid=${CLICK}`)
    // What OneTrust reports before the visitor answers, stamped on every event.
    expect(await stampedConsent(page)).toEqual({ categoryPreferences: { C0001: true, C0002: false, C0004: false } })
    expect(await afterQuiet(page, impact)).toEqual([])
    expect(await clickCookie(context)).toBeUndefined()
    await page.click('#consent-accept')
    const entries = await impact.waitFor((e) => only('PageLoad', e).length === 1, 'the withheld landing PageLoad')
    expectLandingOnce(entries)
    await expect.poll(async () => (await clickCookie(context))?.value).toBe(CLICK)
    expect((await afterQuiet(page, impact)).length).toBe(1)
    // The sale, on a later page of the visit, carries the click.
    const order = await checkout(page)
    const after = await impact.waitFor((e) => only('Conversions', e).length === 1, 'the conversion')
    expect(only('Conversions', after)[0]!.fields).toMatchObject({
      OrderId: order,
      ClickId: CLICK,
      TrackingConsent: 'true',
    })
  })

  test('declined: no request to Impact or the relay, nothing stored, other destinations still receive events', async ({
    page,
    impact,
  }) => {
    const sent = watchTracking(page)
    await page.goto(`/?irclickid=${CLICK}`)
    await page.click('#consent-reject')
    const probe = await registerProbe(page)
    await trackOrder(page, 'DECLINED-1')
    await expect.poll(probe).toEqual(['Order Completed'])
    const order = await checkout(page)
    expect(await afterQuiet(page, impact)).toEqual([])
    expect(sent).toEqual([])
    const stored = await kept(page)
    expect(stored.filter((e) => e.includes(CLICK) || e.includes(order) || e.includes('DECLINED-1'))).toEqual([])
    expect(stored.filter((e) => /impact/i.test(e))).toEqual([])
  })

  test('accepted on an earlier visit: TrackingConsent=true on the landing PageLoad and the conversion', async ({
    page,
    context,
    impact,
  }) => {
    await chosenBefore(page, 'accepted')
    await page.goto(`/?irclickid=${CLICK}`)
    const entries = await impact.waitFor((e) => only('PageLoad', e).length === 1, 'the landing PageLoad')
    expectLandingOnce(entries)
    await expect.poll(async () => (await clickCookie(context))?.value).toBe(CLICK)
    await trackOrder(page, 'ACCEPTED-1')
    const after = await impact.waitFor((e) => only('Conversions', e).length === 1, 'the conversion')
    expect(only('Conversions', after)[0]!.fields).toMatchObject({
      OrderId: 'ACCEPTED-1',
      ClickId: CLICK,
      TrackingConsent: 'true',
    })
  })

  test('Reject, then Accept on the same page: the click was held, the landing PageLoad goes once', async ({
    page,
    context,
    impact,
  }) => {
    await page.goto(`/?irclickid=${CLICK}`)
    await page.click('#consent-reject')
    expect(await afterQuiet(page, impact)).toEqual([])
    expect(await clickCookie(context)).toBeUndefined()
    await page.click('#consent-change')
    await page.click('#consent-accept')
    await impact.waitFor((e) => only('PageLoad', e).length === 1, 'the landing PageLoad')
    expectLandingOnce(await afterQuiet(page, impact))
    expect((await clickCookie(context))?.value).toBe(CLICK)
  })

  test('withdrawn: every copy of the click cookie is removed (the relay set one) and later sales send nothing', async ({
    page,
    context,
    impact,
  }) => {
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
})

test.describe("OneTrust, opt-in model, categories from the CDN settings (the consent tools' filtering)", () => {
  test.beforeEach(({ context }) => consentMode(context, 'opt-in-cdn'))

  test('refused: the entry is filtered out, the plugin fails closed: nothing sent, nothing stored, one error', async ({
    page,
    impact,
  }) => {
    const sent = watchTracking(page)
    const errors = impactErrors(page)
    await page.goto(`/?irclickid=${CLICK}`)
    await page.click('#consent-reject')
    // Analytics loads once the banner is closed, its events stamped with the refusal.
    expect(await stampedConsent(page)).toEqual({ categoryPreferences: { C0001: true, C0002: false, C0004: false } })
    await trackOrder(page, 'OPTIN-REFUSED-1')
    expect(await afterQuiet(page, impact)).toEqual([])
    expect(sent).toEqual([])
    expect((await kept(page)).filter((e) => /impact|OPTIN/i.test(e))).toEqual([])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain('consentCategories')
  })

  test('accepted: tracked, the landing PageLoad with its click and the conversion', async ({
    page,
    context,
    impact,
  }) => {
    const errors = impactErrors(page)
    await page.goto(`/?irclickid=${CLICK}`)
    expect(await afterQuiet(page, impact)).toEqual([])
    await page.click('#consent-accept')
    const entries = await impact.waitFor((e) => only('PageLoad', e).length === 1, 'the landing PageLoad')
    expectLandingOnce(entries)
    await expect.poll(async () => (await clickCookie(context))?.value).toBe(CLICK)
    await trackOrder(page, 'OPTIN-1')
    const after = await impact.waitFor((e) => only('Conversions', e).length === 1, 'the conversion')
    expect(only('Conversions', after)[0]!.fields).toMatchObject({ OrderId: 'OPTIN-1', ClickId: CLICK })
    expect(errors).toEqual([])
  })
})

test('a consent tool on the page and no category known: nothing sent or stored, even after Accept; one error', async ({
  page,
  context,
  impact,
}) => {
  await consentMode(context, 'uncategorized')
  const sent = watchTracking(page)
  const errors = impactErrors(page)
  await page.goto(`/?irclickid=${CLICK}`)
  await page.click('#consent-accept')
  await trackOrder(page, 'UNCATEGORIZED-1')
  expect(await afterQuiet(page, impact)).toEqual([])
  expect(sent).toEqual([])
  expect((await kept(page)).filter((e) => /impact|UNCATEGORIZED/i.test(e))).toEqual([])
  expect(errors).toHaveLength(1)
  expect(errors[0]).toBe('[Impact] consent: no category known, nothing sent; set consentCategories')
})

test('sendWithoutConsent: the landing PageLoad at once, cookieless, and no stored identifier on any request', async ({
  page,
  context,
  impact,
}) => {
  await consentMode(context, 'send-without-consent')
  await page.goto(`/?irclickid=${CLICK}`)
  await page.click('#consent-reject')
  await page.evaluate(async () => {
    const w = window as unknown as { demoAnalytics: { identify(id: string, traits: object): Promise<unknown> } }
    await w.demoAnalytics.identify('user-42', { email: 'Jane.Doe@Example.com' })
  })
  await trackOrder(page, 'NOCONSENT-1')
  const entries = await impact.waitFor(
    (e) => only('PageLoad', e).length >= 1 && only('Conversions', e).length === 1,
    'the landing PageLoad and the conversion',
  )
  const landing = only('PageLoad', entries).find((e) => e.fields.PageUrl?.includes(`irclickid=${CLICK}`))
  expect(landing?.fields).toMatchObject({ ClickId: CLICK, TrackingConsent: 'false' })
  expect(only('Conversions', entries)[0]!.fields).toMatchObject({
    OrderId: 'NOCONSENT-1',
    ClickId: CLICK,
    TrackingConsent: 'false',
  })
  for (const entry of await afterQuiet(page, impact)) {
    expect(entry.fields.TrackingConsent).toBe('false')
    for (const id of STORED_IDS) expect(entry.fields, `${entry.endpoint} ${id}`).not.toHaveProperty(id)
  }
  expect((await kept(page)).filter((e) => /impact|NOCONSENT|ConsentClick/i.test(e))).toEqual([])
})

test('a hand-wired banner reporting {} until the visitor answers: Accept later sends the landing PageLoad once', async ({
  page,
  context,
  impact,
}) => {
  await consentMode(context, 'custom-banner')
  await page.goto(`/?irclickid=${CLICK}`)
  expect(await stampedConsent(page)).toEqual({ categoryPreferences: {} })
  expect(await afterQuiet(page, impact)).toEqual([])
  expect(await clickCookie(context)).toBeUndefined()
  await page.click('#consent-accept')
  await impact.waitFor((e) => only('PageLoad', e).length === 1, 'the withheld landing PageLoad')
  expectLandingOnce(await afterQuiet(page, impact))
  expect((await clickCookie(context))?.value).toBe(CLICK)
})

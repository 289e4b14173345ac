import { clickCookie, expect, only, registerProbe, test, type ImpactEntry } from './fixtures'

const PORT = Number(process.env.E2E_PORT ?? 4183)
const pageLoads = (entries: ImpactEntry[]): Array<Record<string, string>> =>
  only('PageLoad', entries).map((e) => e.fields)

test('a partner click is one unique click: a reload inside the window is a plain page load with the same ClickId', async ({
  page,
  impact,
  context,
}) => {
  await page.goto('/?irclickid=UniqueA1', { referer: 'https://partner.example.net/review' })
  await impact.waitFor((e) => pageLoads(e).length === 1, 'landing')
  await page.reload()
  const [landing, repeat] = pageLoads(await impact.waitFor((e) => pageLoads(e).length === 2, 'reload'))
  // The unique click carries the landing URL with its click id and the external referrer ...
  expect(landing).toMatchObject({ ClickId: 'UniqueA1', ReferringUrl: 'https://partner.example.net/review' })
  expect(landing!.PageUrl).toContain('irclickid=UniqueA1')
  // ... the repeat carries the session's ClickId but no click id in its URL, so Impact counts no second click.
  expect(repeat!.ClickId).toBe('UniqueA1')
  expect(repeat!.PageUrl).not.toContain('irclickid')
  const session = (await context.cookies()).find((c) => c.name === 'impact_click_session')
  expect(session).toBeDefined()
  // The click session is the 30-minute rolling window.
  const minutesLeft = (session!.expires * 1000 - Date.now()) / 60_000
  expect(minutesLeft).toBeGreaterThan(28)
  expect(minutesLeft).toBeLessThanOrEqual(30.1)
})

test('a new click id inside the window is a new unique click (last click wins)', async ({ page, impact, context }) => {
  await page.goto('/?irclickid=FirstClick')
  await impact.waitFor((e) => pageLoads(e).length === 1, 'first click')
  await page.goto('/?im_ref=SecondClick')
  const [, second] = pageLoads(await impact.waitFor((e) => pageLoads(e).length === 2, 'two clicks'))
  expect(second).toMatchObject({ ClickId: 'SecondClick', PageUrl: expect.stringContaining('im_ref=SecondClick') })
  expect((await clickCookie(context))?.value).toBe('SecondClick')
})

test('a single-page app route change is referred by the previous route, never the stale external referrer', async ({
  page,
  impact,
}) => {
  await page.goto('/?irclickid=SpaClick1', { referer: 'https://partner.example.net/' })
  await impact.waitFor((e) => pageLoads(e).length === 1, 'landing')
  await page.evaluate(async () => {
    history.pushState({}, '', '/product')
    await (window as unknown as { demoAnalytics: { page(): Promise<unknown> } }).demoAnalytics.page()
  })
  const [landing, route] = pageLoads(await impact.waitFor((e) => pageLoads(e).length === 2, 'route change'))
  expect(route!.ReferringUrl).toBe(landing!.PageUrl)
  expect(route!.ReferringUrl).not.toContain('partner.example.net')
  expect(route).toMatchObject({ ClickId: 'SpaClick1', PageUrl: expect.stringMatching(/\/product$/) })
})

test('a referral from another site is a unique click, and the click id Impact answers attributes the sale', async ({
  page,
  impact,
  context,
}) => {
  await page.goto('/', { referer: 'https://blog.partner.example.net/best-tents' })
  const [referral] = pageLoads(await impact.waitFor((e) => pageLoads(e).length === 1, 'referral'))
  expect(referral).toMatchObject({ ReferringUrl: 'https://blog.partner.example.net/best-tents' })
  expect(referral!.ClickId).toBeUndefined()
  // The fake answers a referral with a fresh clickId (as Impact does); the plugin keeps it. The fake logs
  // the request before the browser has read the answer, so wait for the cookie as a visitor's reading
  // time would: navigating within milliseconds abandons the answer (a limit the README states).
  const stored = async (): Promise<string | undefined> => (await clickCookie(context))?.value
  await expect.poll(stored).toMatch(/^fk[0-9a-f]{24}$/)
  await page.goto('/product')
  const [, next] = pageLoads(await impact.waitFor((e) => pageLoads(e).length === 2, 'next page'))
  expect(next!.ClickId).toMatch(/^fk[0-9a-f]{24}$/)
})

test('a click captured on www.shop.example.test is the ClickId of a PageLoad sent from checkout.shop.example.test', async ({
  page,
  impact,
  context,
}) => {
  await page.goto(`http://www.shop.example.test:${PORT}/?irclickid=SubdomainClick7`)
  await impact.waitFor((e) => pageLoads(e).length === 1, 'landing on www')
  const cookie = await clickCookie(context)
  // The registrable domain, found by probing: shared by every subdomain of the shop.
  expect(cookie).toMatchObject({ value: 'SubdomainClick7', domain: '.example.test', sameSite: 'Lax' })
  await page.goto(`http://checkout.shop.example.test:${PORT}/cart`)
  const [, checkout] = pageLoads(await impact.waitFor((e) => pageLoads(e).length === 2, 'checkout page'))
  expect(checkout).toMatchObject({
    ClickId: 'SubdomainClick7',
    PageUrl: `http://checkout.shop.example.test:${PORT}/cart`,
  })
})

test("a click already in Impact's own UTT cookie (IR_<campaignId>) keeps attributing after the switch", async ({
  page,
  impact,
  context,
}) => {
  await context.addCookies([
    { name: 'IR_12345', value: '1731000000000%7C0%7C1731000000000%7CUttClick42%7C', domain: '127.0.0.1', path: '/' },
  ])
  await page.goto('/product')
  const [view] = pageLoads(await impact.waitFor((e) => pageLoads(e).length === 1, 'page view'))
  expect(view!.ClickId).toBe('UttClick42')
})

test('with cookies disabled the click still attributes the page view and a sale on the same page', async ({
  page,
  impact,
}) => {
  // As a browser with cookies blocked behaves: document.cookie reads empty and ignores writes.
  await page.addInitScript(() => {
    Object.defineProperty(Document.prototype, 'cookie', { get: () => '', set: () => {} })
  })
  await page.goto('/product?irclickid=NoCookies1')
  await page.evaluate(() =>
    (window as unknown as { demoAnalytics: { track(n: string, p: object): Promise<unknown> } }).demoAnalytics.track(
      'Order Completed',
      {
        order_id: 'NO-COOKIES-1',
        revenue: 19,
      },
    ),
  )
  const entries = await impact.waitFor((e) => only('Conversions', e).length === 1, 'the conversion')
  expect(pageLoads(entries)[0]!.ClickId).toBe('NoCookies1')
  expect(only('Conversions', entries)[0]!.fields).toMatchObject({ ClickId: 'NoCookies1', OrderId: 'NO-COOKIES-1' })
})

test('with localStorage throwing, conversions still go out and other destinations keep receiving events', async ({
  page,
  impact,
}) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', {
      get() {
        throw new DOMException('The document is sandboxed', 'SecurityError')
      },
    })
  })
  await page.goto('/product?irclickid=NoStorage1')
  const probe = await registerProbe(page)
  await page.evaluate(() =>
    (window as unknown as { demoAnalytics: { track(n: string, p: object): Promise<unknown> } }).demoAnalytics.track(
      'Order Completed',
      {
        order_id: 'NO-STORAGE-1',
        revenue: 19,
      },
    ),
  )
  const received = await probe()
  expect(received).toEqual(['Order Completed'])
  const entries = await impact.waitFor((e) => only('Conversions', e).length === 1, 'the conversion')
  expect(only('Conversions', entries)[0]!.fields).toMatchObject({ ClickId: 'NoStorage1', OrderId: 'NO-STORAGE-1' })
})

test('one click cookie for plugin and relay: a newer click on checkout. replaces the one from www., on every subdomain', async ({
  page,
  impact,
  context,
}) => {
  const clickCookies = async () => (await context.cookies()).filter((c) => c.name === 'impact_click_id')
  await page.goto(`http://www.shop.example.test:${PORT}/?irclickid=WwwClick1`)
  await impact.waitFor((e) => pageLoads(e).length === 1, 'landing on www')
  // The plugin wrote it on the registrable domain, and the relay's Set-Cookie went to the same place.
  expect(await clickCookies()).toEqual([expect.objectContaining({ value: 'WwwClick1', domain: '.example.test' })])
  await page.goto(`http://checkout.shop.example.test:${PORT}/?irclickid=CheckoutClick2`)
  await impact.waitFor((e) => pageLoads(e).length === 2, 'a newer click on checkout')
  expect(await clickCookies()).toEqual([expect.objectContaining({ value: 'CheckoutClick2', domain: '.example.test' })])
  // Back on www, the newest click attributes.
  await page.goto(`http://www.shop.example.test:${PORT}/product`)
  const [, , product] = pageLoads(await impact.waitFor((e) => pageLoads(e).length === 3, 'www product page'))
  expect(product).toMatchObject({ ClickId: 'CheckoutClick2' })
})

/** Opens a page on `origin` that frames `src` in a hidden 1x1 frame (the demo's `/__demo/frame`). */
async function framingSite(page: import('@playwright/test').Page, origin: string, src: string): Promise<void> {
  await page.goto(`${origin}/__demo/frame?src=${encodeURIComponent(src)}`)
}

test('click stuffing: a hidden frame on another site loading the shop with a click id counts no click and stores none', async ({
  page,
  impact,
  context,
}) => {
  // localhost and 127.0.0.1 are different sites: the frame is third-party to the page around it.
  await framingSite(page, `http://localhost:${PORT}`, `http://127.0.0.1:${PORT}/?irclickid=Stuffed1`)
  const [framed] = pageLoads(await impact.waitFor((e) => pageLoads(e).length === 1, "the framed page's PageLoad"))
  expect(framed!.ClickId).toBeUndefined()
  expect(framed!.PageUrl).not.toContain('Stuffed1')
  expect(JSON.stringify(await impact.entries())).not.toContain('Stuffed1')
  expect(await clickCookie(context)).toBeUndefined()
  // The visitor later opens the shop themselves: no stuffed click attributes anything.
  await page.goto('/product')
  const [, own] = pageLoads(await impact.waitFor((e) => pageLoads(e).length === 2, 'a page view of their own'))
  expect(own!.ClickId).toBeUndefined()
})

test('a frame of the same site (www. framing checkout.) keeps its click', async ({ page, impact, context }) => {
  await framingSite(
    page,
    `http://www.shop.example.test:${PORT}`,
    `http://checkout.shop.example.test:${PORT}/?irclickid=FramedOk1`,
  )
  const [framed] = pageLoads(await impact.waitFor((e) => pageLoads(e).length === 1, "the framed page's PageLoad"))
  expect(framed).toMatchObject({ ClickId: 'FramedOk1', PageUrl: expect.stringContaining('irclickid=FramedOk1') })
  expect((await clickCookie(context))?.value).toBe('FramedOk1')
})

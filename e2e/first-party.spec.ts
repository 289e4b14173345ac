import type { BrowserContext, Page, Response } from '@playwright/test'
import { clickCookie, expect, only, test, type ImpactEntry } from './fixtures'

/**
 * First-party mode, as the demo runs it: the plugin posts PageLoads and conversions to the real
 * relay on the shop's own origin, which forwards them to (the fake) Impact and keeps the click in
 * a cookie set by the server, the one Safari does not cap at 7 days.
 */

const CLICK = 'FirstParty-1a2B.3_~'
const THIRTY_DAYS = 30 * 86_400

const pageLoads = (entries: ImpactEntry[]): ImpactEntry[] => only('PageLoad', entries)

/** The answer of the next PageLoad the page posts to the relay. */
const nextPageLoadAnswer = (page: Page): Promise<Response> =>
  page.waitForResponse((r) => new URL(r.url()).pathname === '/impact/pageload' && r.request().method() === 'POST')

/**
 * Makes the page's script unable to write the click cookie (reads still work), so a click cookie
 * the browser holds afterwards can only have come from the relay's Set-Cookie.
 */
async function refuseScriptClickCookie(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const native = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')!
    Object.defineProperty(Document.prototype, 'cookie', {
      configurable: true,
      get(this: Document) {
        return native.get!.call(this) as string
      },
      set(this: Document, value: string) {
        if (!String(value).startsWith('impact_click_id=')) native.set!.call(this, value)
      },
    })
  })
}

/**
 * Opens `path` with the page's script unable to write the click cookie, and returns the relay's
 * answer to the PageLoad it sends.
 */
async function visitWithoutScriptCookie(page: Page, path: string, referer?: string): Promise<Response> {
  await refuseScriptClickCookie(page.context())
  const answer = nextPageLoadAnswer(page)
  await page.goto(path, referer === undefined ? {} : { referer })
  return answer
}

/** Seconds until `expires` (a cookie's, in seconds since the epoch). */
const secondsLeft = (expires: number): number => expires - Date.now() / 1000

test("a landing's PageLoad reaches Impact through the relay with the visitor's IP and agent, and the relay sets the click for 30 days", async ({
  page,
  context,
  impact,
}) => {
  const response = await visitWithoutScriptCookie(page, `/?irclickid=${CLICK}`)
  expect(response.status()).toBe(200)
  expect(await response.headerValue('set-cookie')).toBe(
    `impact_click_id=${CLICK}; Max-Age=${THIRTY_DAYS}; Path=/; SameSite=Lax`,
  )
  const [landing] = pageLoads(await impact.waitFor((e) => pageLoads(e).length === 1, 'the landing PageLoad'))
  expect(landing!.hasAuthorization).toBe(false)
  expect(landing!.fields).toMatchObject({
    ClickId: CLICK,
    PageUrl: expect.stringContaining(`irclickid=${CLICK}`),
    IpAddress: '127.0.0.1',
    UserAgent: await page.evaluate(() => navigator.userAgent),
  })
  // The script could not write it: this cookie is the server's, living 30 days from the click.
  const cookie = await clickCookie(context)
  expect(cookie).toMatchObject({ value: CLICK, path: '/', sameSite: 'Lax', httpOnly: false, domain: '127.0.0.1' })
  expect(secondsLeft(cookie!.expires)).toBeGreaterThan(THIRTY_DAYS - 120)
  expect(secondsLeft(cookie!.expires)).toBeLessThanOrEqual(THIRTY_DAYS)
})

test("a referral's answered clickId becomes a server-set cookie and attributes a later sale", async ({
  page,
  context,
  impact,
}) => {
  const response = await visitWithoutScriptCookie(page, '/', 'https://blog.partner.example.net/best-tents')
  const body = (await response.json()) as { clickId?: string }
  expect(body.clickId).toMatch(/^fk[0-9a-f]{24}$/)
  expect(await response.headerValue('set-cookie')).toBe(
    `impact_click_id=${body.clickId}; Max-Age=${THIRTY_DAYS}; Path=/; SameSite=Lax`,
  )
  const [referral] = pageLoads(await impact.waitFor((e) => pageLoads(e).length === 1, 'the referral PageLoad'))
  expect(referral!.fields.ClickId).toBeUndefined()
  expect((await clickCookie(context))?.value).toBe(body.clickId)

  // A later page (nothing of the referral left in memory) buys: the server-set cookie attributes it.
  await page.goto('/cart')
  await page.click('#place-order')
  await page.waitForURL(/thank-you\?order=/)
  const entries = await impact.waitFor((e) => only('Conversions', e).length === 1, 'the conversion')
  expect(only('Conversions', entries)[0]!.fields).toMatchObject({ ClickId: body.clickId, IpAddress: '127.0.0.1' })
})

test('a plain page view sets no cookie, and does not renew a click', async ({ page, context, impact }) => {
  let answer = nextPageLoadAnswer(page)
  await page.goto('/product')
  expect(await (await answer).headerValue('set-cookie')).toBeNull()
  await impact.waitFor((e) => pageLoads(e).length === 1, 'the page view')
  expect(await clickCookie(context)).toBeUndefined()

  answer = nextPageLoadAnswer(page)
  await page.goto(`/?irclickid=${CLICK}`)
  expect(await (await answer).headerValue('set-cookie')).toMatch(/^impact_click_id=/)
  // The next page carries the click (its ClickId) but is no landing: the click's lifetime is not renewed.
  answer = nextPageLoadAnswer(page)
  await page.goto('/cart')
  expect(await (await answer).headerValue('set-cookie')).toBeNull()
  const entries = await impact.waitFor((e) => pageLoads(e).length === 3, 'the next page view')
  expect(pageLoads(entries)[2]!.fields.ClickId).toBe(CLICK)
})

test("from landing to sale, the browser talks to the shop's origin only", async ({
  page,
  context,
  impact,
  baseURL,
}) => {
  const origins = new Set<string>()
  context.on('request', (request) => origins.add(new URL(request.url()).origin))
  await page.goto(`/?irclickid=${CLICK}`)
  await expect.poll(async () => (await clickCookie(context))?.value).toBe(CLICK)
  await page.goto('/cart')
  await page.click('#place-order')
  await page.waitForURL(/thank-you\?order=/)
  const entries = await impact.waitFor(
    (e) => only('Conversions', e).length === 1 && pageLoads(e).length >= 3,
    'the PageLoads and the conversion',
  )
  expect(only('Conversions', entries)[0]!.fields.ClickId).toBe(CLICK)
  // Let the panel poll at least once more (it reads the fake's log through the shop's origin).
  await page.waitForTimeout(1500)
  expect([...origins]).toEqual([new URL(baseURL!).origin])
})

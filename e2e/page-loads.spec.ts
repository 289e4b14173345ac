import { createHash } from 'node:crypto'
import { clickCookie, expect, only, test } from './fixtures'

const CLICK = 'E2eClick-1a2B3c.4_~'

test('a partner landing sends a valid PageLoad with its ClickId and keeps the click in a first-party cookie', async ({
  page,
  impact,
  context,
}) => {
  await page.goto(`/?irclickid=${CLICK}&utm_source=partner`)
  const entries = await impact.waitFor((e) => only('PageLoad', e).length === 1, 'one PageLoad')
  const [pageLoad] = only('PageLoad', entries)
  expect(pageLoad?.fields).toMatchObject({
    CampaignId: '12345',
    ClickId: CLICK,
    PageUrl: expect.stringContaining(`irclickid=${CLICK}`),
  })
  expect(pageLoad?.fields.CustomProfileId).toMatch(/^[0-9a-f-]{36}$/)
  const cookie = await clickCookie(context)
  expect(cookie).toMatchObject({ value: CLICK, path: '/', sameSite: 'Lax', secure: false })
  // Host-only on an IP address, living cookieMaxAgeDays (30) days.
  expect(cookie?.domain).toBe('127.0.0.1')
  expect(cookie!.expires * 1000 - Date.now()).toBeGreaterThan(29 * 86_400_000)
})

test('the next page, without the parameter, carries the same ClickId', async ({ page, impact }) => {
  await page.goto(`/?irclickid=${CLICK}`)
  await impact.waitFor((e) => only('PageLoad', e).length === 1, 'landing PageLoad')
  await page.click('#partner-link ~ a, a[href="/product"] >> nth=-1')
  await expect(page).toHaveURL(/\/product$/)
  const entries = await impact.waitFor((e) => only('PageLoad', e).length === 2, 'second PageLoad')
  const second = only('PageLoad', entries)[1]!
  expect(second.fields.ClickId).toBe(CLICK)
  expect(second.fields.PageUrl).toMatch(/\/product$/)
  expect(second.fields.ReferringUrl).toContain(`irclickid=${CLICK}`)
})

test('identify sends CustomerId and the SHA-1 of the email, never the address', async ({ page, impact }) => {
  const requests: string[] = []
  page.on('request', (r) => requests.push(`${r.url()} ${r.postData() ?? ''}`))
  await page.goto('/cart')
  await page.fill('#email', '  Jane.Doe@Example.com ')
  await page.click('#place-order')
  const entries = await impact.waitFor(
    (e) => only('PageLoad', e).some((p) => p.fields.CustomerId === 'user-42'),
    'identify PageLoad',
  )
  const identify = only('PageLoad', entries).find((p) => p.fields.CustomerId === 'user-42')!
  expect(identify.fields.CustomerEmail).toBe(createHash('sha1').update('jane.doe@example.com').digest('hex'))
  await page.waitForURL(/thank-you/)
  const leaked = requests.filter((r) => /jane\.doe(%40|@)example/i.test(r))
  expect(leaked).toEqual([])
})

for (const [name, value] of [
  ['a cookie-breaking value', 'a;b=c'],
  ['markup', '<script>alert(1)</script>'],
  ['65 characters', 'x'.repeat(65)],
] as const) {
  test(`a malformed irclickid (${name}) is never stored or sent`, async ({ page, impact, context }) => {
    await page.goto(`/?irclickid=${encodeURIComponent(value)}`)
    const entries = await impact.waitFor((e) => only('PageLoad', e).length === 1, 'landing PageLoad')
    expect(only('PageLoad', entries)[0]!.fields.ClickId).toBeUndefined()
    expect(await clickCookie(context)).toBeUndefined()
    expect(JSON.stringify(await context.cookies())).not.toContain(value.slice(0, 20))
  })
}

test("integrations: { 'Impact Partnership Cloud': false } sends nothing for that event", async ({ page, impact }) => {
  await page.goto('/product')
  await impact.waitFor((e) => only('PageLoad', e).length === 1, 'the page view')
  await page.evaluate(async () => {
    const analytics = (window as unknown as { demoAnalytics: { page(...a: unknown[]): Promise<unknown> } })
      .demoAnalytics
    await analytics.page('Muted', {}, { integrations: { 'Impact Partnership Cloud': false } })
    await analytics.page('Heard')
  })
  const entries = await impact.waitFor((e) => only('PageLoad', e).length >= 2, 'the unmuted page view')
  await page.waitForTimeout(300)
  expect(only('PageLoad', await impact.entries())).toHaveLength(2)
  expect(entries.length).toBeGreaterThanOrEqual(2)
})

test('two copies of the plugin on one page (the CDN factory registered twice): one PageLoad per page view, one conversion, one warning', async ({
  page,
  impact,
}) => {
  const warnings: string[] = []
  page.on('console', (m) => m.type() === 'warning' && m.text().startsWith('[Impact]') && warnings.push(m.text()))
  await page.goto(`/?irclickid=${CLICK}`)
  await impact.waitFor((e) => only('PageLoad', e).length === 1, 'the landing PageLoad')
  await page.evaluate(async () => {
    type W = {
      demoAnalytics: {
        register(p: unknown): Promise<unknown>
        page(): Promise<unknown>
        track(n: string, p: object): Promise<unknown>
      }
      ImpactPartnershipCloud: (s: unknown) => unknown
      DEMO: { settings: unknown }
    }
    const w = window as unknown as W
    await w.demoAnalytics.register(w.ImpactPartnershipCloud(w.DEMO.settings))
    await w.demoAnalytics.page()
    await w.demoAnalytics.track('Order Completed', { order_id: 'TWICE-1', total: 10, currency: 'USD' })
  })
  await impact.waitFor((e) => only('Conversions', e).length === 1, 'the conversion')
  await page.waitForTimeout(2000)
  const entries = await impact.entries()
  expect(only('PageLoad', entries)).toHaveLength(2)
  expect(only('Conversions', entries).map((e) => e.fields.OrderId)).toEqual(['TWICE-1'])
  expect(warnings).toEqual(['[Impact] already active: this copy stays inactive'])
})

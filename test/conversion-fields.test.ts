import type { SegmentEvent } from '@segment/analytics-next'
import { describe, expect, it, vi } from 'vitest'
import { validateConversion } from '../demo/fake-impact/index'
import { SEGMENT_ORDER_COMPLETED } from '../demo/segment-order-example'
import { conversionFields } from '../src/plugin/conversion-fields'
import { EMAIL_SHA1, resolved } from './support/settings'

const NOW = Date.parse('2024-05-01T10:00:00.000Z')
const identity = { clickId: 'abc123', customerEmail: EMAIL_SHA1 }

const trackEvent = (properties: Record<string, unknown>, change: Partial<SegmentEvent> = {}): SegmentEvent => ({
  type: 'track',
  event: 'Order Completed',
  anonymousId: 'anon-1',
  userId: 'user-1',
  messageId: 'ajs-next-1714557600000-msg',
  timestamp: new Date('2024-05-01T09:59:00.000Z'),
  properties,
  context: {},
  ...change,
})

const MONEY =
  /^(?:Order(?:Shipping|Tax|Discount|SubTotalPostDiscount|Margin)|Amount|Money\d+|Item(?:Price|SubTotal|Discount|TotalDiscount)\d+)$/

/** Impact's rules every conversion must meet, whatever went in. */
function expectImpactAccepts(fields: Record<string, string>): void {
  if (Object.keys(fields).some((k) => MONEY.test(k))) expect(fields).toHaveProperty('CurrencyCode')
  for (const key of Object.keys(fields)) {
    const item = /^ItemPrice(\d+)$/.exec(key)?.[1]
    if (item) expect(fields, `item ${item}`).not.toHaveProperty('ItemSubTotal' + item)
  }
  for (const [key, value] of Object.entries(fields)) expect(value.trim(), key).not.toBe('')
  expect(validateConversion(fields)).toEqual([])
}

describe("Segment's Order Completed example", () => {
  it('maps to exactly these Impact fields', () => {
    const note = vi.fn()
    const fields = conversionFields(trackEvent(SEGMENT_ORDER_COMPLETED), resolved({}), identity, false, NOW, note)
    expect(fields).toEqual({
      CampaignId: '1000',
      EventTypeCode: 'Order Completed',
      EventDate: '2024-05-01T09:59:00.000Z',
      OrderId: '50314b8e9bcf000000000000',
      ClickId: 'abc123',
      CustomerId: 'user-1',
      CustomProfileId: 'anon-1',
      CustomerEmail: EMAIL_SHA1,
      CurrencyCode: 'USD',
      OrderPromoCode: 'hasbros',
      OrderShipping: '3',
      OrderTax: '2',
      OrderDiscount: '2.5',
      ItemSku1: '45790-32',
      ItemName1: 'Monopoly: 3rd Edition',
      ItemCategory1: 'Games',
      ItemQuantity1: '1',
      ItemSubTotal1: '19',
      ItemSku2: '46493-32',
      ItemName2: 'Uno Card Game',
      ItemCategory2: 'Games',
      ItemQuantity2: '2',
      ItemSubTotal2: '6',
    })
    expect(note).not.toHaveBeenCalled()
    expectImpactAccepts(fields)
  })

  it('does not touch the event it reads', () => {
    const event = trackEvent(structuredClone(SEGMENT_ORDER_COMPLETED))
    const before = structuredClone(event)
    conversionFields(
      event,
      resolved({ customMappingForProducts: { ItemPrice: 'price' } }),
      identity,
      false,
      NOW,
      () => {},
    )
    expect(event).toEqual(before)
  })
})

describe('conversionFields', () => {
  const product = (p: Record<string, unknown>) => ({ sku: 'SKU-1', name: 'Ball', price: 10, quantity: 1, ...p })

  // Each row: event properties (and optional settings, event change, install flag), the fields
  // expected (undefined: must be absent), and whether a note is expected.
  const cases: Array<{
    name: string
    properties: Record<string, unknown>
    settings?: Record<string, unknown>
    event?: Partial<SegmentEvent>
    install?: boolean
    expected: Record<string, string | undefined>
    /** A note matching this is expected; 'any': notes are not checked; absent: no note. */
    noted?: RegExp | 'any'
  }> = [
    {
      name: 'no products: OrderSubTotalPostDiscount from subtotal, never OrderDiscount',
      properties: { subtotal: 22.5, revenue: 25, total: 27.5, discount: 2.5 },
      expected: { OrderSubTotalPostDiscount: '22.5', OrderDiscount: undefined, CurrencyCode: 'USD' },
    },
    {
      name: 'no products: else from revenue',
      properties: { revenue: 25, total: 27.5, discount: 2.5 },
      expected: { OrderSubTotalPostDiscount: '25', OrderDiscount: undefined },
    },
    {
      name: 'no products: else from total',
      properties: { total: 27.5, discount: 2.5 },
      expected: { OrderSubTotalPostDiscount: '27.5', OrderDiscount: undefined },
    },
    {
      name: 'no products, subtotal not a number: dropped with a note, revenue used',
      properties: { subtotal: 'n/a', revenue: 25 },
      expected: { OrderSubTotalPostDiscount: '25' },
      noted: /not a number/i,
    },
    {
      name: 'empty products list: treated as no products',
      properties: { products: [], subtotal: 10, discount: 1 },
      expected: { OrderSubTotalPostDiscount: '10', OrderDiscount: undefined, ItemSku1: undefined },
    },
    {
      name: 'with products: OrderDiscount, and never OrderSubTotalPostDiscount',
      properties: { products: [product({})], subtotal: 9, discount: 1 },
      expected: { OrderDiscount: '1', OrderSubTotalPostDiscount: undefined, ItemSubTotal1: '10' },
    },
    {
      name: 'eventTypeId set: EventTypeId and no EventTypeCode',
      properties: { order_id: 'O-1', total: 5 },
      settings: { eventTypeId: '42' },
      expected: { EventTypeId: '42', EventTypeCode: undefined },
    },
    {
      name: 'EventTypeCode is the Segment event name',
      properties: { order_id: 'O-1' },
      event: { event: 'Subscription Started' },
      expected: { EventTypeCode: 'Subscription Started', CurrencyCode: undefined },
    },
    {
      name: 'OrderId falls back to checkout_id',
      properties: { checkout_id: 'chk-9' },
      expected: { OrderId: 'chk-9' },
    },
    {
      name: 'OrderId falls back to checkout_id for a blank order_id',
      properties: { order_id: '  ', checkout_id: 'chk-9' },
      expected: { OrderId: 'chk-9' },
    },
    {
      name: 'OrderId falls back to messageId',
      properties: {},
      expected: { OrderId: 'ajs-next-1714557600000-msg' },
    },
    {
      name: 'OrderId cut to 64 characters',
      properties: { order_id: 'o'.repeat(100) },
      expected: { OrderId: 'o'.repeat(64) },
    },
    {
      name: 'a numeric order_id as text',
      properties: { order_id: 50314 },
      expected: { OrderId: '50314' },
    },
    {
      name: 'money rounded to 2 decimals',
      properties: { products: [product({ price: 19.999 })], shipping: 3.456, tax: 1.994 },
      expected: { ItemSubTotal1: '20', OrderShipping: '3.46', OrderTax: '1.99' },
    },
    {
      name: 'line subtotal without float noise (19.99 x 3)',
      properties: { products: [product({ price: 19.99, quantity: 3 })] },
      expected: { ItemSubTotal1: '59.97', ItemQuantity1: '3' },
    },
    {
      // ItemSubTotal = price x quantity, rounded once: rounding the unit price first
      // (1.999 -> 2.00) overstates a 40-unit line by 4 cents.
      name: 'line subtotal is price x quantity rounded once (1.999 x 40 = 79.96)',
      properties: { products: [product({ price: 1.999, quantity: 40 })] },
      expected: { ItemSubTotal1: '79.96', ItemQuantity1: '40' },
    },
    {
      name: 'numeric strings accepted as money',
      properties: { products: [product({ price: '19.99' })], shipping: '4.5', tax: ' 2 ' },
      expected: { ItemSubTotal1: '19.99', OrderShipping: '4.5', OrderTax: '2' },
    },
    {
      name: 'non-numbers dropped with a note',
      properties: { order_id: 'O-1', shipping: 'free', tax: { amount: 2 }, subtotal: 10 },
      expected: { OrderShipping: undefined, OrderTax: undefined, OrderSubTotalPostDiscount: '10' },
      noted: /OrderShipping/,
    },
    {
      name: 'Infinity is not money',
      properties: { order_id: 'O-1', shipping: Number.POSITIVE_INFINITY, subtotal: 10 },
      expected: { OrderShipping: undefined },
      noted: /OrderShipping/,
    },
    {
      name: 'currency upper-cased',
      properties: { total: 10, currency: 'eur' },
      expected: { CurrencyCode: 'EUR' },
    },
    {
      name: "'USD' when money is sent and no currency",
      properties: { total: 10 },
      expected: { CurrencyCode: 'USD' },
    },
    {
      name: 'no CurrencyCode when no money and no currency',
      properties: { order_id: 'O-1' },
      expected: { CurrencyCode: undefined },
    },
    {
      name: 'quantity defaults to 1',
      properties: { products: [{ sku: 'S', price: 5 }] },
      expected: { ItemQuantity1: '1', ItemSubTotal1: '5' },
    },
    {
      name: 'quantity as a numeric string',
      properties: { products: [product({ quantity: '3' })] },
      expected: { ItemQuantity1: '3', ItemSubTotal1: '30' },
    },
    {
      name: 'quantity 0 -> 1 with a note',
      properties: { products: [product({ quantity: 0 })] },
      expected: { ItemQuantity1: '1', ItemSubTotal1: '10' },
      noted: /quantity/i,
    },
    {
      name: 'quantity 2.5 -> 1 with a note',
      properties: { products: [product({ quantity: 2.5 })] },
      expected: { ItemQuantity1: '1' },
      noted: /quantity/i,
    },
    {
      name: "quantity 'many' -> 1 with a note",
      properties: { products: [product({ quantity: 'many' })] },
      expected: { ItemQuantity1: '1' },
      noted: /quantity/i,
    },
    {
      name: 'ItemSku from product_id when there is no sku',
      properties: { products: [{ product_id: '507f1f77bcf86cd799439011', price: 19 }] },
      expected: { ItemSku1: '507f1f77bcf86cd799439011' },
    },
    {
      name: 'ItemBrand and ItemPromoCode from brand and coupon',
      properties: { products: [product({ brand: 'Hasbro', coupon: 'TOYS10' })] },
      expected: { ItemBrand1: 'Hasbro', ItemPromoCode1: 'TOYS10' },
    },
    {
      name: 'customMappingForProducts { ItemPrice: price } replaces ItemSubTotal',
      properties: { products: [product({ price: 19, quantity: 2 })] },
      settings: { customMappingForProducts: { ItemPrice: 'price' } },
      expected: { ItemPrice1: '19', ItemSubTotal1: undefined, ItemQuantity1: '2' },
    },
    {
      name: 'customMappingForProducts [{ key: ItemPrice, value: price }] (list form) does the same',
      properties: { products: [product({ price: 19, quantity: 2 })] },
      settings: { customMappingForProducts: [{ key: 'ItemPrice', value: 'price' }] },
      expected: { ItemPrice1: '19', ItemSubTotal1: undefined, ItemQuantity1: '2' },
    },
    {
      name: 'customMappingForProducts ItemPrice on a product without that field keeps ItemSubTotal',
      properties: { products: [product({ price: undefined, list_price: undefined })] },
      settings: { customMappingForProducts: { ItemPrice: 'list_price' } },
      expected: { ItemPrice1: undefined, ItemSubTotal1: '0' },
      noted: 'any',
    },
    {
      name: 'customMappingForProducts overrides the built-in ItemSku',
      properties: { products: [product({ sku: '45790-32', product_id: '507f1f77bcf86cd799439011' })] },
      settings: { customMappingForProducts: [{ key: 'ItemSku', value: 'product_id' }] },
      expected: { ItemSku1: '507f1f77bcf86cd799439011' },
    },
    {
      name: 'customMappingForProducts with a nested product path',
      properties: { products: [product({ variant: { color: 'red' } })] },
      settings: { customMappingForProducts: { ItemSubCategory: 'variant.color' } },
      expected: { ItemSubCategory1: 'red' },
    },
    {
      name: 'customParameterMapping properties.customer_status -> CustomerStatus',
      properties: { order_id: 'O-1', customer_status: 'returning' },
      settings: { customParameterMapping: { CustomerStatus: 'properties.customer_status' } },
      expected: { CustomerStatus: 'returning' },
    },
    {
      name: 'customParameterMapping context.traits path (list form)',
      properties: { order_id: 'O-1' },
      event: { context: { traits: { plan: 'gold' } } },
      settings: { customParameterMapping: [{ key: 'Text1', value: 'context.traits.plan' }] },
      expected: { Text1: 'gold' },
    },
    {
      name: 'customParameterMapping to a missing path adds nothing',
      properties: { order_id: 'O-1' },
      settings: { customParameterMapping: { CustomerStatus: 'properties.nope' } },
      expected: { CustomerStatus: undefined },
    },
    {
      name: 'customParameterMapping overrides a built-in field (OrderPromoCode)',
      properties: { order_id: 'O-1', coupon: 'hasbros', promo: 'PARTNER20' },
      settings: { customParameterMapping: { OrderPromoCode: 'properties.promo' } },
      expected: { OrderPromoCode: 'PARTNER20' },
    },
    {
      // "customParameterMapping ... add or override fields": a CurrencyCode mapped from the event
      // must not be replaced by the 'USD' default.
      name: 'customParameterMapping overrides CurrencyCode',
      properties: { order_id: 'O-1', total: 10, currency_code: 'EUR' },
      settings: { customParameterMapping: { CurrencyCode: 'properties.currency_code' } },
      expected: { CurrencyCode: 'EUR' },
    },
    {
      name: 'install: AppPackage and AppVer from context.app',
      properties: {},
      event: { event: 'Application Installed', context: { app: { namespace: 'com.shop.app', version: '3.2.1' } } },
      install: true,
      expected: { AppPackage: 'com.shop.app', AppVer: '3.2.1', EventTypeCode: 'Application Installed' },
    },
    {
      name: 'install from an Android web view: PropertyId too',
      properties: {},
      settings: { androidAppId: '222' },
      event: {
        event: 'Application Installed',
        context: { app: { namespace: 'com.shop.app' }, device: { type: 'android' } },
      },
      install: true,
      expected: { AppPackage: 'com.shop.app', PropertyId: '222', EventTypeCode: 'Application Installed' },
    },
    {
      name: 'not an install: no AppPackage or AppVer even with context.app',
      properties: { order_id: 'O-1' },
      event: { context: { app: { namespace: 'com.shop.app', version: '3.2.1' } } },
      expected: { AppPackage: undefined, AppVer: undefined },
    },
  ]

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const note = vi.fn()
    const fields = conversionFields(
      trackEvent(c.properties, c.event),
      resolved(c.settings ?? {}),
      identity,
      c.install ?? false,
      NOW,
      note,
    )
    for (const [key, value] of Object.entries(c.expected)) {
      if (value === undefined) expect(fields, key).not.toHaveProperty(key)
      else expect(fields[key], key).toBe(value)
    }
    if (c.noted instanceof RegExp) expect(note).toHaveBeenCalledWith(expect.stringMatching(c.noted))
    else if (c.noted === undefined) expect(note).not.toHaveBeenCalled()
    expectImpactAccepts(fields)
  })

  it('always carries CampaignId, EventDate, the visitor and the click', () => {
    const fields = conversionFields(trackEvent({ order_id: 'O-1' }), resolved({}), identity, false, NOW, () => {})
    expect(fields).toMatchObject({
      CampaignId: '1000',
      EventDate: '2024-05-01T09:59:00.000Z',
      ClickId: 'abc123',
      CustomerEmail: EMAIL_SHA1,
      CustomerId: 'user-1',
      CustomProfileId: 'anon-1',
    })
  })

  it('a product that is not an object still yields a complete item', () => {
    const note = vi.fn()
    const fields = conversionFields(trackEvent({ products: [null] }), resolved({}), identity, false, NOW, note)
    expect(fields).toMatchObject({ ItemSku1: 'unknown', ItemQuantity1: '1', ItemSubTotal1: '0' })
    expect(note).toHaveBeenCalled()
    expectImpactAccepts(fields)
  })
})

describe('mapped values get the built-in checks (issue 12)', () => {
  const order = (properties: Record<string, unknown>) => trackEvent({ order_id: 'O-1', ...properties })
  const map = (event: SegmentEvent, settings: Record<string, unknown>, note = vi.fn()) =>
    conversionFields(event, resolved(settings), identity, false, NOW, note)

  it('Text1 mapped to a 100-character value is cut to 64 and the sale is valid', () => {
    const note = vi.fn()
    const fields = map(
      order({ affiliation: 'a'.repeat(100), total: 10 }),
      { customParameterMapping: { Text1: 'properties.affiliation' } },
      note,
    )
    expect(fields.Text1).toBe('a'.repeat(64))
    expectImpactAccepts(fields)
  })

  it('OrderShipping mapped to "5,00" is dropped with a note; "5.00" is sent as 5', () => {
    const note = vi.fn()
    const mapping = { customParameterMapping: { OrderShipping: 'properties.ship' } }
    const dropped = map(order({ ship: '5,00', total: 10 }), mapping, note)
    expect(dropped).not.toHaveProperty('OrderShipping')
    expect(note).toHaveBeenCalledWith(expect.stringMatching(/OrderShipping "5,00" dropped/))
    expectImpactAccepts(dropped)
    const kept = map(order({ ship: '5.00', total: 10 }), mapping)
    expect(kept.OrderShipping).toBe('5')
    expectImpactAccepts(kept)
  })

  it('ItemQuantity mapped to 2.5 is dropped: the item keeps its own quantity and stays valid', () => {
    const note = vi.fn()
    const product = { sku: 'S-1', price: 4, quantity: 2, qty: 2.5 }
    const fields = map(order({ products: [product] }), { customMappingForProducts: { ItemQuantity: 'qty' } }, note)
    expect(fields).toMatchObject({ ItemQuantity1: '2', ItemSubTotal1: '8' })
    expect(note).toHaveBeenCalledWith(expect.stringMatching(/ItemQuantity1 "2.5" dropped/))
    expectImpactAccepts(fields)
  })

  it('mapped money is rounded to cents, ids and quantities must be positive integers', () => {
    const fields = map(order({ m: 3.456, qty: '3', gift: 'TRUE', day: '2024-05-01T10:00:00Z', media: 'x' }), {
      customParameterMapping: {
        Money1: 'properties.m',
        GiftPurchase: 'properties.gift',
        Date1: 'properties.day',
        MediaId: 'properties.media',
      },
    })
    expect(fields).toMatchObject({ Money1: '3.46', GiftPurchase: 'true', Date1: '2024-05-01T10:00:00.000Z' })
    expect(fields).not.toHaveProperty('MediaId')
    expectImpactAccepts(fields)
  })

  it('money too large for a plain decimal is dropped, not sent as 1e+25', () => {
    const fields = map(order({ shipping: 1e25, total: 10 }), {})
    expect(fields).not.toHaveProperty('OrderShipping')
    expectImpactAccepts(fields)
  })

  it('{i} places the item index inside a product mapping key; without it the index is appended', () => {
    const products = [
      { sku: 'A', price: 1, color: 'red' },
      { sku: 'B', price: 2, color: 'blue' },
    ]
    const fields = map(order({ products }), {
      customMappingForProducts: { 'ItemText{i}_1': 'color', ItemMpn: 'sku' },
    })
    expect(fields).toMatchObject({ ItemText1_1: 'red', ItemText2_1: 'blue', ItemMpn1: 'A', ItemMpn2: 'B' })
    expect(fields).not.toHaveProperty('ItemText{i}_11')
    expectImpactAccepts(fields)
  })

  it('an item never carries both ItemPrice and ItemSubTotal, whichever mapping sets the price', () => {
    const products = [{ sku: 'A', price: 3, quantity: 2 }]
    const viaOrder = map(order({ products, p: 3 }), { customParameterMapping: { ItemPrice1: 'properties.p' } })
    expect(viaOrder).toMatchObject({ ItemPrice1: '3' })
    expect(viaOrder).not.toHaveProperty('ItemSubTotal1')
    expectImpactAccepts(viaOrder)
  })

  it('mapped item fields for an item that does not exist, or a subtotal beside items, are dropped', () => {
    const note = vi.fn()
    const products = [{ sku: 'A', price: 3 }]
    const fields = map(
      order({ products, x: 'y', s: 9 }),
      { customParameterMapping: { ItemText2_1: 'properties.x', OrderSubTotalPostDiscount: 'properties.s' } },
      note,
    )
    expect(fields).not.toHaveProperty('ItemText2_1')
    expect(fields).not.toHaveProperty('OrderSubTotalPostDiscount')
    expect(note).toHaveBeenCalledTimes(2)
    expectImpactAccepts(fields)
  })

  it('a mapped EventTypeId replaces the built-in EventTypeCode', () => {
    const fields = map(order({ type: 77 }), { customParameterMapping: { EventTypeId: 'properties.type' } })
    expect(fields).toMatchObject({ EventTypeId: '77' })
    expect(fields).not.toHaveProperty('EventTypeCode')
    expectImpactAccepts(fields)
  })

  it('cuts at a character boundary: never half of an emoji', () => {
    const fields = map(trackEvent({ order_id: 'o'.repeat(63) + '😀😀' }), {})
    expect(fields.OrderId).toBe('o'.repeat(63))
    const text = map(order({ t: 'x'.repeat(62) + '😀' + 'y' }), { customParameterMapping: { Text1: 'properties.t' } })
    expect(text.Text1).toBe('x'.repeat(62) + '😀')
    expectImpactAccepts(text)
  })
})

describe('CurrencyCode and defaultCurrency', () => {
  const log = () => ({ debug: vi.fn(), warn: vi.fn() })
  const run = (properties: Record<string, unknown>, settings: Record<string, unknown> = {}, out = log()) =>
    conversionFields(
      trackEvent({ order_id: 'O-1', total: 10, ...properties }),
      resolved(settings),
      identity,
      false,
      NOW,
      out,
    )

  it.each([['EURO'], ['€'], ['12']])(
    'an invalid currency %j: defaultCurrency, with a warning naming it',
    (currency) => {
      const out = log()
      const fields = run({ currency }, { defaultCurrency: 'EUR' }, out)
      expect(fields.CurrencyCode).toBe('EUR')
      expect(out.warn).toHaveBeenCalledWith(expect.stringContaining(JSON.stringify(currency)))
      expectImpactAccepts(fields)
    },
  )

  it('money without a currency: defaultCurrency, no warning', () => {
    const out = log()
    expect(run({}, { defaultCurrency: 'eur' }, out).CurrencyCode).toBe('EUR')
    expect(out.warn).not.toHaveBeenCalled()
  })

  it('the event currency wins over defaultCurrency, upper-cased', () => {
    expect(run({ currency: 'gbp' }, { defaultCurrency: 'EUR' }).CurrencyCode).toBe('GBP')
  })

  it('no money: no CurrencyCode, whatever defaultCurrency says', () => {
    const fields = conversionFields(
      trackEvent({ order_id: 'O-1' }),
      resolved({ defaultCurrency: 'EUR' }),
      identity,
      false,
      NOW,
      () => {},
    )
    expect(fields).not.toHaveProperty('CurrencyCode')
  })
})

describe('hostile event payloads (throwing getters, Proxies) never cost the sale', () => {
  const boom = (): never => {
    throw new Error('boom')
  }
  const hostile = <T extends object>(target: T): T => new Proxy(target, { get: boom, has: boom, ownKeys: boom })

  it.each([
    [
      'a throwing getter on properties.email',
      () => Object.defineProperty({ order_id: 'O-1', total: 5 }, 'email', { get: boom, enumerable: true }),
    ],
    [
      'a throwing getter on shipping',
      () => Object.defineProperty({ order_id: 'O-1', total: 5 }, 'shipping', { get: boom, enumerable: true }),
    ],
    ['a Proxy as products', () => ({ order_id: 'O-1', products: hostile([{ sku: 'A', price: 1 }]) })],
    ['a Proxy as one product', () => ({ order_id: 'O-1', products: [{ sku: 'A', price: 1 }, hostile({ sku: 'B' })] })],
    [
      'a product whose price getter throws',
      () => ({ order_id: 'O-1', products: [Object.defineProperty({ sku: 'A' }, 'price', { get: boom })] }),
    ],
    ['a timestamp whose valueOf throws', () => ({ order_id: 'O-1' })],
  ])('%s', (_name, properties) => {
    const note = vi.fn()
    const event = trackEvent(properties(), {
      context: hostile({}),
      timestamp: { valueOf: boom, toString: boom } as unknown as Date,
    })
    const settings = resolved({
      customParameterMapping: { Text1: 'properties.email', Text2: 'context.page.title' },
      customMappingForProducts: { ItemMpn: 'price' },
    })
    let fields: Record<string, string> = {}
    expect(() => (fields = conversionFields(event, settings, identity, false, NOW, note))).not.toThrow()
    expect(fields.OrderId).toBe('O-1')
    expect(fields.EventDate).toBe(new Date(NOW).toISOString())
    expectImpactAccepts(fields)
  })

  it('a whole properties object that is a Proxy: the sale still goes out with what is readable', () => {
    const event = trackEvent({}, { properties: hostile({ order_id: 'O-1' }) })
    const fields = conversionFields(event, resolved({}), identity, false, NOW, () => {})
    expect(fields.OrderId).toBe('ajs-next-1714557600000-msg')
    expectImpactAccepts(fields)
  })
})

describe('big orders (over the 64 KiB body limit)', () => {
  it('drops the descriptive item fields first, keeps every line of the sale, and says so', () => {
    const products = Array.from({ length: 400 }, (_, i) => ({
      sku: 'SKU-' + i,
      name: '日本語の商品名'.repeat(10),
      category: 'Category ' + i,
      price: 1.5,
      coupon: 'C' + i,
    }))
    const note = vi.fn()
    const fields = conversionFields(trackEvent({ order_id: 'O-1', products }), resolved({}), identity, false, NOW, note)
    expect(new URLSearchParams(fields).toString().length).toBeLessThanOrEqual(64 * 1024)
    expect(Object.keys(fields).filter((k) => /^Item(Name|Category|Brand)\d/.test(k))).toEqual([])
    expect(fields).toMatchObject({ ItemSku400: 'SKU-399', ItemSubTotal400: '1.5', ItemPromoCode400: 'C399' })
    expect(note).toHaveBeenCalledWith(expect.stringMatching(/ItemName, ItemCategory, ItemBrand dropped/))
    expectImpactAccepts(fields)
  })
})

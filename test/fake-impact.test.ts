import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  startFakeImpact,
  validateActionChange,
  validateConversion,
  validatePageLoad,
  type FieldError,
  type LogEntry,
  type RunningFakeImpact,
} from '../demo/fake-impact/index.js'

const SHA1 = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'

const PAGE_LOAD: Record<string, string> = {
  CampaignId: '1000',
  EventDate: '2026-01-15T10:00:00.000Z',
  PageUrl: 'https://shop.example/landing?irclickid=Abc-123',
  ReferringUrl: 'https://partner.example/review',
  CustomProfileId: 'anon-8f2c',
  CustomerId: 'user-42',
  CustomerEmail: SHA1,
  ClickId: 'Abc-123',
  UserAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
}

const ORDER: Record<string, string> = {
  CampaignId: '1000',
  EventTypeCode: 'Order Completed',
  EventDate: '2026-01-15T10:05:00.000+01:00',
  OrderId: 'order-1001',
  ClickId: 'Abc-123',
  CustomerId: 'user-42',
  CustomProfileId: 'anon-8f2c',
  CustomerEmail: SHA1,
  CurrencyCode: 'EUR',
  OrderPromoCode: 'SPRING',
  OrderShipping: '4.99',
  OrderTax: '3.20',
  OrderDiscount: '5.00',
  ItemSku1: 'SKU-1',
  ItemName1: 'Tennis balls',
  ItemQuantity1: '2',
  ItemSubTotal1: '19.98',
  ItemSku2: 'SKU-2',
  ItemQuantity2: '1',
  ItemSubTotal2: '45.00',
}

/** Applies a change to a base form: a string sets a field, undefined removes it. */
function edit(base: Record<string, string>, change: Record<string, string | undefined>): Record<string, string> {
  const fields = { ...base }
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) delete fields[key]
    else fields[key] = value
  }
  return fields
}

const fieldsOf = (errors: FieldError[]): string[] => errors.map((e) => e.field)

const VISITOR_IDS = 'CustomProfileId|ClickId|CustomerId|GoogAId|AndroidId|AppleIfa|AppleIfv'
const ATTRIBUTION_KEYS =
  'ClickId|CustomerId|CustomProfileId|CustomClickId|PromoCode|OrderPromoCode|MediaId|' +
  'MediaPartnerId|UniqueUrl|CallerId|GoogAId|AndroidId|AppleIfa|AppleIfv'

describe('validatePageLoad', () => {
  it('accepts a fully valid PageLoad', () => {
    expect(validatePageLoad(PAGE_LOAD)).toEqual([])
  })
  it('accepts EventDate NOW and a ClickId alone as visitor id', () => {
    const fields = edit(PAGE_LOAD, { EventDate: 'NOW', CustomProfileId: undefined, CustomerId: undefined })
    expect(validatePageLoad(fields)).toEqual([])
  })
  it.each<[string, Record<string, string | undefined>, string]>([
    ['missing CampaignId', { CampaignId: undefined }, 'CampaignId'],
    ['missing PageUrl', { PageUrl: undefined }, 'PageUrl'],
    ['no visitor id', { CustomProfileId: undefined, ClickId: undefined, CustomerId: undefined }, VISITOR_IDS],
    ['bad integer', { CampaignId: '10a' }, 'CampaignId'],
    ['non-positive CampaignId', { CampaignId: '0' }, 'CampaignId'],
    ['date without zone', { EventDate: '2026-01-15T10:00:00' }, 'EventDate'],
    ['impossible date', { EventDate: '2026-02-30T10:00:00Z' }, 'EventDate'],
    ['relative PageUrl', { PageUrl: '/landing?irclickid=x' }, 'PageUrl'],
    ['relative ReferringUrl', { ReferringUrl: 'partner.example' }, 'ReferringUrl'],
    ['ClickId of 65 chars', { ClickId: 'a'.repeat(65) }, 'ClickId'],
    ['CustomProfileId of 71 chars', { CustomProfileId: 'p'.repeat(71) }, 'CustomProfileId'],
    ['plaintext email', { CustomerEmail: 'jane@example.com' }, 'CustomerEmail'],
    ['bad boolean', { TrackingConsent: 'yes' }, 'TrackingConsent'],
    ['unknown param', { OrderId: 'x' }, 'OrderId'],
    ['empty value', { UserAgent: '' }, 'UserAgent'],
  ])('rejects %s', (_, change, field) => {
    expect(fieldsOf(validatePageLoad(edit(PAGE_LOAD, change)))).toEqual([field])
  })
})

describe('validateConversion', () => {
  it('accepts a fully valid Order Completed with two items', () => {
    expect(validateConversion(ORDER)).toEqual([])
  })
  it('accepts an order-level conversion with SHA-256 email and EventTypeId', () => {
    const orderLevel = Object.fromEntries(Object.entries(ORDER).filter(([k]) => !k.startsWith('Item')))
    const fields = edit(orderLevel, {
      EventTypeCode: undefined,
      EventTypeId: '27113',
      OrderDiscount: undefined,
      OrderSubTotalPostDiscount: '60.00',
      CustomerEmail: 'ab'.repeat(32),
    })
    expect(validateConversion(fields)).toEqual([])
  })
  it('accepts every limited field at its limit, custom fields, an ActionTrackerId and a PromoCode alone', () => {
    const fields = edit(ORDER, {
      ClickId: 'c'.repeat(64),
      OrderId: 'o'.repeat(64),
      CustomProfileId: 'p'.repeat(70),
      Note: 'n'.repeat(255),
      Text50: 't'.repeat(64),
      ItemText2_1: 't'.repeat(64),
      Numeric10: '-1.5',
      Money3: '9.99',
      Date10: '2026-01-15T10:05:00Z',
      ItemDate1_10: '2026-01-15T10:05:00Z',
      GiftPurchase: 'false',
      CountryCode: 'US',
    })
    expect(validateConversion(fields)).toEqual([])
    const promoOnly = edit(ORDER, {
      ClickId: undefined,
      CustomerId: undefined,
      CustomProfileId: undefined,
      OrderPromoCode: undefined,
      PromoCode: 'PARTNER10',
      EventTypeCode: undefined,
      ActionTrackerId: '4321',
    })
    expect(validateConversion(promoOnly)).toEqual([])
  })
  const noAttribution = { ClickId: undefined, CustomerId: undefined, CustomProfileId: undefined }
  const item3Not2 = {
    ItemSku3: 'SKU-3',
    ItemQuantity3: '1',
    ItemSubTotal3: '1.00',
    ItemSku2: undefined,
    ItemQuantity2: undefined,
    ItemSubTotal2: undefined,
  }
  it.each<[string, Record<string, string | undefined>, string[]]>([
    ['missing OrderId', { OrderId: undefined }, ['OrderId']],
    ['missing EventDate', { EventDate: undefined }, ['EventDate']],
    ['bad integer', { CampaignId: '1000.5' }, ['CampaignId']],
    ['bad number', { OrderTax: '3,20' }, ['OrderTax']],
    ['bad date', { EventDate: '15/01/2026 10:05' }, ['EventDate']],
    ['relative UniqueUrl', { UniqueUrl: 'shop.example/p' }, ['UniqueUrl']],
    ['ClickId of 65 chars', { ClickId: 'c'.repeat(65) }, ['ClickId']],
    ['OrderId of 65 chars', { OrderId: 'o'.repeat(65) }, ['OrderId']],
    ['plaintext email', { CustomerEmail: 'Jane@Example.com' }, ['CustomerEmail']],
    ['lower-case currency', { CurrencyCode: 'eur' }, ['CurrencyCode']],
    ['two event identifiers', { EventTypeId: '27113' }, ['EventTypeId', 'EventTypeCode']],
    ['no event identifier', { EventTypeCode: undefined }, ['ActionTrackerId|EventTypeId|EventTypeCode']],
    ['no attribution key', { ...noAttribution, OrderPromoCode: undefined }, [ATTRIBUTION_KEYS]],
    ['MediaId with MediaPartnerId', { MediaId: '11', MediaPartnerId: '12' }, ['MediaPartnerId']],
    ['money without CurrencyCode', { CurrencyCode: undefined }, ['CurrencyCode']],
    ['ItemPrice with ItemSubTotal', { ItemPrice1: '9.99' }, ['ItemPrice1']],
    ['item without amount', { ItemSubTotal2: undefined }, ['ItemPrice2|ItemSubTotal2']],
    ['item without SKU', { ItemSku2: undefined }, ['ItemSku2']],
    ['item quantity 0', { ItemQuantity1: '0' }, ['ItemQuantity1']],
    ['gap in item indexes', item3Not2, ['ItemSku2']],
    ['order subtotal with items', { OrderSubTotalPostDiscount: '60' }, ['OrderSubTotalPostDiscount']],
    ['unknown param', { Revenue: '60.00' }, ['Revenue']],
    ['out-of-range indexed field', { Text51: 'x' }, ['Text51']],
    ['empty value', { OrderPromoCode: '' }, ['OrderPromoCode']],
    ['NOW as a conversion date', { EventDate: 'NOW' }, ['EventDate']],
    ['Text1 of 65 chars', { Text1: 't'.repeat(65) }, ['Text1']],
    ['ItemText1_50 of 65 chars', { ItemText1_50: 't'.repeat(65) }, ['ItemText1_50']],
    ['SubId2 of 256 chars', { SubId2: 's'.repeat(256) }, ['SubId2']],
    ['Note of 256 chars', { Note: 'n'.repeat(256) }, ['Note']],
    ['three-letter CountryCode', { CountryCode: 'USA' }, ['CountryCode']],
    ['non-positive MediaId', { MediaId: '0' }, ['MediaId']],
    ['item money without CurrencyCode', { CurrencyCode: undefined, ItemMoney1_3: '2.50' }, ['CurrencyCode']],
    ['item field beyond its range', { ItemMoney1_4: '2.50' }, ['ItemMoney1_4']],
    ['Money1 without CurrencyCode', { CurrencyCode: undefined, Money1: '1' }, ['CurrencyCode']],
  ])('rejects %s', (_, change, fields) => {
    expect(fieldsOf(validateConversion(edit(ORDER, change)))).toEqual(fields)
  })
})

describe('fake Impact over HTTP', () => {
  const basic = (user: string): string => `Basic ${Buffer.from(user).toString('base64')}`
  const AUTH = basic('IRsid123:token456')
  const FORM = { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' }
  const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString()
  let fake: RunningFakeImpact

  const post = (path: string, body: string, headers: Record<string, string> = FORM) =>
    fetch(`${fake.url}${path}`, { method: 'POST', headers, body })
  const convert = (body: string, auth = AUTH, sid = 'IRsid123') =>
    post(`/Advertisers/${sid}/Conversions`, body, { ...FORM, Authorization: auth })
  const errorFields = async (res: Response): Promise<string[]> =>
    fieldsOf(((await res.json()) as { errors: FieldError[] }).errors)

  beforeAll(async () => {
    fake = await startFakeImpact({ accountSid: 'IRsid123', authToken: 'token456', port: 0 })
  })
  afterAll(() => fake.close())
  beforeEach(() => fake.reset())

  it('answers a valid PageLoad with the sent clickId and logs it', async () => {
    const res = await post('/PageLoad', form(PAGE_LOAD), { ...FORM, Origin: 'https://shop.example' })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    const body = (await res.json()) as { sessionStart: string }
    expect(body).toEqual({ clickId: 'Abc-123', sessionStart: expect.any(String), warnings: [] })
    expect(Number.isNaN(Date.parse(body.sessionStart))).toBe(false)
    const [entry] = fake.entries()
    expect(entry).toMatchObject({
      endpoint: 'PageLoad',
      method: 'POST',
      path: '/PageLoad',
      valid: true,
      status: 200,
      origin: 'https://shop.example',
      hasAuthorization: false,
      errors: [],
    })
    expect(entry?.fields).toEqual(PAGE_LOAD)
  })

  it('generates a clickId for a referral and none for a direct visit', async () => {
    const referral = edit(PAGE_LOAD, { ClickId: undefined })
    const body = (await (await post('/PageLoad', form(referral))).json()) as { clickId?: string }
    expect(body.clickId).toMatch(/^[A-Za-z0-9]{1,64}$/)
    const direct = edit(referral, { ReferringUrl: 'https://shop.example/' })
    expect(await (await post('/PageLoad', form(direct))).json()).not.toHaveProperty('clickId')
  })

  it('answers 400 with errors, and flags cookies and a wrong content type on PageLoad', async () => {
    const bad = edit(PAGE_LOAD, { PageUrl: '/relative' })
    const res = await post('/PageLoad', form(bad), { ...FORM, Cookie: 'a=b' })
    expect(res.status).toBe(400)
    const error = { level: 'ERROR', message: expect.any(String) }
    expect(await res.json()).toEqual({
      errors: [
        { field: 'Cookie', ...error },
        { field: 'PageUrl', ...error },
      ],
      warnings: [],
    })
    const json = await post('/PageLoad', JSON.stringify(PAGE_LOAD), { 'Content-Type': 'application/json' })
    expect(json.status).toBe(400)
    expect(await errorFields(json)).toEqual(['Content-Type'])
    expect(fake.entries().map((e) => [e.valid, e.status])).toEqual([
      [false, 400],
      [false, 400],
    ])
  })

  it('queues a valid Conversion with Basic auth and refuses wrong credentials with 401', async () => {
    const ok = await convert(form(ORDER))
    expect(ok.status).toBe(200)
    const QueuedUri = expect.stringMatching(/^\/Advertisers\/IRsid123\/APISubmissions\/\w+$/)
    expect(await ok.json()).toEqual({ Status: 'QUEUED', QueuedUri })
    const denied = await convert(form(ORDER), basic('IRsid123:nope'))
    expect(denied.status).toBe(401)
    expect(await denied.json()).toMatchObject({ Status: 'ERROR', errors: [{ field: 'Authorization' }] })
    const otherAccount = await convert(form(ORDER), AUTH, 'IRother')
    expect([otherAccount.status, await errorFields(otherAccount)]).toEqual([401, ['AccountSID']])
    const invalid = await convert(`${form(ORDER)}&ItemPrice1=9.99`)
    expect(invalid.status).toBe(400)
    expect(await invalid.json()).toMatchObject({ Status: 'ERROR', errors: [{ field: 'ItemPrice1' }] })
    expect(fake.entries().map((e) => [e.endpoint, e.status, e.valid])).toEqual([
      ['Conversions', 200, true],
      ['Conversions', 401, false],
      ['Conversions', 401, false],
      ['Conversions', 400, false],
    ])
  })

  it('rejects a repeated key, naming it', async () => {
    const res = await post('/PageLoad', `${form(PAGE_LOAD)}&CampaignId=1001`)
    expect([res.status, await errorFields(res)]).toEqual([400, ['CampaignId']])
  })

  it('answers preflights and logs them: invalid on PageLoad, valid on Conversions', async () => {
    const headers = { 'Access-Control-Request-Method': 'POST' }
    const pre = await fetch(`${fake.url}/PageLoad`, { method: 'OPTIONS', headers })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-headers')).toBe('authorization, content-type')
    await fetch(`${fake.url}/Advertisers/IRsid123/Conversions`, { method: 'OPTIONS', headers })
    expect(fake.entries().map((e) => [e.endpoint, e.path, e.valid])).toEqual([
      ['preflight', '/PageLoad', false],
      ['preflight', '/Advertisers/IRsid123/Conversions', true],
    ])
  })

  it('logs unknown paths and methods as invalid "other" entries', async () => {
    expect((await fetch(`${fake.url}/PageLoad`)).status).toBe(405)
    expect((await post('/Clicks', 'a=1')).status).toBe(404)
    expect(fake.entries().map((e) => [e.endpoint, e.valid, e.status])).toEqual([
      ['other', false, 405],
      ['other', false, 404],
    ])
  })

  it('rejects oversized and malformed bodies without crashing', async () => {
    expect((await post('/PageLoad', `UserAgent=${'x'.repeat(70_000)}`)).status).toBe(413)
    const res = await post('/PageLoad', 'CampaignId=%ZZ')
    expect([res.status, await errorFields(res)]).toEqual([400, ['body']])
  })

  it('injects faults after validating and logging, then recovers', async () => {
    const fault = { endpoint: 'Conversions', status: 500, count: 2, retryAfter: 3 }
    expect((await post('/__faults', JSON.stringify(fault), {})).status).toBe(200)
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await convert(form(ORDER))).status)
    expect(statuses).toEqual([500, 500, 200])
    expect(fake.entries().map((e) => [e.valid, e.status, e.fault])).toEqual([
      [true, 500, 500],
      [true, 500, 500],
      [true, 200, undefined],
    ])
    expect((await post('/__faults', '{"endpoint":"Nope"}', {})).status).toBe(400)
  })

  it('holds the answer of a slow fault, logging the request on arrival, and judges it as usual', async () => {
    fake.injectFault({ endpoint: 'Conversions', delayMs: 300, count: 1 })
    const started = Date.now()
    const answer = convert(form(ORDER))
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(fake.entries().map((e) => [e.endpoint, e.status, e.fault])).toEqual([['Conversions', 200, undefined]])
    expect((await answer).status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    const next = Date.now()
    expect((await convert(form(ORDER))).status).toBe(200)
    expect(Date.now() - next).toBeLessThan(290)
  })

  it.each([
    [{ endpoint: 'Conversions', count: 1 }, 'give a status, a delayMs, or both'],
    [{ endpoint: 'Conversions', count: 1, delayMs: 0 }, 'delayMs must be an integer from 1 to 30000'],
    [{ endpoint: 'Conversions', count: 1, status: 200 }, 'status must be an integer from 400 to 599'],
  ])('refuses the fault %j', async (fault, message) => {
    const res = await post('/__faults', JSON.stringify(fault), {})
    expect([res.status, await res.text()]).toEqual([400, expect.stringContaining(message)])
  })

  it('sends Retry-After with a fault and serves /__log and /__reset', async () => {
    fake.injectFault({ endpoint: 'PageLoad', status: 429, count: 1, retryAfter: 7 })
    const res = await post('/PageLoad', form(PAGE_LOAD))
    expect([res.status, res.headers.get('retry-after')]).toEqual([429, '7'])
    const log = (await (await fetch(`${fake.url}/__log`)).json()) as { entries: LogEntry[] }
    expect(log.entries.map((e) => [e.endpoint, e.status, e.fault])).toEqual([['PageLoad', 429, 429]])
    expect((await post('/__reset', '', {})).status).toBe(200)
    expect(fake.entries()).toEqual([])
    expect((await post('/PageLoad', form(PAGE_LOAD))).status).toBe(200)
  })
})

describe('validateActionChange (Actions API: DELETE reverses, PUT modifies)', () => {
  const ACTION = { ActionTrackerId: '7777', OrderId: 'order-1001' }
  it.each([
    ['a reversal by ActionTrackerId and OrderId', 'DELETE', { ...ACTION, DispositionCode: 'ITEM_RETURNED' }, []],
    ['a reversal by ActionId', 'DELETE', { ActionId: '1000.4636.158133', DispositionCode: 'ORDER_ERROR' }, []],
    ['a reversal without DispositionCode', 'DELETE', ACTION, ['DispositionCode']],
    [
      'a reversal with a code Impact does not list',
      'DELETE',
      { ...ACTION, DispositionCode: 'REFUNDED' },
      ['DispositionCode'],
    ],
    ['a reversal with items', 'DELETE', { ...ACTION, DispositionCode: 'OTHER', Sku: 'A' }, ['Sku']],
    ['no action named', 'DELETE', { OrderId: 'x', DispositionCode: 'OTHER' }, ['ActionId|ActionTrackerId|OrderId']],
    [
      'a non-integer ActionTrackerId',
      'DELETE',
      { ...ACTION, ActionTrackerId: 'abc', DispositionCode: 'OTHER' },
      ['ActionTrackerId'],
    ],
    [
      'an item change, Impact-indexed',
      'PUT',
      { ...ACTION, Reason: 'ITEM_RETURNED', Sku: 'A', ItemSubTotalDelta: '-5', Sku2: 'B', Quantity2: '0' },
      [],
    ],
    ['a change without Reason', 'PUT', { ...ACTION, Sku: 'A', ItemSubTotalDelta: '-5' }, ['Reason']],
    [
      'a first item indexed 1',
      'PUT',
      { ...ACTION, Reason: 'OTHER', Sku1: 'A', ItemSubTotalDelta1: '-5' },
      ['Sku1', 'ItemSubTotalDelta1'],
    ],
    ['an item without its Sku', 'PUT', { ...ACTION, Reason: 'OTHER', ItemSubTotalDelta2: '-5' }, ['Sku2']],
    ['an item without a change', 'PUT', { ...ACTION, Reason: 'OTHER', Sku: 'A' }, ['Sku']],
    [
      'a delta that is no number',
      'PUT',
      { ...ACTION, Reason: 'OTHER', Sku: 'A', ItemSubTotalDelta: 'minus five' },
      ['ItemSubTotalDelta'],
    ],
    ['an unknown parameter', 'PUT', { ...ACTION, Reason: 'OTHER', Amount: '0', Bogus: '1' }, ['Bogus']],
  ] as const)('%s', (_name, method, fields, expected) => {
    expect(fieldsOf(validateActionChange(method, fields as Record<string, string>))).toEqual(expected)
  })
})

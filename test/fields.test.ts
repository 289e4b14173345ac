import { describe, expect, it } from 'vitest'
import {
  CONVERSION_PARAMETERS,
  CONVERSIONS,
  FIELD_LIMITS,
  PAGE_LOAD,
  PAGE_LOAD_PARAMETERS,
  fieldLimit,
  isConversionParameter,
  isPageLoadParameter,
  lookupField,
} from '../src/fields'

describe('isPageLoadParameter', () => {
  it.each([
    ['PageUrl', true],
    ['ClickId', true],
    ['AndroidId', true],
    ['TrackingConsent', true],
    ['OrderId', false],
    ['ItemSku1', false],
    ['__proto__', false],
    ['constructor', false],
  ])('%s -> %s', (name, expected) => expect(isPageLoadParameter(name)).toBe(expected))
})

describe('isConversionParameter', () => {
  it.each([
    ['OrderId', true],
    ['ActionTrackerId', true],
    ['CustomClickId', true],
    ['ItemSku12', true],
    ['ItemText3_50', true],
    ['ItemText3_51', false],
    ['ItemText3_0', false],
    ['ItemSku0', false],
    ['ItemSku01', false],
    ['ItemSku', false],
    ['Text50', true],
    ['Text51', false],
    ['Numeric10', true],
    ['Numeric11', false],
    ['Money3', true],
    ['Money4', false],
    ['Date10', true],
    ['ItemMoney2_3', true],
    ['ItemMoney2_4', false],
    ['PageUrl', false],
    ['hasOwnProperty', false],
    ['ItemText{i}_{1-50}', false],
  ])('%s -> %s', (name, expected) => expect(isConversionParameter(name)).toBe(expected))
})

describe('lookupField', () => {
  it.each([
    ['ItemSku3', 'ItemSku{i}', { type: 'string' }, 3],
    ['ItemText2_50', 'ItemText{i}_{1-50}', { type: 'string', maxLength: 64 }, 2],
    ['ItemNumeric1_10', 'ItemNumeric{i}_{1-10}', { type: 'number' }, 1],
    ['ItemMoney4_1', 'ItemMoney{i}_{1-3}', { type: 'number', money: true }, 4],
    ['ItemQuantity2', 'ItemQuantity{i}', { type: 'integer', min: 1 }, 2],
    ['Text50', 'Text{1-50}', { type: 'string', maxLength: 64 }, undefined],
    ['Date1', 'Date{1-10}', { type: 'string', format: 'date-time' }, undefined],
    ['SubId2', 'SubId2', { type: 'string', maxLength: 255 }, undefined],
    ['UniqueUrl', 'UniqueUrl', { type: 'string', format: 'uri' }, undefined],
    ['GiftPurchase', 'GiftPurchase', { type: 'boolean' }, undefined],
  ])('resolves %s to %s', (name, key, rule, item) => {
    expect(lookupField(CONVERSIONS, name)).toEqual(item === undefined ? { key, rule } : { key, rule, item })
  })

  it('knows PageLoad EventDate takes NOW, and no item fields on PageLoad', () => {
    expect(lookupField(PAGE_LOAD, 'EventDate')?.rule).toMatchObject({ format: 'date-time', now: true })
    expect(lookupField(CONVERSIONS, 'EventDate')?.rule.now).toBeUndefined()
    expect(lookupField(PAGE_LOAD, 'ItemSku1')).toBeUndefined()
  })

  it('has the required fields and conditional rules Impact describes', () => {
    expect(CONVERSIONS.required).toEqual(['CampaignId', 'EventDate', 'OrderId'])
    expect(CONVERSIONS.exactlyOne).toEqual(['ActionTrackerId', 'EventTypeId', 'EventTypeCode'])
    expect(CONVERSIONS.exclusive).toContainEqual(['ItemSubTotal{i}', 'ItemPrice{i}'])
    expect(CONVERSIONS.currency).toBe('CurrencyCode')
    expect(PAGE_LOAD.required).toEqual(['CampaignId', 'EventDate', 'PageUrl'])
    expect(PAGE_LOAD.anyOf[0]).toBe('CustomProfileId')
    // Every name a rule refers to is a parameter of its table.
    const named = [
      ...CONVERSIONS.required,
      ...CONVERSIONS.anyOf,
      ...(CONVERSIONS.exactlyOne ?? []),
      ...(CONVERSIONS.exclusive ?? []).flat(),
      ...(CONVERSIONS.perItem ?? []).flat(),
      ...(CONVERSIONS.orderLevelOnly ?? []),
    ].map((name) => name.replace('{i}', '1'))
    expect(named.filter((name) => !isConversionParameter(name))).toEqual([])
    expect([...PAGE_LOAD.required, ...PAGE_LOAD.anyOf].filter((name) => !isPageLoadParameter(name))).toEqual([])
  })

  it('marks exactly the money amounts as money (they make CurrencyCode required)', () => {
    const money = CONVERSION_PARAMETERS.filter((name) => lookupField(CONVERSIONS, name)?.rule.money)
    expect(money).toEqual([
      'OrderDiscount',
      'OrderSubTotalPostDiscount',
      'OrderShipping',
      'OrderTax',
      'OrderMargin',
      'Amount',
    ])
    expect(lookupField(CONVERSIONS, 'OrderDiscountRate')?.rule.money).toBeUndefined()
  })
})

describe('limits', () => {
  it('lists every limited fixed-name parameter with Impact’s maximum', () => {
    const texts = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`Text${i + 1}`, 64]))
    expect(FIELD_LIMITS).toEqual({
      ClickId: 64,
      OrderId: 64,
      CustomProfileId: 70,
      Note: 255,
      SubId1: 255,
      SubId2: 255,
      SubId3: 255,
      SharedId: 255,
      ...texts,
    })
  })

  it.each([
    ['ItemText7_1', 64],
    ['ItemText12_50', 64],
    ['Text1', 64],
    ['SubId3', 255],
    ['CustomProfileId', 70],
    ['ItemSku1', undefined],
    ['CustomerEmail', undefined],
    ['constructor', undefined],
    ['__proto__', undefined],
    ['toString', undefined],
  ])('fieldLimit(%s) is %s', (name, limit) => expect(fieldLimit(name)).toBe(limit))

  it('limits only string parameters', () => {
    for (const name of [...CONVERSION_PARAMETERS, ...PAGE_LOAD_PARAMETERS, 'ItemText1_1', 'Text9']) {
      if (fieldLimit(name) === undefined) continue
      const rule = lookupField(CONVERSIONS, name)?.rule ?? lookupField(PAGE_LOAD, name)?.rule
      expect(rule?.type, name).toBe('string')
    }
  })
})

import type { SegmentEvent } from '@segment/analytics-next'
import type { ImpactFields } from '../fields'
import { CONVERSION_MAX_BYTES } from '../impact-api'
import type { ResolvedSettings } from '../settings'
import { fieldValue, isMoney, override } from './field-values'
import { fitConversion } from './fit-conversion'
import { identityFields, type Identity } from './identity-fields'
import { amount, listAt, mappingLog, put, text, valueAt, type MappingLog, type Note } from './values'

/** Item text fields and the Segment product property each comes from. */
const ITEM_TEXT: ReadonlyArray<[string, string]> = [
  ['ItemName', 'name'],
  ['ItemCategory', 'category'],
  ['ItemBrand', 'brand'],
  ['ItemPromoCode', 'coupon'],
]

/** Room left under the body limit for the CustomerEmail hash the plugin appends after mapping. */
const EMAIL_ROOM = 80

/**
 * A Conversion from a Segment e-commerce event (Order Completed and friends). Pure: values Impact
 * would refuse are dropped or repaired with a debug note, never thrown, also when the page hands
 * over throwing getters or Proxies. `log` is a {@link MappingLog} (warnings for an invalid currency
 * reach the console) or a single {@link Note} for everything.
 */
export function conversionFields(
  event: SegmentEvent,
  settings: ResolvedSettings,
  identity: Identity,
  install: boolean,
  now: number,
  log: Note | MappingLog,
): ImpactFields {
  const out = mappingLog(log)
  const note = out.debug
  const fields = identityFields(event, settings, identity, now, note)
  const read = (key: string): unknown => valueAt(event, 'properties.' + key, note)
  /** The first of `keys` holding a usable amount, as `field`. */
  const money = (field: string, ...keys: string[]): void => {
    let found: number | undefined
    for (const key of keys) found ??= amount(read(key), field, note)
    put(fields, field, fieldValue(field, found, out))
  }

  if (settings.eventTypeId) fields.EventTypeId = settings.eventTypeId
  else put(fields, 'EventTypeCode', text(valueAt(event, 'event', note)))
  put(fields, 'OrderId', text(read('order_id')) ?? text(read('checkout_id')) ?? text(valueAt(event, 'messageId')))
  put(fields, 'OrderPromoCode', text(read('coupon')))
  money('OrderShipping', 'shipping')
  money('OrderTax', 'tax')
  const products = listAt(event, 'properties.products', note)
  products.forEach((product, i) => itemFields(fields, product, i + 1, settings, out))
  // Without items Impact takes the order subtotal; an OrderDiscount would be subtracted twice.
  if (products.length) money('OrderDiscount', 'discount')
  else money('OrderSubTotalPostDiscount', 'subtotal', 'revenue', 'total')
  if (install) {
    put(fields, 'AppPackage', text(valueAt(event, 'context.app.namespace', note)))
    put(fields, 'AppVer', text(valueAt(event, 'context.app.version', note)))
  }
  put(fields, 'CurrencyCode', fieldValue('CurrencyCode', read('currency'), out))
  // Custom mappings come last: they add or override any field, CurrencyCode included.
  for (const [field, path] of settings.customParameterMapping) {
    const value = fieldValue(field, valueAt(event, path, note), out)
    // Item fields belong to an item that exists; an order subtotal beside items is refused.
    const item = +(/^Item\D+(\d+)/.exec(field)?.[1] ?? 0)
    if (item > products.length || (products.length && field === 'OrderSubTotalPostDiscount'))
      note(field + ' dropped: items disagree')
    else if (value !== undefined) override(fields, field, value)
  }
  if (!fields.CurrencyCode && Object.keys(fields).some(isMoney)) fields.CurrencyCode = settings.defaultCurrency
  return fitConversion(fields, CONVERSION_MAX_BYTES - EMAIL_ROOM, note)
}

/** Item `i` of the order: SKU, texts, quantity and line subtotal, then the custom item mapping. */
function itemFields(
  fields: ImpactFields,
  product: unknown,
  i: number,
  settings: ResolvedSettings,
  log: MappingLog,
): void {
  const note = log.debug
  const read = (key: string): unknown => valueAt(product, key, note)
  const quantity = read('quantity') ?? 1
  const q = +(fieldValue('ItemQuantity' + i, quantity, log) ?? 1)
  const sku = text(read('sku')) ?? text(read('product_id'))
  if (!sku) note(`ItemSku${i}: no sku or product_id`)
  put(fields, 'ItemSku' + i, sku ?? 'unknown')
  for (const [field, key] of ITEM_TEXT) put(fields, field + i, text(read(key)))
  fields['ItemQuantity' + i] = '' + q
  const subtotal = 'ItemSubTotal' + i
  fields[subtotal] = fieldValue(subtotal, (amount(read('price'), subtotal, note) ?? 0) * q, log) ?? '0'
  for (const [key, path] of settings.customMappingForProducts) {
    // `ItemText{i}_1` places the index; a plain key (`ItemSku`) takes it at the end.
    const field = key.includes('{i}') ? key.replace('{i}', '' + i) : key + i
    const value = fieldValue(field, valueAt(product, path, note), log)
    if (value !== undefined) override(fields, field, value)
  }
}

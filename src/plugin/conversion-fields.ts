import type { SegmentEvent } from '@segment/analytics-next'
import type { ImpactFields } from '../fields'
import { CONVERSION_MAX_BYTES } from '../impact-api'
import type { ResolvedSettings } from '../settings'
import { fieldValue, isMoney, setField } from './field-values'
import { fitConversion } from './fit-conversion'
import { identityFields, type Identity } from './identity-fields'
import { decimal, listAt, mappingLog, valueAt, type MappingLog, type Note } from './values'

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
  const fields = identityFields(event, settings, identity, now, out)
  const set = (name: string, value: unknown): string | undefined => setField(fields, name, value, out)
  const read = (path: string): unknown => valueAt(event, path, note)
  /** `field` from the first of the event's `properties` that Impact takes. */
  const first = (field: string, ...keys: string[]): boolean => keys.some((key) => set(field, read('properties.' + key)))

  if (!set('EventTypeId', settings.eventTypeId)) set('EventTypeCode', read('event'))
  if (!first('OrderId', 'order_id', 'checkout_id')) set('OrderId', read('messageId'))
  first('OrderPromoCode', 'coupon')
  first('OrderShipping', 'shipping')
  first('OrderTax', 'tax')
  const products = listAt(event, 'properties.products', note)
  products.forEach((product, index) => {
    const i = index + 1
    const item = (key: string): unknown => valueAt(product, key, note)
    const quantity = fieldValue('ItemQuantity' + i, item('quantity'), out) ?? '1'
    if (!(set('ItemSku' + i, item('sku')) ?? set('ItemSku' + i, item('product_id')))) {
      note(`ItemSku${i}: no sku or product_id`)
      set('ItemSku' + i, 'unknown')
    }
    for (const [field, key] of ITEM_TEXT) set(field + i, item(key))
    set('ItemQuantity' + i, quantity)
    // The line subtotal is price x quantity, rounded once (rounding the price first overstates it).
    // A price that is no number is checked as it is, so the note shows it; the line then counts 0.
    const price = item('price') ?? 0
    const n = decimal(price)
    if (!set('ItemSubTotal' + i, n === undefined ? price : n * +quantity)) set('ItemSubTotal' + i, 0)
    for (const [key, path] of settings.customMappingForProducts)
      // `ItemText{i}_1` places the index; a plain key (`ItemSku`) takes it at the end.
      set(key.includes('{i}') ? key.replace('{i}', '' + i) : key + i, valueAt(product, path, note))
  })
  // Without items Impact takes the order subtotal; an OrderDiscount would be subtracted twice.
  if (products.length) first('OrderDiscount', 'discount')
  else first('OrderSubTotalPostDiscount', 'subtotal', 'revenue', 'total')
  if (install) {
    set('AppPackage', read('context.app.namespace'))
    set('AppVer', read('context.app.version'))
  }
  first('CurrencyCode', 'currency')
  // Custom mappings come last: they add or override any field, CurrencyCode included.
  for (const [field, path] of settings.customParameterMapping) {
    // Item fields belong to an item that exists; an order subtotal beside items is refused.
    const item = +(/^Item\D+(\d+)/.exec(field)?.[1] ?? 0)
    if (item > products.length || (products.length && field === 'OrderSubTotalPostDiscount'))
      note(field + ' dropped: items disagree')
    else set(field, read(path))
  }
  if (!fields.CurrencyCode && Object.keys(fields).some(isMoney)) fields.CurrencyCode = settings.defaultCurrency
  return fitConversion(fields, CONVERSION_MAX_BYTES - EMAIL_ROOM, note)
}

import type { SegmentEvent } from '@segment/analytics-next'
import type { ImpactFields } from '../fields'
import type { ResolvedSettings } from '../settings'
import { identityFields, type Identity } from './identity-fields'
import { amount, put, round2, text, valueAt, type Note } from './values'

/** Item text fields and the Segment product property each comes from. */
const ITEM_TEXT: ReadonlyArray<[string, string]> = [
  ['ItemName', 'name'],
  ['ItemCategory', 'category'],
  ['ItemBrand', 'brand'],
  ['ItemPromoCode', 'coupon'],
]
/** Fields that make Impact require a CurrencyCode. */
const MONEY_FIELD =
  /^(Order(Shipping|Tax|Discount|SubTotalPostDiscount|Margin)|Amount|Money\d|Item(Price|SubTotal|Discount|TotalDiscount)\d+|ItemMoney\d+_\d)$/
const CURRENCY = /^[A-Z]{3}$/

/**
 * A Conversion from a Segment e-commerce event (Order Completed and friends). Pure: values Impact
 * would refuse are dropped or repaired with a `note`, never thrown.
 */
export function conversionFields(
  event: SegmentEvent,
  settings: ResolvedSettings,
  identity: Identity,
  install: boolean,
  now: number,
  note: Note,
): ImpactFields {
  const fields = identityFields(event, settings, identity, now)
  const p: Record<string, unknown> = event.properties ?? {}
  /** The first of `keys` holding a usable amount, as `field`. */
  const money = (field: string, ...keys: string[]): void => {
    const found = keys.reduce<number | undefined>((found, key) => found ?? amount(p[key], field, note), undefined)
    put(fields, field, found === undefined ? found : round2(found))
  }

  if (settings.eventTypeId) fields.EventTypeId = settings.eventTypeId
  else put(fields, 'EventTypeCode', text(event.event))
  put(fields, 'OrderId', text(p.order_id) ?? text(p.checkout_id) ?? text(event.messageId))
  put(fields, 'OrderPromoCode', text(p.coupon))
  money('OrderShipping', 'shipping')
  money('OrderTax', 'tax')
  const products: unknown[] = Array.isArray(p.products) ? p.products : []
  products.forEach((product, i) => itemFields(fields, Object(product), i + 1, settings, note))
  // Without items Impact takes the order subtotal; an OrderDiscount would be subtracted twice.
  if (products.length) money('OrderDiscount', 'discount')
  else money('OrderSubTotalPostDiscount', 'subtotal', 'revenue', 'total')
  if (install) {
    put(fields, 'AppPackage', text(valueAt(event.context, 'app.namespace')))
    put(fields, 'AppVer', text(valueAt(event.context, 'app.version')))
  }
  const currency = text(p.currency)?.toUpperCase() ?? ''
  if (CURRENCY.test(currency)) fields.CurrencyCode = currency
  else if (currency) note('currency dropped: not an ISO 4217 code')
  // Custom mappings come last: they add or override any field, CurrencyCode included.
  for (const [field, path] of settings.customParameterMapping) put(fields, field, text(valueAt(event, path)))
  if (!fields.CurrencyCode && Object.keys(fields).some((f) => MONEY_FIELD.test(f))) fields.CurrencyCode = 'USD'
  return fields
}

/** Item `i` of the order: SKU, texts, quantity and line subtotal, then the custom item mapping. */
function itemFields(
  fields: ImpactFields,
  product: Record<string, unknown>,
  i: number,
  settings: ResolvedSettings,
  note: Note,
): void {
  const quantity = +(product.quantity ?? 1)
  const q = Number.isInteger(quantity) && quantity > 0 ? quantity : 1
  if (q !== quantity) note(`ItemQuantity${i}: not a whole number >= 1, sent as 1`)
  const sku = text(product.sku) ?? text(product.product_id)
  if (!sku) note(`ItemSku${i}: no sku or product_id`)
  fields['ItemSku' + i] = sku ?? 'unknown'
  for (const [field, key] of ITEM_TEXT) put(fields, field + i, text(product[key]))
  fields['ItemQuantity' + i] = '' + q
  fields['ItemSubTotal' + i] = '' + round2((amount(product.price, 'ItemSubTotal' + i, note) ?? 0) * q)
  for (const [field, path] of settings.customMappingForProducts) {
    const value = text(valueAt(product, path))
    if (value === undefined) continue
    fields[field + i] = value
    // Impact refuses an item carrying both a unit price and a line subtotal.
    if (field === 'ItemPrice') delete fields['ItemSubTotal' + i]
    if (field === 'ItemSubTotal') delete fields['ItemPrice' + i]
  }
}

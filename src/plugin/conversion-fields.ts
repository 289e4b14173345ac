import type { SegmentEvent } from '@segment/analytics-next'
import type { ImpactFields } from '../fields'
import type { ResolvedSettings } from '../settings'
import { identityFields, type Identity } from './identity-fields'
import { amount, numeric, put, round2, text, valueAt, type Note } from './values'

/** Order-level money: Impact field and the Segment e-commerce property it comes from. */
const ORDER_MONEY: ReadonlyArray<[string, string]> = [
  ['OrderShipping', 'shipping'],
  ['OrderTax', 'tax'],
]
/** Item text fields and the Segment product property each comes from. */
const ITEM_TEXT: ReadonlyArray<[string, string]> = [
  ['ItemName', 'name'],
  ['ItemCategory', 'category'],
  ['ItemBrand', 'brand'],
  ['ItemPromoCode', 'coupon'],
]
/** Fields that make Impact require a CurrencyCode. */
const MONEY_FIELD =
  /^(?:Order(?:Shipping|Tax|Discount|SubTotalPostDiscount|Margin)|Amount|Money\d|Item(?:Price|SubTotal|Discount|TotalDiscount)\d+|ItemMoney\d+_\d)$/

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
  if (settings.eventTypeId) fields.EventTypeId = settings.eventTypeId
  else put(fields, 'EventTypeCode', text(event.event))
  put(fields, 'OrderId', text(p.order_id) ?? text(p.checkout_id) ?? text(event.messageId))
  put(fields, 'OrderPromoCode', text(p.coupon))
  for (const [field, key] of ORDER_MONEY) put(fields, field, numeric(amount(p[key], field, note)))

  const products = Array.isArray(p.products) ? p.products : []
  if (products.length) {
    products.forEach((product: unknown, index) => itemFields(fields, product, index + 1, settings, note))
    put(fields, 'OrderDiscount', numeric(amount(p.discount, 'OrderDiscount', note)))
  } else {
    // Without items Impact takes the order subtotal; OrderDiscount would be subtracted from it twice.
    const subtotal =
      amount(p.subtotal, 'OrderSubTotalPostDiscount', note) ??
      amount(p.revenue, 'OrderSubTotalPostDiscount', note) ??
      amount(p.total, 'OrderSubTotalPostDiscount', note)
    put(fields, 'OrderSubTotalPostDiscount', numeric(subtotal))
  }
  if (install) {
    put(fields, 'AppPackage', text(valueAt(event.context, 'app.namespace')))
    put(fields, 'AppVer', text(valueAt(event.context, 'app.version')))
  }
  for (const [field, path] of settings.customParameterMapping) put(fields, field, text(valueAt(event, path)))

  const currency = text(p.currency)?.toUpperCase()
  if (currency && /^[A-Z]{3}$/.test(currency)) fields.CurrencyCode = currency
  else {
    if (currency) note(`currency ${JSON.stringify(p.currency)} is not an ISO 4217 code`)
    if (Object.keys(fields).some((f) => MONEY_FIELD.test(f))) fields.CurrencyCode = 'USD'
  }
  return fields
}

/** Item `i` of the order: SKU, texts, quantity and line subtotal, then the custom item mapping. */
function itemFields(fields: ImpactFields, product: unknown, i: number, settings: ResolvedSettings, note: Note): void {
  const item = typeof product === 'object' && product !== null ? (product as Record<string, unknown>) : {}
  const sku = text(item.sku) ?? text(item.product_id)
  if (!sku) note(`product ${i} has no sku or product_id; sent as ItemSku${i}=unknown`)
  fields['ItemSku' + i] = sku ?? 'unknown'
  for (const [field, key] of ITEM_TEXT) put(fields, field + i, text(item[key]))
  const q = item.quantity === undefined ? 1 : Number(item.quantity)
  const quantity = Number.isInteger(q) && q >= 1 ? q : 1
  if (quantity !== q) note(`product ${i} quantity ${JSON.stringify(item.quantity)} is not a whole number >= 1; sent as 1`)
  fields['ItemQuantity' + i] = String(quantity)
  const price = amount(item.price, `ItemSubTotal${i}`, note)
  if (price === undefined) note(`product ${i} has no usable price; ItemSubTotal${i} sent as 0`)
  fields['ItemSubTotal' + i] = String(round2((price ?? 0) * quantity))
  for (const [field, path] of settings.customMappingForProducts) {
    const value = text(valueAt(item, path))
    if (value === undefined) continue
    fields[field + i] = value
    // Impact refuses an item carrying both a unit price and a line subtotal.
    if (field === 'ItemPrice') delete fields['ItemSubTotal' + i]
    if (field === 'ItemSubTotal') delete fields['ItemPrice' + i]
  }
}

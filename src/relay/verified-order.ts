/** Laying the order as the shop's records know it over what the browser sent. */

import { CONVERSIONS, isConversionParameter, lookupField } from '../fields'

/**
 * The order as the shop's own records know it, returned by `verifyConversion`: Impact Conversions
 * parameters with their values, e.g. `{ OrderId: order.id, OrderSubTotalPostDiscount: order.total,
 * CurrencyCode: order.currency }`, or items (`ItemSku1`, `ItemQuantity1`, `ItemSubTotal1`, ...).
 */
export type VerifiedOrder = Readonly<Record<string, string | number>>

/** Money and items: what only the shop's records may state once they state any of it. */
const isMoneyOrItem = (name: string): boolean =>
  name.startsWith('Item') || lookupField(CONVERSIONS, name)?.rule.money === true

/**
 * `fields` with the shop's values laid over them. When the shop states money or items, the
 * browser's money and item fields it does not state are dropped, so nothing the browser wrote about
 * money survives (an inflated amount, an extra line). Throws a TypeError naming the first value
 * that is no documented parameter, or neither text nor a finite number: a bug in the shop's check.
 */
export function withVerifiedOrder(fields: Record<string, string>, order: VerifiedOrder): Record<string, string> {
  const stated: Record<string, string> = {}
  for (const [name, value] of Object.entries(order)) {
    const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value
    if (!isConversionParameter(name) || typeof text !== 'string' || !text)
      throw new TypeError(`verifyConversion returned ${name}=${String(value)}: not an Impact conversion value`)
    stated[name] = text
  }
  const replacesMoney = Object.keys(stated).some(isMoneyOrItem)
  const kept = Object.entries(fields).filter(([name]) => !(replacesMoney && isMoneyOrItem(name)))
  return { ...Object.fromEntries(kept), ...stated }
}

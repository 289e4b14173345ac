import type { Context } from '@segment/analytics-node'
import { actionItem } from '../fields/actions'
import { decimal, listAt, text, valueAt } from '../plugin/values'
import type { ServerConfig } from './options'

/** A change to the action of an order: a reversal (`DELETE`) or a modification of items (`PUT`). */
export interface ActionChange {
  method: 'DELETE' | 'PUT'
  fields: Record<string, string>
}

/**
 * What a cancellation or refund event does to its order's action. Pure.
 * - a cancellation, or a refund listing no products: the action is reversed;
 * - a refund listing products: each of those items changes by minus price x quantity
 *   (`Sku`, `ItemSubTotalDelta`, then `Sku2`, `ItemSubTotalDelta2`, ...), the rest keeps paying.
 * Undefined when the event is neither kind; a string when it cannot be mapped (no order_id).
 */
export function actionChange(event: Context['event'], config: ServerConfig): ActionChange | string | undefined {
  const name = event.event ?? ''
  const cancel = config.cancelEventNames.includes(name)
  if (!cancel && !config.refundEventNames.includes(name)) return undefined
  const orderId = text(valueAt(event, 'properties.order_id'))
  if (!orderId) return `${name} without properties.order_id: nothing to change`
  const action = { ActionTrackerId: config.settings.eventTypeId, OrderId: orderId }
  const products = cancel ? [] : listAt(event, 'properties.products', () => undefined)
  if (!products.length) {
    const DispositionCode = cancel ? config.cancelDispositionCode : config.refundDispositionCode
    return { method: 'DELETE', fields: { ...action, DispositionCode } }
  }
  const fields: Record<string, string> = { ...action, Reason: config.refundDispositionCode }
  products.forEach((product, index) => {
    const n = index + 1
    const sku = text(valueAt(product, 'sku')) ?? text(valueAt(product, 'product_id')) ?? 'unknown'
    const quantity = decimal(valueAt(product, 'quantity')) ?? 1
    const refunded = Math.round((decimal(valueAt(product, 'price')) ?? 0) * quantity * 100) / 100
    fields[actionItem('Sku', n)] = sku
    fields[actionItem('ItemSubTotalDelta', n)] = String(-refunded || 0)
  })
  return { method: 'PUT', fields }
}

/**
 * The fake Impact's Actions API: the actions its accepted conversions created, and the reversals
 * (`DELETE`) and modifications (`PUT`) a brand sends for them, validated against Impact's
 * published description (src/fields/actions.ts). Impact documents only the 200 answer; for an
 * action it cannot find, or one past its locking date, the fake answers 400 with
 * `{ Status: 'ERROR', Message }`, as Impact's other endpoints answer a refused request.
 */
import {
  ACTION_FIELDS,
  ACTION_ITEM_FIELDS,
  DISPOSITION_CODES,
  REASON_CODES,
  actionItem,
} from '../../src/fields/actions'
import { fieldError, type FieldError, type FormFields } from './validate.js'

/** An action as the fake keeps it. */
export interface FakeAction {
  ActionTrackerId: string
  OrderId: string
  ClickId?: string
  state: 'PENDING' | 'REVERSED'
  /** Past its locking date: Impact refuses every change. */
  locked: boolean
  /** Item SKU to its sale amount (ItemSubTotal, then changed by ItemSubTotalDelta). */
  items: Record<string, number>
  /** The dispositions and reasons applied, oldest first. */
  changes: string[]
}

const INTEGER = /^[1-9]\d*$/
const NUMBER = /^-?\d+(\.\d+)?$/

/** What is wrong with a reversal or a modification's fields, as Impact would list it. */
export function validateActionChange(method: 'DELETE' | 'PUT', fields: FormFields): FieldError[] {
  const errors: FieldError[] = []
  const items = new Set<number>()
  for (const name of Object.keys(fields)) {
    const item = /^(Sku|Quantity|ItemSubTotalDelta|Category)(\d*)$/.exec(name)
    const n = item ? Number(item[2] || 1) : 0
    if (item && (item[2] === '1' || (item[2] && !INTEGER.test(item[2]))))
      errors.push(fieldError(name, 'items are Sku, Sku2, Sku3, ...'))
    else if (item) items.add(n)
    else if (!(ACTION_FIELDS as readonly string[]).includes(name)) errors.push(fieldError(name, 'unknown parameter'))
  }
  if (!fields.ActionId && !(fields.ActionTrackerId && fields.OrderId))
    errors.push(fieldError('ActionId|ActionTrackerId|OrderId', 'give ActionId, or ActionTrackerId with OrderId'))
  if (fields.ActionTrackerId !== undefined && !INTEGER.test(fields.ActionTrackerId))
    errors.push(fieldError('ActionTrackerId', 'must be an integer'))
  if (method === 'DELETE') {
    if (!(DISPOSITION_CODES as readonly string[]).includes(fields.DispositionCode ?? ''))
      errors.push(fieldError('DispositionCode', `required, one of ${DISPOSITION_CODES.join(', ')}`))
    if (items.size) errors.push(fieldError('Sku', 'a reversal takes no items'))
    return errors
  }
  if (!(REASON_CODES as readonly string[]).includes(fields.Reason ?? ''))
    errors.push(fieldError('Reason', `required, one of ${REASON_CODES.join(', ')}`))
  for (const n of items) {
    const [sku, quantity, delta] = ACTION_ITEM_FIELDS.map((name) => actionItem(name, n))
    if (!fields[sku!]) errors.push(fieldError(sku!, 'each item needs its Sku'))
    if (fields[quantity!] === undefined && fields[delta!] === undefined)
      errors.push(fieldError(sku!, `needs ${quantity} or ${delta}`))
    if (fields[quantity!] !== undefined && !/^\d+$/.test(fields[quantity!]!))
      errors.push(fieldError(quantity!, 'must be a whole number'))
    if (fields[delta!] !== undefined && !NUMBER.test(fields[delta!]!))
      errors.push(fieldError(delta!, 'must be a number'))
  }
  if (fields.Amount !== undefined && !NUMBER.test(fields.Amount)) errors.push(fieldError('Amount', 'must be a number'))
  return errors
}

/** The actions the fake's accepted conversions created, and how changes to them are answered. */
export function createActionLedger() {
  let actions: FakeAction[] = []
  const find = (fields: FormFields): FakeAction | undefined =>
    actions.find((a) => a.ActionTrackerId === fields.ActionTrackerId && a.OrderId === fields.OrderId)
  return {
    /** An accepted conversion with an EventTypeId (Impact's ActionTrackerId) becomes an action. */
    record(fields: FormFields): void {
      if (
        !fields.EventTypeId ||
        !fields.OrderId ||
        find({ ActionTrackerId: fields.EventTypeId, OrderId: fields.OrderId })
      )
        return
      const items: Record<string, number> = {}
      for (let i = 1; fields[`ItemSku${i}`] !== undefined; i++)
        items[fields[`ItemSku${i}`]!] = Number(fields[`ItemSubTotal${i}`] ?? 0)
      const action: FakeAction = {
        ActionTrackerId: fields.EventTypeId,
        OrderId: fields.OrderId,
        state: 'PENDING',
        locked: false,
        items,
        changes: [],
      }
      if (fields.ClickId) action.ClickId = fields.ClickId
      actions.push(action)
    },
    /** Applies a valid change; the answer's status and body. */
    change(method: 'DELETE' | 'PUT', fields: FormFields): { status: number; body: unknown } {
      const action = find(fields)
      const refused = (Message: string) => ({ status: 400, body: { Status: 'ERROR', Message } })
      if (!action)
        return refused(`No action for ActionTrackerId ${fields.ActionTrackerId} and OrderId ${fields.OrderId}`)
      if (action.locked) return refused(`Action ${fields.OrderId} is locked and can no longer be changed`)
      if (method === 'DELETE') {
        action.state = 'REVERSED'
        for (const sku of Object.keys(action.items)) action.items[sku] = 0
        action.changes.push(`DELETE ${fields.DispositionCode}`)
      } else {
        for (let n = 1; fields[actionItem('Sku', n)] !== undefined; n++) {
          const sku = fields[actionItem('Sku', n)]!
          if (!(sku in action.items)) return refused(`Action ${fields.OrderId} has no item ${sku}`)
          action.items[sku] =
            Math.round((action.items[sku]! + Number(fields[actionItem('ItemSubTotalDelta', n)] ?? 0)) * 100) / 100
        }
        action.changes.push(`PUT ${fields.Reason}`)
      }
      return {
        status: 200,
        body: {
          Status: 'QUEUED',
          QueuedUri: `/Advertisers/X/APISubmissions/A-${actions.indexOf(action)}-${action.changes.length}`,
        },
      }
    },
    /** Locks the action of `orderId` (its locking date passed). */
    lock(orderId: string): boolean {
      const matching = actions.filter((a) => a.OrderId === orderId)
      for (const a of matching) a.locked = true
      return matching.length > 0
    },
    list: (): FakeAction[] => structuredClone(actions),
    reset(): void {
      actions = []
    },
  }
}

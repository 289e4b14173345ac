/**
 * Impact's Actions API v14 (`/Advertisers/{AccountSID}/Actions`), as far as refunds and
 * cancellations use it, written from Impact's published description: `DELETE` reverses an action,
 * `PUT` modifies it. Both name the action by `ActionId`, or `ActionTrackerId` (the event type id)
 * with `OrderId`, and work only until the action locks.
 */

/** `DispositionCode` of a reversal (`DELETE`): the description's list. */
export const DISPOSITION_CODES = [
  'REJECTED',
  'CONS_INFO_INVALID',
  'CONS_ERROR',
  'CONS_FRAUD',
  'ITEM_RETURNED',
  'ITEM_OUT_OF_STOCK',
  'ORDER_ERROR',
  'PUB_ACT_DISPUTE',
  'NOT_COMPLIANCE_TERMS',
  'MP_RETURNED',
  'OTHER',
  'CREDITED_DIFFERENT_MP',
  'ADV_ACT_DISPUTE',
  'TEST_ACTION',
] as const

/** `Reason` of a modification (`PUT`): Impact's default reason codes. */
export const REASON_CODES = [
  'ORDER_UPDATE',
  'ITEM_RETURNED',
  'CONS_FRAUD',
  'CONS_ERROR',
  'ORDER_ERROR',
  'PUB_ACT_DISPUTE',
  'ADV_ACT_DISPUTE',
  'NOT_COMPLIANCE_TERMS',
  'ITEM_OUT_OF_STOCK',
  'TEST_ACTION',
  'PARTNER_NOT_ACTIVE',
  'CREDITED_DIFFERENT_MP',
  'OTHER',
] as const

/** Item parameters of a modification, indexed as Impact indexes them (see {@link actionItem}). */
export const ACTION_ITEM_FIELDS = ['Sku', 'Quantity', 'ItemSubTotalDelta', 'Category'] as const

/** Parameters of an action's identity and change, besides the item ones. */
export const ACTION_FIELDS = [
  'ActionId',
  'ActionTrackerId',
  'OrderId',
  'DispositionCode',
  'Reason',
  'Amount',
  'CustomerStatus',
] as const

/** The n-th item's parameter (1-based) as Impact names it: `Sku` for the first, then `Sku2`, `Sku3`, ... */
export const actionItem = (name: string, n: number): string => (n === 1 ? name : `${name}${n}`)

/** The rule kinds Impact's parameters come in, named once for both tables. */
import type { FieldRule } from './rules'

/** Free text. */
export const STRING: FieldRule = { type: 'string' }
/** A positive integer id (CampaignId, EventTypeId, PropertyId, MediaId ...): 0 names nothing. */
export const ID: FieldRule = { type: 'integer', min: 1 }
/** A decimal number that is not money (rates, custom numerics). */
export const NUMBER: FieldRule = { type: 'number' }
/** A decimal money amount: CurrencyCode must come with it. */
export const MONEY: FieldRule = { type: 'number', money: true }
/** `true` or `false`. */
export const BOOLEAN: FieldRule = { type: 'boolean' }
/** ISO 8601 date-time. */
export const DATE_TIME: FieldRule = { type: 'string', format: 'date-time' }
/** An absolute URL. */
export const URI: FieldRule = { type: 'string', format: 'uri' }

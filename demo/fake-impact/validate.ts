/**
 * Validates PageLoad and Conversion form fields the way Impact does: every field against the
 * OpenAPI schema, then the conditional rules Impact documents in prose. Pure functions of the
 * fields; the schemas are read once when this module loads, so a broken spec fails at startup.
 */
import { loadFieldTable, lookupField, type FieldRule, type FieldTable } from './openapi.js'

/** One problem with a request, shaped like the entries of Impact's `errors[]`. */
export interface FieldError {
  /** The parameter at fault; a rule over several parameters names them all, joined by `|`. */
  field: string
  level: 'ERROR'
  message: string
}

/** Form fields as received: parameter name to its decoded string value. */
export type FormFields = Record<string, string>

/** Builds an Impact-shaped error. */
export const fieldError = (field: string, message: string): FieldError => ({ field, level: 'ERROR', message })

// Extras: fields Impact names only in prose (PageLoadRequest lacks ClickId although its own
// `required` description offers it) and length limits from Impact's docs the schemas omit.
const PAGE_LOAD = loadFieldTable('pageload-v14.openapi.yaml', 'PageLoadRequest', {
  ClickId: { type: 'string', maxLength: 64 },
  AndroidId: { type: 'string' },
  CustomProfileId: { maxLength: 70 },
})
const CONVERSION = loadFieldTable('conversions-v14.openapi.yaml', 'ConversionPayload', {
  ActionTrackerId: { type: 'integer' },
  CustomClickId: { type: 'string' },
  PromoCode: { type: 'string' },
  AndroidId: { type: 'string' },
  ClickId: { maxLength: 64 },
  OrderId: { maxLength: 64 },
  CustomProfileId: { maxLength: 70 },
  Note: { maxLength: 255 },
})

const VISITOR_IDS = 'CustomProfileId ClickId CustomerId GoogAId AndroidId AppleIfa AppleIfv'.split(' ')
const EVENT_IDS = ['ActionTrackerId', 'EventTypeId', 'EventTypeCode']
const ATTRIBUTION_KEYS = (
  'ClickId CustomerId CustomProfileId CustomClickId PromoCode OrderPromoCode MediaId ' +
  'MediaPartnerId UniqueUrl CallerId GoogAId AndroidId AppleIfa AppleIfv'
).split(' ')
const MONEY = new RegExp(
  '^(?:Order(?:Discount|SubTotalPostDiscount|Shipping|Tax|Margin)|Amount|Money\\d+|' +
    'Item(?:Price|SubTotal|Discount|TotalDiscount)\\d+|ItemMoney\\d+_\\d+)$',
)
/** RFC 3339: seconds required, and a zone (`Z` or `±hh:mm`), so the instant is unambiguous. */
const HH_MM = '(?:[01]\\d|2[0-3]):[0-5]\\d'
const DATE_TIME = new RegExp(`^(\\d{4})-(\\d\\d)-(\\d\\d)T${HH_MM}:[0-5]\\d(?:\\.\\d+)?(?:Z|[+-]${HH_MM})$`)
/** SHA-1 (40 hex) or SHA-256 (64 hex): Impact refuses plaintext; this project never sends it. */
const HASHED_EMAIL = /^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/

const has = (fields: FormFields, name: string): boolean => Object.hasOwn(fields, name)
const present = (fields: FormFields, names: string[]): string[] => names.filter((n) => has(fields, n))

/** Checks the date is a real calendar day too: Date.parse happily accepts February 30. */
function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const day = new Date(Date.UTC(y, mo - 1, d))
  return day.getUTCMonth() === mo - 1 && day.getUTCDate() === d && !Number.isNaN(Date.parse(value))
}

/** Absolute, with a scheme; new URL would also forgive surrounding spaces, Impact need not. */
const isAbsoluteUrl = (value: string): boolean => value === value.trim() && URL.canParse(value)

/** The first problem with one non-empty value, or undefined. */
function valueProblem(name: string, value: string, rule: FieldRule, allowNow: boolean) {
  if (rule.type === 'integer' && !/^-?\d+$/.test(value)) return 'must be an integer'
  if (rule.type === 'number' && !/^-?\d+(?:\.\d+)?$/.test(value)) return 'must be a decimal number'
  if (rule.type === 'boolean' && !/^(?:true|false)$/.test(value)) return 'must be true or false'
  // Ids (CampaignId, PropertyId, EventTypeId, MediaId ...) are positive: 0 names nothing.
  if (rule.type === 'integer' && name.endsWith('Id') && !/^0*[1-9]\d*$/.test(value)) {
    return 'must be a positive integer'
  }
  if (rule.format === 'date-time' && !(allowNow && value === 'NOW') && !isDateTime(value)) {
    return 'must be an ISO 8601 date-time with seconds and a time zone (Z or ±hh:mm)'
  }
  if (rule.format === 'uri' && !isAbsoluteUrl(value)) return 'must be an absolute URL with a scheme'
  if (rule.maxLength !== undefined && value.length > rule.maxLength) {
    return `must be at most ${rule.maxLength} characters (got ${value.length})`
  }
  if (rule.enum && !rule.enum.includes(value)) return `must be one of ${rule.enum.join(', ')}`
  if (name === 'CustomerEmail' && !HASHED_EMAIL.test(value)) {
    return 'must be a SHA-1 or SHA-256 hex hash: plaintext addresses are refused'
  }
  if (name === 'CurrencyCode' && !/^[A-Z]{3}$/.test(value)) return 'must be an ISO 4217 code (USD)'
  if (/^ItemQuantity\d+$/.test(name) && Number(value) < 1) return 'must be at least 1'
  return undefined
}

/**
 * Per-field checks shared by both endpoints: documented, non-empty, well-typed; then the
 * schema's `required` list minus the fields a "one of" rule covers instead.
 */
function checkFields(table: FieldTable, fields: FormFields, alternatives: string[], allowNow: boolean): FieldError[] {
  const errors: FieldError[] = []
  for (const [name, value] of Object.entries(fields)) {
    const match = lookupField(table, name)
    const problem = !match
      ? 'is not a documented parameter of this endpoint'
      : value.trim() === ''
        ? 'must not be empty (leave the parameter out instead)'
        : valueProblem(name, value, match.rule, allowNow)
    if (problem) errors.push(fieldError(name, problem))
  }
  for (const name of table.required) {
    if (alternatives.includes(name) || has(fields, name)) continue
    errors.push(fieldError(name, 'is required'))
  }
  return errors
}

/** Validates a `POST /PageLoad` form. Returns no errors when Impact would accept it. */
export function validatePageLoad(fields: FormFields): FieldError[] {
  const errors = checkFields(PAGE_LOAD, fields, VISITOR_IDS, true)
  if (present(fields, VISITOR_IDS).length === 0) {
    const others = VISITOR_IDS.slice(1).join(', ')
    const message = `CustomProfileId or one of ${others} is required`
    errors.push(fieldError(VISITOR_IDS.join('|'), message))
  }
  return errors
}

/** Item rules: indexes run 1..n, each item has a SKU, a quantity and exactly one amount. */
function checkItems(fields: FormFields): FieldError[] {
  const errors: FieldError[] = []
  const items = new Set<number>()
  for (const name of Object.keys(fields)) {
    const item = lookupField(CONVERSION, name)?.item
    if (item !== undefined) items.add(item)
  }
  if (items.size === 0) return errors
  let gap = 1
  while (items.has(gap)) gap++
  if (gap < Math.max(...items)) {
    const message = `item indexes must run from 1 without gaps: ${gap} is missing`
    errors.push(fieldError(`ItemSku${gap}`, message))
  }
  for (const i of items) {
    for (const name of [`ItemSku${i}`, `ItemQuantity${i}`]) {
      if (!has(fields, name)) errors.push(fieldError(name, `is required for item ${i}`))
    }
    const amounts = present(fields, [`ItemPrice${i}`, `ItemSubTotal${i}`])
    if (amounts.length === 2) {
      errors.push(fieldError(`ItemPrice${i}`, `must not be sent together with ItemSubTotal${i}`))
    } else if (amounts.length === 0) {
      const field = `ItemPrice${i}|ItemSubTotal${i}`
      errors.push(fieldError(field, `ItemPrice${i} or ItemSubTotal${i} is required`))
    }
  }
  if (has(fields, 'OrderSubTotalPostDiscount')) {
    errors.push(fieldError('OrderSubTotalPostDiscount', 'must not be sent with item-level data'))
  }
  return errors
}

/** Validates a `POST /Advertisers/{AccountSID}/Conversions` form, conditional rules included. */
export function validateConversion(fields: FormFields): FieldError[] {
  const errors = checkFields(CONVERSION, fields, [], false)
  const eventIds = present(fields, EVENT_IDS)
  if (eventIds.length === 0) {
    errors.push(fieldError(EVENT_IDS.join('|'), `one of ${EVENT_IDS.join(', ')} is required`))
  }
  if (eventIds.length > 1) {
    const message = `send exactly one event identifier, got ${eventIds.join(' and ')}`
    errors.push(...eventIds.map((id) => fieldError(id, message)))
  }
  if (present(fields, ATTRIBUTION_KEYS).length === 0) {
    const message = `one attribution key is required: ${ATTRIBUTION_KEYS.join(', ')}`
    errors.push(fieldError(ATTRIBUTION_KEYS.join('|'), message))
  }
  if (has(fields, 'MediaId') && has(fields, 'MediaPartnerId')) {
    errors.push(fieldError('MediaPartnerId', 'must not be sent together with MediaId'))
  }
  const money = Object.keys(fields).filter((name) => MONEY.test(name))
  if (money.length > 0 && !has(fields, 'CurrencyCode')) {
    errors.push(fieldError('CurrencyCode', `is required when money is sent (${money.join(', ')})`))
  }
  return [...errors, ...checkItems(fields)]
}

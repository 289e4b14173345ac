/**
 * Validates PageLoad and Conversion form fields the way Impact does: every field against the
 * project's field table (`src/fields`), then the table's conditional rules. Pure functions of the
 * fields.
 */
import { CONVERSIONS, PAGE_LOAD, forItem, lookupField, type FieldRule, type RequestTable } from '../../src/fields'

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

/**
 * Impact takes a plaintext email on PageLoad; this project never sends one, so the fake holds
 * PageLoad to the Conversions rule (a hash) and catches a leak on either endpoint.
 */
const STRICT_PAGE_LOAD: RequestTable = {
  ...PAGE_LOAD,
  fields: { ...PAGE_LOAD.fields, CustomerEmail: CONVERSIONS.fields.CustomerEmail! },
}

/** RFC 3339: seconds required, and a zone (`Z` or `±hh:mm`), so the instant is unambiguous. */
const HH_MM = '(?:[01]\\d|2[0-3]):[0-5]\\d'
const DATE_TIME = new RegExp(`^(\\d{4})-(\\d\\d)-(\\d\\d)T${HH_MM}:[0-5]\\d(?:\\.\\d+)?(?:Z|[+-]${HH_MM})$`)

const has = (fields: FormFields, name: string): boolean => Object.hasOwn(fields, name)
const present = (fields: FormFields, names: readonly string[]): string[] => names.filter((n) => has(fields, n))

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
function valueProblem(value: string, rule: FieldRule & { maxLength?: number }): string | undefined {
  if (rule.type === 'integer' && !/^-?\d+$/.test(value)) return 'must be an integer'
  if (rule.type === 'number' && !/^-?\d+(?:\.\d+)?$/.test(value)) return 'must be a decimal number'
  if (rule.type === 'boolean' && !/^(?:true|false)$/.test(value)) return 'must be true or false'
  if (rule.min !== undefined && Number(value) < rule.min) {
    return rule.min === 1 ? 'must be a positive integer' : `must be at least ${rule.min}`
  }
  if (rule.format === 'date-time' && !(rule.now && value === 'NOW') && !isDateTime(value)) {
    return 'must be an ISO 8601 date-time with seconds and a time zone (Z or ±hh:mm)'
  }
  if (rule.format === 'uri' && !isAbsoluteUrl(value)) return 'must be an absolute URL with a scheme'
  if (rule.maxLength !== undefined && value.length > rule.maxLength) {
    return `must be at most ${rule.maxLength} characters (got ${value.length})`
  }
  if (rule.pattern && !rule.pattern.test(value)) return `must match ${rule.pattern.source}`
  return undefined
}

/** Per-field checks: documented, non-empty, well-typed; then the always-required ones. */
function checkFields(table: RequestTable, fields: FormFields): FieldError[] {
  const errors: FieldError[] = []
  for (const [name, value] of Object.entries(fields)) {
    const match = lookupField(table, name)
    const problem = !match
      ? 'is not a documented parameter of this endpoint'
      : value.trim() === ''
        ? 'must not be empty (leave the parameter out instead)'
        : valueProblem(value, match.rule)
    if (problem) errors.push(fieldError(name, problem))
  }
  for (const name of table.required) {
    if (!has(fields, name)) errors.push(fieldError(name, 'is required'))
  }
  return errors
}

/** "At least one of" and "exactly one of". */
function checkAlternatives(table: RequestTable, fields: FormFields): FieldError[] {
  const errors: FieldError[] = []
  const { exactlyOne, anyOf } = table
  if (exactlyOne) {
    const sent = present(fields, exactlyOne)
    if (sent.length === 0) errors.push(fieldError(exactlyOne.join('|'), `one of ${exactlyOne.join(', ')} is required`))
    const message = `send exactly one of ${exactlyOne.join(', ')}, got ${sent.join(' and ')}`
    if (sent.length > 1) errors.push(...sent.map((name) => fieldError(name, message)))
  }
  if (present(fields, anyOf).length === 0) {
    errors.push(fieldError(anyOf.join('|'), `one of ${anyOf.join(', ')} is required`))
  }
  return errors
}

/** The item indexes in use (`ItemSku3` uses 3). */
function itemsOf(table: RequestTable, fields: FormFields): Set<number> {
  const items = new Set<number>()
  for (const name of Object.keys(fields)) {
    const item = lookupField(table, name)?.item
    if (item !== undefined) items.add(item)
  }
  return items
}

/** Pairs never sent together: `{i}` pairs per item in use. */
function checkExclusive(table: RequestTable, fields: FormFields, items: Set<number>): FieldError[] {
  const errors: FieldError[] = []
  for (const pair of table.exclusive ?? []) {
    const indexes = pair[0].includes('{i}') ? [...items] : [0]
    for (const i of indexes) {
      const [a, b] = pair.map((template) => forItem(template, i))
      if (has(fields, a!) && has(fields, b!)) errors.push(fieldError(b!, `must not be sent together with ${a}`))
    }
  }
  return errors
}

/** Item rules: indexes run 1..n, each item has what `perItem` asks; order-level fields stay out. */
function checkItems(table: RequestTable, fields: FormFields, items: Set<number>): FieldError[] {
  const errors: FieldError[] = []
  if (items.size === 0) return errors
  const perItem = table.perItem ?? []
  let gap = 1
  while (items.has(gap)) gap++
  if (gap < Math.max(...items)) {
    const message = `item indexes must run from 1 without gaps: ${gap} is missing`
    errors.push(fieldError(forItem(perItem[0]?.[0] ?? 'Item{i}', gap), message))
  }
  for (const i of items) {
    for (const templates of perItem) {
      const names = templates.map((t) => forItem(t, i))
      if (present(fields, names).length > 0) continue
      const message = `${names.join(' or ')} is required for item ${i}`
      errors.push(fieldError(names.join('|'), message))
    }
  }
  for (const name of present(fields, table.orderLevelOnly ?? [])) {
    errors.push(fieldError(name, 'must not be sent with item-level data'))
  }
  return errors
}

/** CurrencyCode (the table's currency field) whenever money is sent. */
function checkCurrency(table: RequestTable, fields: FormFields): FieldError[] {
  if (!table.currency || has(fields, table.currency)) return []
  const money = Object.keys(fields).filter((name) => lookupField(table, name)?.rule.money)
  return money.length === 0 ? [] : [fieldError(table.currency, `is required when money is sent (${money.join(', ')})`)]
}

/** All of a table's rules over one request. */
function validate(table: RequestTable, fields: FormFields): FieldError[] {
  const items = itemsOf(table, fields)
  return [
    ...checkFields(table, fields),
    ...checkAlternatives(table, fields),
    ...checkExclusive(table, fields, items),
    ...checkCurrency(table, fields),
    ...checkItems(table, fields, items),
  ]
}

/** Validates a `POST /PageLoad` form. Returns no errors when Impact would accept it. */
export const validatePageLoad = (fields: FormFields): FieldError[] => validate(STRICT_PAGE_LOAD, fields)

/** Validates a `POST /Advertisers/{AccountSID}/Conversions` form, conditional rules included. */
export const validateConversion = (fields: FormFields): FieldError[] => validate(CONVERSIONS, fields)

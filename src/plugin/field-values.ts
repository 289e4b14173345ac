import { positiveInteger } from '../impact-api'
import { fieldLimit } from '../fields'
import { parseUrl } from '../parse-url'
import { cut, dateTime, decimal, text, type MappingLog } from './values'

/** Turns a value into the text Impact takes in a field of some kind, or undefined when it can't. */
type Check = (value: unknown) => string | undefined

/**
 * `value` as a plain decimal Impact parses (never an exponent such as `1e+21`), rounded to cents
 * for money without the float noise of 19.99 * 3.
 */
const plain =
  (cents?: boolean): Check =>
  (value) => {
    const n = decimal(value)
    const s = n === undefined ? 'e' : '' + (cents ? Math.round((n + Number.EPSILON) * 100) / 100 : n)
    return /e/.test(s) ? undefined : s
  }

/** An absolute URL (any scheme: an app's web view may be `capacitor://`), as text; else undefined. */
const absoluteUrl: Check = (value) => {
  const s = text(value)
  return parseUrl(s) && s
}

/**
 * How values of each kind of field are checked, as [field names without their digits, check, what
 * the field takes (for the note when a value is dropped)]. Names are compared without digits, like
 * the limits. Field names, not patterns: gzip finds them again in the rest of the mapping. Any
 * other field takes text.
 */
const KINDS: Array<[string, Check, string]> = [
  // Money: rounded to cents, and it makes Impact require a CurrencyCode.
  [
    'OrderShipping OrderTax OrderDiscount OrderSubTotalPostDiscount OrderMargin Amount Money ItemPrice ItemSubTotal ItemDiscount ItemTotalDiscount ItemMoney_',
    plain(true),
    'a number',
  ],
  ['OrderDiscountRate ItemDiscountRate ItemNumeric_ Numeric', plain(), 'a number'],
  // Ids name something in Impact, and a quantity counts whole units: positive integers both.
  [
    'CampaignId EventTypeId ActionTrackerId MediaId MediaPartnerId PropertyId ItemQuantity',
    positiveInteger,
    'a positive integer',
  ],
  ['GiftPurchase TrackingConsent', (v) => /^(true|false)$/.exec(text(v)?.toLowerCase() ?? '')?.[0], 'true or false'],
  ['EventDate Date ItemDate_', dateTime, 'a date'],
  ['CurrencyCode', (v) => /^[A-Z]{3}$/.exec(text(v)?.toUpperCase() ?? '')?.[0], 'a currency code'],
  ['UniqueUrl PageUrl ReferringUrl', absoluteUrl, 'an absolute URL'],
]

/**
 * A lookup by name for [space-separated names, value] entries, built once on first use (a mapping
 * checks dozens of fields per event).
 */
const byName = <T>(entries: Array<[string, T]>): Map<string, T> =>
  new Map(entries.flatMap(([names, value]) => names.split(' ').map((name) => [name, value] as const)))

type Kind = (typeof KINDS)[number]
let kinds: Map<string, Kind> | undefined
let exclusive: Map<string, string[]> | undefined

/** The kind of field `name`, compared without its digits (`ItemMoney2_3` is an `ItemMoney_`). */
const kindOf = (name: string): Kind | undefined =>
  (kinds ??= byName(KINDS.map((kind) => [kind[0], kind]))).get(name.replace(/\d+/g, ''))

/** True for a field that holds money. */
export const isMoney = (name: string): boolean => kindOf(name) === KINDS[0]

/**
 * `value` as Impact accepts it in field `name`: the right type (money rounded to cents), within
 * Impact's length limit, cut at a character boundary. The one check of every value, built-in or
 * mapped. A value Impact would refuse is undefined, reported (absent and blank values are not): a
 * warning for a currency (the site sends the wrong one), else a debug note.
 */
export function fieldValue(name: string, value: unknown, log?: MappingLog): string | undefined {
  // By index: destructuring walks an iterator, slow in the interpreter on every field of a landing.
  const kind = kindOf(name)
  const check = kind?.[1] ?? text
  const what = kind?.[2] ?? 'text'
  const sent = check(value)
  const given = text(value)
  if (!sent && (typeof value === 'string' ? given : value !== null && value !== undefined))
    (name === 'CurrencyCode' ? log?.warn : log?.debug)?.(
      `${name} ${given ? JSON.stringify(given.slice(0, 40)) : `(${typeof value})`} dropped: not ${what}`,
    )
  return sent && cut(sent, fieldLimit(name))
}

/** Fields Impact refuses together: a mapped one replaces the built-in others of its group. */
const EXCLUSIVE = ['ItemPrice ItemSubTotal', 'EventTypeId EventTypeCode ActionTrackerId', 'MediaId MediaPartnerId']

/**
 * Sets `fields[name]` to `value` as {@link fieldValue} checks it, removing the fields Impact would
 * refuse beside it (a mapped ItemPrice1 removes ItemSubTotal1); nothing changes when the value is
 * refused. Returns what was set.
 */
export function setField(
  fields: Record<string, string>,
  name: string,
  value: unknown,
  log?: MappingLog,
): string | undefined {
  const sent = fieldValue(name, value, log)
  if (sent) {
    // By index, as in fieldValue: this runs for every field set.
    const parts = /^(\D+)(\d*)$/.exec(name)
    const family = parts?.[1] ?? ''
    const index = parts?.[2] ?? ''
    for (const other of (exclusive ??= byName(EXCLUSIVE.map((group) => [group, group.split(' ')]))).get(family) ?? [])
      delete fields[other + index]
    fields[name] = sent
  }
  return sent
}

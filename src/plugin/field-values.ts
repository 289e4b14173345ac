import { positiveInteger } from '../impact-api'
import { fieldLimit } from '../fields'
import { cut, dateTime, decimal, round2, text, type MappingLog } from './values'

/** `n` as a plain decimal Impact parses (never an exponent such as `1e+21`), rounded to cents for money. */
const plain = (n: number | undefined, cents?: boolean): string | undefined => {
  const s = n === undefined ? 'e' : '' + (cents ? round2(n) : n)
  return /e/.test(s) ? undefined : s
}

/**
 * Field names holding money, without their digits (see {@link kindKey}): sent rounded to cents, and
 * they make Impact require a CurrencyCode.
 */
const MONEY =
  'OrderShipping OrderTax OrderDiscount OrderSubTotalPostDiscount OrderMargin Amount Money ItemPrice ItemSubTotal ItemDiscount ItemTotalDiscount ItemMoney_'

/**
 * How values of each kind of field are checked, as [field names without their digits, value as
 * sent or undefined]. Names are compared without digits, like the limits: `ItemMoney2_3` is an
 * `ItemMoney_`. Field names, not patterns: gzip finds them again in the rest of the mapping.
 */
const KINDS: Array<[string, (value: unknown) => string | undefined]> = [
  [MONEY, (v) => plain(decimal(v), true)],
  ['OrderDiscountRate ItemDiscountRate ItemNumeric_ Numeric', (v) => plain(decimal(v))],
  // Ids name something in Impact, and a quantity counts whole units: positive integers both.
  ['CampaignId EventTypeId ActionTrackerId MediaId MediaPartnerId PropertyId ItemQuantity', positiveInteger],
  ['GiftPurchase TrackingConsent', (v) => /^(true|false)$/i.exec(text(v) ?? '')?.[0].toLowerCase()],
  ['EventDate Date ItemDate_', (v) => (v === null || v === '' ? undefined : dateTime(v))],
  ['CurrencyCode', (v) => /^[A-Z]{3}$/.exec(text(v)?.toUpperCase() ?? '')?.[0]],
  ['UniqueUrl PageUrl', absoluteUrl],
]

/** A field name without its digits (`ItemMoney2_3` -> `ItemMoney_`), as the kinds and limits key it. */
const kindKey = (name: string): string => name.replace(/\d+/g, '')

/** True for a field that holds money. */
export const isMoney = (name: string): boolean => MONEY.split(' ').includes(kindKey(name))

/** An absolute URL (any scheme: an app's web view may be `capacitor://`), as text; else undefined. */
export function absoluteUrl(value: unknown): string | undefined {
  const s = text(value)
  try {
    return s && new URL(s) && s
  } catch {
    return undefined
  }
}

/**
 * `value` as Impact accepts it in field `name`: the right type (money rounded to cents), within
 * Impact's length limit, cut at a character boundary. A value Impact would refuse is undefined,
 * reported: a warning for a currency (the site sends the wrong one), else a debug note.
 */
export function fieldValue(name: string, value: unknown, log: MappingLog): string | undefined {
  const check = KINDS.find(([names]) => names.split(' ').includes(kindKey(name)))?.[1]
  const given = text(value)
  const sent = check ? check(value) : given
  if (given && !sent)
    (name === 'CurrencyCode' ? log.warn : log.debug)(`${name} ${JSON.stringify(given.slice(0, 40))} dropped: invalid`)
  return sent && cut(sent, fieldLimit(name))
}

/** Fields Impact refuses together: a mapped one replaces the built-in others of its group. */
const EXCLUSIVE = [
  ['ItemPrice', 'ItemSubTotal'],
  ['EventTypeId', 'EventTypeCode', 'ActionTrackerId'],
  ['MediaId', 'MediaPartnerId'],
]

/** Sets a mapped field, removing the fields Impact would refuse beside it (ItemPrice1 removes ItemSubTotal1). */
export function override(fields: Record<string, string>, name: string, value: string): void {
  const [, family = '', index = ''] = /^(\D+)(\d*)$/.exec(name) ?? []
  for (const other of EXCLUSIVE.find((group) => group.includes(family)) ?? []) delete fields[other + index]
  fields[name] = value
}

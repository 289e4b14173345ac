/**
 * Impact's field tables, shared by the browser plugin, the server relay and the fake Impact.
 *
 * The tables live in `src/fields/`, written from Impact's published API descriptions: parameter
 * names, types, formats, limits, required parameters and the conditional rules. The browser only
 * needs the limits (`fieldLimit`), which sit apart so the CDN bundle carries nothing else. Keep
 * this module free of runtime dependencies so the relay can import it without browser code.
 */
import { CONVERSIONS } from './fields/conversions'
import { PAGE_LOAD } from './fields/page-load'
import { fieldLimit } from './fields/limits'
import { fixedNames, lookupField, plainNames, type RequestTable } from './fields/rules'

export { ATTRIBUTION_KEYS, CONVERSIONS, EVENT_IDENTIFIERS } from './fields/conversions'
export { fieldLimit } from './fields/limits'
export { PAGE_LOAD, VISITOR_IDS } from './fields/page-load'
export { forItem, lookupField } from './fields/rules'
export type { FieldMatch, FieldRule, RequestTable } from './fields/rules'

/** Fields as they go on the wire: Impact parameter name to its form-encoded string value. */
export type ImpactFields = Record<string, string>

/**
 * Impact's documented maximum lengths (characters) of every limited parameter with a fixed name,
 * both endpoints together. Item fields (`ItemText{i}_{1-50}`) have limits too: {@link fieldLimit}
 * answers for any name and is what the browser uses.
 */
export const FIELD_LIMITS: Readonly<Record<string, number>> = /* @__PURE__ */ limitsOf(CONVERSIONS, PAGE_LOAD)

function limitsOf(...tables: RequestTable[]): Record<string, number> {
  const limits: Record<string, number> = {}
  for (const name of tables.flatMap(fixedNames)) {
    const limit = fieldLimit(name)
    if (limit !== undefined) limits[name] = limit
  }
  return limits
}

/**
 * Plain (non-indexed) parameters of Impact's Conversions API v14, including the event identifier
 * and attribution keys its description names outside the schema (ActionTrackerId, CustomClickId,
 * PromoCode, AndroidId).
 */
export const CONVERSION_PARAMETERS: readonly string[] = /* @__PURE__ */ plainNames(CONVERSIONS)

/**
 * Parameters of Impact's PageLoad API v14, including ClickId and AndroidId, which its description
 * names as visitor identifiers outside the schema.
 */
export const PAGE_LOAD_PARAMETERS: readonly string[] = /* @__PURE__ */ plainNames(PAGE_LOAD)

/** True when `name` is a parameter Impact's PageLoad API documents. */
export function isPageLoadParameter(name: string): boolean {
  return lookupField(PAGE_LOAD, name) !== undefined
}

/** True when `name` is a parameter Impact's Conversions API documents (indexed ones included). */
export function isConversionParameter(name: string): boolean {
  return lookupField(CONVERSIONS, name) !== undefined
}

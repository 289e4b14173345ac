import { IMPACT_PAGE_LOAD_URL, positiveInteger } from './impact-api'
import type { ImpactSettings, TextMap } from './types'

/** Settings after validation, with every default filled in. The only shape the rest of the code sees. */
export interface ResolvedSettings {
  accountSid: string
  apiKey: string | undefined
  /** Decimal digits of a positive integer. */
  campaignId: string
  actionEventNames: string[]
  installEventNames: string[]
  pageLoadEventNames: string[]
  /** Decimal digits of a positive integer. */
  eventTypeId: string | undefined
  /** [Impact parameter, dot path] pairs. */
  customParameterMapping: Array<[string, string]>
  /** [Impact item parameter, product field path] pairs. */
  customMappingForProducts: Array<[string, string]>
  enablePageEvents: boolean
  enableScreenEvents: boolean
  enableIdentifyEvents: boolean
  iOsAppId: string | undefined
  androidAppId: string | undefined
  conversionEndpoint: string | undefined
  allowBrowserCredentials: boolean
  pageLoadEndpoint: string
  clickIdParams: string[]
  cookieDomain: string | undefined
  cookieMaxAgeDays: number
  uniqueClickWindowMinutes: number
  /** ISO 4217 code, upper case. */
  defaultCurrency: string
  /** Categories that must all be granted; [] means no consent gating (or the CDN settings' ones). */
  consentCategories: string[]
  sendWithoutConsent: boolean
  debug: boolean
}

/**
 * Unusable settings. `problems` lists every one, each naming its key and what it expects, so a
 * site owner fixes them all in one pass.
 */
export class ImpactSettingsError extends Error {
  /** One line per problem: `key: what is wrong`. */
  readonly problems: string[]

  constructor(problems: string[]) {
    super('Invalid Impact settings:\n- ' + problems.join('\n- '))
    this.name = 'ImpactSettingsError'
    this.problems = problems
  }
}

/**
 * How each setting is read: a parser returning the normalized value, or undefined when the raw
 * value is not acceptable, and the phrase naming what it expects.
 */
type Rule = [parse: (v: unknown) => unknown, expected: string]

const string: Rule = [(v) => (typeof v === 'string' ? v.trim() : undefined), 'a string']
const integer: Rule = [positiveInteger, 'a positive integer']
const flag: Rule = [(v) => (typeof v === 'boolean' ? v : undefined), 'true or false']
const names: Rule = [
  // A copy: the page's array (or a Proxy of one) is never read again after validation.
  (v) => (Array.isArray(v) && v.every((n) => typeof n === 'string' && n) ? [...v] : undefined),
  "names (['Order Completed'])",
]
const range = (max: number): Rule => [
  (v) => {
    const n = Number(v)
    return (typeof v === 'number' || typeof v === 'string') && n >= 1 && n <= max ? n : undefined
  },
  `1 to ${max}`,
]
const textMap: Rule = [toPairs, "{ Param: 'path' }"]
// A backslash is refused: browsers read `/\host/x` as `//host/x`, another host.
const endpoint: Rule = [
  (v) =>
    typeof v === 'string' && /^(https?:\/\/[^/?#\s\\]+|\/(?!\/))[^\s\\]*$/i.test(v.trim()) ? v.trim() : undefined,
  'a URL or /path, no backslash',
]
const currency: Rule = [
  (v) => (typeof v === 'string' && /^[a-z]{3}$/i.test(v.trim()) ? v.trim().toUpperCase() : undefined),
  "a currency code ('EUR')",
]

/** Every setting: its rule and its default (undefined: unset). */
const SETTINGS: Record<keyof ImpactSettings, [Rule, unknown?]> = {
  accountSid: [string],
  apiKey: [string],
  campaignId: [integer],
  actionEventNames: [names, ['Order Completed']],
  installEventNames: [names, ['Application Installed']],
  pageLoadEventNames: [names, ['Application Opened']],
  eventTypeId: [integer],
  customParameterMapping: [textMap, []],
  customMappingForProducts: [textMap, []],
  enablePageEvents: [flag, false],
  enableScreenEvents: [flag, false],
  enableIdentifyEvents: [flag, false],
  iOsAppId: [integer],
  androidAppId: [integer],
  conversionEndpoint: [endpoint],
  allowBrowserCredentials: [flag, false],
  pageLoadEndpoint: [endpoint, IMPACT_PAGE_LOAD_URL],
  clickIdParams: [names, ['irclickid', 'im_ref']],
  cookieDomain: [string],
  cookieMaxAgeDays: [range(400), 30],
  uniqueClickWindowMinutes: [range(1440), 30],
  defaultCurrency: [currency, 'USD'],
  consentCategories: [names, []],
  sendWithoutConsent: [flag, false],
  debug: [flag, false],
}

/**
 * Validates raw settings (as Segment delivers them, or as a site writes them) and fills defaults.
 * Segment sends unset text as '' and unset lists as []: both mean "use the default".
 * Never throws: bad settings come back as an {@link ImpactSettingsError}.
 */
export function resolveSettings(raw: unknown): ResolvedSettings | ImpactSettingsError {
  const input = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
  const problems = input === raw ? [] : ['settings: expected an object']
  const out: Record<string, unknown> = {}
  for (const key in SETTINGS) {
    // Read by index: destructuring walks an iterator per tuple, which took half of this function's
    // time on a landing (it runs once, in the interpreter).
    const setting = SETTINGS[key as keyof ImpactSettings]
    const rule = setting[0]
    // A throwing getter or a hostile Proxy is one more listed problem, never a throw into the page.
    try {
      const value = input[key]
      const unset =
        value === undefined ||
        value === null ||
        (typeof value === 'string' && !value.trim()) ||
        (Array.isArray(value) && !value.length)
      const parsed = unset ? undefined : rule[0](value)
      if (unset && (key === 'accountSid' || key === 'campaignId')) problems.push(key + ': required')
      if (!unset && parsed === undefined) problems.push(`${key}: expected ${rule[1]}, got ${show(value)}`)
      out[key] = parsed ?? setting[1]
    } catch {
      problems.push(key + ': unreadable')
    }
  }
  if (out.allowBrowserCredentials && !out.apiKey) problems.push('allowBrowserCredentials: needs apiKey')
  return problems.length ? new ImpactSettingsError(problems) : (out as unknown as ResolvedSettings)
}

/** A value as the site wrote it, for messages; never throws (BigInt, cycles). */
function show(value: unknown): string {
  try {
    return JSON.stringify(value)
  } catch {
    return String(value)
  }
}

/** Both text-map forms as [key, value] pairs; undefined when the value is neither form. */
function toPairs(map: unknown): Array<[string, string]> | undefined {
  const pairs = Array.isArray(map)
    ? (map as TextMap as Array<{ key: unknown; value: unknown }>).map((p) => [p?.key, p?.value])
    : typeof map === 'object' && map
      ? Object.entries(map)
      : [[]]
  return pairs.every(([k, v]) => typeof k === 'string' && k && typeof v === 'string' && v)
    ? (pairs as Array<[string, string]>)
    : undefined
}

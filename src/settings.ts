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
  eventTypeId: string | undefined
  /** [Impact parameter, dot path] pairs. */
  customParameterMapping: Array<[string, string]>
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
  debug: boolean
}

/**
 * Thrown (or reported) for unusable settings. `problems` lists every one, each naming its key and
 * the fix, so a site owner fixes them all in one pass.
 */
export class ImpactSettingsError extends Error {
  /** One line per problem, `key: what is wrong; the fix`. */
  readonly problems: string[]

  constructor(problems: string[]) {
    super('Invalid Impact Partnership Cloud settings:\n- ' + problems.join('\n- '))
    this.name = 'ImpactSettingsError'
    this.problems = problems
  }
}

/** Impact's default PageLoad endpoint (no authentication needed). */
export const DEFAULT_PAGE_LOAD_ENDPOINT = 'https://trkapi.impact.com/PageLoad'

const POSITIVE_INTEGER = /^[1-9]\d{0,15}$/

/**
 * Validates raw settings (as Segment delivers them, or as a site writes them) and fills defaults.
 * Never throws: bad settings come back as an {@link ImpactSettingsError}.
 */
export function resolveSettings(raw: unknown): ResolvedSettings | ImpactSettingsError {
  const problems: string[] = []
  const s = (isRecord(raw) ? raw : {}) as Record<keyof ImpactSettings, unknown>
  if (!isRecord(raw)) problems.push('settings: expected an object such as { accountSid, campaignId }')

  // Segment sends unset text fields as '' and unset lists as []: both mean "use the default".
  const text = (key: keyof ImpactSettings, fix: string): string | undefined => {
    const v = s[key]
    if (blank(v)) return undefined
    if (typeof v === 'string' && v.trim()) return v.trim()
    problems.push(`${key}: expected a string; ${fix}`)
    return undefined
  }
  const id = (key: keyof ImpactSettings, what: string): string | undefined => {
    const v = s[key]
    if (blank(v)) return undefined
    const digits = String(v).trim()
    if ((typeof v === 'string' || typeof v === 'number') && POSITIVE_INTEGER.test(digits)) return digits
    problems.push(`${key}: ${JSON.stringify(v)} is not a positive integer; use the ${what} shown in Impact`)
    return undefined
  }
  const flag = (key: keyof ImpactSettings): boolean => {
    const v = s[key]
    if (v === undefined || v === null || typeof v === 'boolean') return v === true
    problems.push(`${key}: expected true or false`)
    return false
  }
  const names = (key: keyof ImpactSettings, fallback: string[]): string[] => {
    const v = s[key]
    if (v === undefined || v === null) return fallback
    if (Array.isArray(v) && v.every((n) => typeof n === 'string' && n)) return v.length ? v : fallback
    problems.push(`${key}: expected a list of non-empty strings, such as ${JSON.stringify(fallback)}`)
    return fallback
  }
  const number = (key: keyof ImpactSettings, fallback: number, min: number, max: number): number => {
    const v = s[key]
    if (blank(v)) return fallback
    const n = typeof v === 'string' ? Number(v) : v
    if (typeof n === 'number' && n >= min && n <= max) return n
    problems.push(`${key}: expected a number from ${min} to ${max} (default ${fallback})`)
    return fallback
  }
  const textMap = (key: keyof ImpactSettings): Array<[string, string]> => {
    const pairs = toPairs(s[key] as TextMap | undefined)
    if (pairs) return pairs
    problems.push(`${key}: expected { ImpactParameter: 'path' } or [{ key, value }] with string values`)
    return []
  }
  const endpoint = (key: keyof ImpactSettings): string | undefined => {
    const v = text(key, 'use a URL or a same-origin path such as /impact/conversions')
    if (v === undefined || /^(https?:\/\/[^/?#\s]+|\/(?!\/))\S*$/i.test(v)) return v
    problems.push(`${key}: ${JSON.stringify(v)} is not an http(s) URL or a path starting with /`)
    return undefined
  }

  const accountSid = text('accountSid', 'copy the Account SID from Impact, Settings, API')
  if (blank(s.accountSid)) problems.push('accountSid: required; copy it from Impact, Settings, API')
  const campaignId = id('campaignId', 'program (campaign) id')
  if (blank(s.campaignId)) problems.push('campaignId: required; use the program id shown in Impact')
  const apiKey = text('apiKey', 'the Auth Token belongs in the relay on your server')
  const allowBrowserCredentials = flag('allowBrowserCredentials')
  if (allowBrowserCredentials && !apiKey) {
    problems.push('allowBrowserCredentials: needs apiKey; better, leave it off and set conversionEndpoint to your relay')
  }
  const clickIdParams = names('clickIdParams', ['irclickid', 'im_ref'])

  const settings: ResolvedSettings = {
    accountSid: accountSid ?? '',
    apiKey,
    campaignId: campaignId ?? '',
    actionEventNames: names('actionEventNames', ['Order Completed']),
    installEventNames: names('installEventNames', ['Application Installed']),
    pageLoadEventNames: names('pageLoadEventNames', ['Application Opened']),
    eventTypeId: id('eventTypeId', 'numeric event type id (or leave it blank to send EventTypeCode)'),
    customParameterMapping: textMap('customParameterMapping'),
    customMappingForProducts: textMap('customMappingForProducts'),
    enablePageEvents: flag('enablePageEvents'),
    enableScreenEvents: flag('enableScreenEvents'),
    enableIdentifyEvents: flag('enableIdentifyEvents'),
    iOsAppId: id('iOsAppId', 'System App ID of your iOS app'),
    androidAppId: id('androidAppId', 'System App ID of your Android app'),
    conversionEndpoint: endpoint('conversionEndpoint'),
    allowBrowserCredentials,
    pageLoadEndpoint: endpoint('pageLoadEndpoint') ?? DEFAULT_PAGE_LOAD_ENDPOINT,
    clickIdParams,
    cookieDomain: text('cookieDomain', 'use a domain such as example.com, or leave it unset'),
    cookieMaxAgeDays: number('cookieMaxAgeDays', 30, 1, 400),
    uniqueClickWindowMinutes: number('uniqueClickWindowMinutes', 30, 1, 1440),
    debug: flag('debug'),
  }
  return problems.length ? new ImpactSettingsError(problems) : settings
}

/** Both text-map forms as [key, value] pairs; undefined when the value is neither form. */
function toPairs(map: TextMap | undefined | null): Array<[string, string]> | undefined {
  if (map === undefined || map === null || (map as unknown) === '') return []
  const pairs: Array<[unknown, unknown]> = Array.isArray(map)
    ? map.map((p: unknown) => (isRecord(p) ? [p.key, p.value] : [undefined, undefined]))
    : isRecord(map)
      ? Object.entries(map)
      : [[undefined, undefined]]
  return pairs.every(([k, v]) => typeof k === 'string' && k && typeof v === 'string' && v)
    ? (pairs as Array<[string, string]>)
    : undefined
}

/** Unset as Segment sends it: missing, null or an empty (or blank) string. */
function blank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && !v.trim())
}

/** A plain object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

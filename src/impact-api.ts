/**
 * Impact's endpoints and the request rules that the browser plugin and the relay both follow.
 * Each rule is written once, here; both sides import it.
 */

/** Base URL of Impact's authenticated REST API. */
export const IMPACT_API_BASE = 'https://api.impact.com'

/** Impact's PageLoad endpoint (no authentication). */
export const IMPACT_PAGE_LOAD_URL = 'https://trkapi.impact.com/PageLoad'

/**
 * Largest body sent with `keepalive`, and the most a PageLoad may weigh. Browsers cap all keepalive
 * bodies in flight at 64 KiB together; 16 KiB each leaves room for several.
 */
export const KEEPALIVE_MAX_BYTES = 16 * 1024

/**
 * The most a conversion body may weigh (the relay refuses more with 413). An order of hundreds of
 * lines fits; past it the browser first drops the descriptive item fields.
 */
export const CONVERSION_MAX_BYTES = 64 * 1024

/**
 * Impact click ids are case-sensitive and at most 64 characters. Anything outside this alphabet
 * (`;`, `=`, quotes, markup, whitespace, non-ASCII) is refused so it can never reach a cookie
 * header (the browser's or the relay's Set-Cookie) or a request body.
 */
const CLICK_ID = /^[\w.~-]{1,64}$/

/** True for a usable click id: 1 to 64 characters of `A-Z a-z 0-9 - _ . ~`. */
export function isValidClickId(value: unknown): value is string {
  return typeof value === 'string' && CLICK_ID.test(value)
}

/** Impact's Conversions API URL for `accountSid`, under `base` (no trailing slash). */
export function conversionsUrl(accountSid: string, base: string = IMPACT_API_BASE): string {
  return `${base}/Advertisers/${encodeURIComponent(accountSid)}/Conversions`
}

/** Impact's Actions API URL for an account: reversals (DELETE) and changes (PUT) of its actions. */
export function actionsUrl(accountSid: string, base: string = IMPACT_API_BASE): string {
  return `${base}/Advertisers/${encodeURIComponent(accountSid)}/Actions`
}

/**
 * HTTP Basic credentials over UTF-8. `btoa` alone only takes Latin-1 and throws on anything else,
 * and a token may hold any character.
 */
export function basicAuth(user: string, password: string): string {
  return 'Basic ' + btoa(String.fromCharCode(...new TextEncoder().encode(`${user}:${password}`)))
}

/**
 * A positive integer id (CampaignId, EventTypeId, app ids) as Impact's decimal digits: a safe
 * integer number or a string of digits without a leading zero. Undefined for anything else.
 */
export function positiveInteger(value: unknown): string | undefined {
  const digits = typeof value === 'number' ? (Number.isSafeInteger(value) ? String(value) : '') : value
  return typeof digits === 'string' && /^[1-9]\d{0,15}$/.test(digits.trim()) ? digits.trim() : undefined
}

/** Options of the relay and their validation (the only code that sees raw options). */

import { basicAuth, conversionsUrl, IMPACT_API_BASE, IMPACT_PAGE_LOAD_URL, positiveInteger } from '../impact-api'
import { parseUrl } from '../parse-url'
import type { VerifiedOrder } from './verified-order'

/** Options of {@link createImpactRelay}. Read once, at creation; invalid options throw there. */
export interface ImpactRelayOptions {
  /** Impact Account SID: the Basic auth user name and the `{AccountSID}` path segment. */
  accountSid: string
  /** Impact Auth Token: the Basic auth password. A secret that stays on the server. */
  authToken: string
  /** Program (campaign) ids this relay forwards conversions and PageLoads for: positive integers. */
  campaignIds: Array<string | number>
  /**
   * Exact origins (`https://shop.example.com`: scheme, host and port if not the default) whose
   * pages may POST conversions and PageLoads. `'*'` is refused: any website could then submit
   * conversions.
   */
  allowedOrigins: string[]
  /**
   * Where your server proves the sale: anyone on the internet can POST to a public relay, so
   * without this check a forged `ClickId=ATTACKER&Amount=99999` reaches Impact with your
   * credentials (a relay created without it warns once, at creation).
   *
   * Called with the fields about to be forwarded (documented parameters only, IpAddress and
   * UserAgent as the relay observed them) and the incoming request (its body already read). Return:
   * - the order as your records know it (see {@link VerifiedOrder}): its values replace the
   *   browser's, and once it states money or items, no money or item field of the browser's is
   *   forwarded. Bind at least OrderId (your canonical id: a lookup that ignores case or spaces
   *   then forwards one order once, not each variant), the amount and the currency;
   * - `true` to forward the browser's fields as they are;
   * - `false` (or anything else) to refuse: 422, nothing forwarded, the browser drops the sale.
   *
   * Throwing, or not settling within `timeoutMs`, answers 503, so the browser retries later.
   *
   * @example
   * verifyConversion: async (fields) => {
   *   const order = await orders.findPaid(fields.OrderId) // your store; case-insensitive is fine
   *   if (!order) return false
   *   return { OrderId: order.id, OrderSubTotalPostDiscount: order.total, CurrencyCode: order.currency }
   * }
   */
  verifyConversion?: (
    fields: Readonly<Record<string, string>>,
    request: Request,
  ) => boolean | VerifiedOrder | Promise<boolean | VerifiedOrder>
  /** Base URL of Impact's API. Default `https://api.impact.com`. Plain http only for loopback hosts. */
  impactBaseUrl?: string
  /**
   * Impact's PageLoad endpoint, where the `.../pageload` route forwards (without credentials).
   * Default `https://trkapi.impact.com/PageLoad`. Plain http only for loopback hosts.
   */
  impactPageLoadUrl?: string
  /**
   * `Domain` of the click cookie the `.../pageload` route sets, e.g. `example.com` so that
   * `www.` and `checkout.` share it; use the plugin's `cookieDomain` (by default the registrable
   * domain) so both write one cookie. Default: none, a host-only cookie.
   */
  cookieDomain?: string
  /** Lifetime of the server-set click cookie, in days, counted from the click: 1 to 400. Default 30. */
  clickCookieMaxAgeDays?: number
  /**
   * A header carrying the visitor's IP that your platform or proxy sets, e.g. `cf-connecting-ip`
   * (its whole value is the address) or `x-forwarded-for` (a list: see `trustedProxies`). Only
   * name a header your infrastructure always sets or overwrites. When set, the connection address
   * is not used; a value that is not an IPv4 or IPv6 address is ignored. Default: none, the
   * connection's address.
   */
  clientIpHeader?: string
  /**
   * With `clientIpHeader: 'x-forwarded-for'` (or `forwarded-for`-style lists): how many proxies of
   * yours append to it. The address used is the `trustedProxies`-th entry from the end, the one
   * your nearest trusted proxy saw connect, never one the client wrote in front. 1 to 10.
   * Default 1 (one load balancer).
   */
  trustedProxies?: number
  /**
   * How long to wait, in milliseconds, for each of: the request's body (a slower sender gets 408),
   * `verifyConversion` (503), and Impact (503). Default 10000.
   */
  timeoutMs?: number
}

/** Validated, normalised options, as the handler uses them. */
export type RelayConfig = ReturnType<typeof resolveRelayOptions>

const KNOWN_KEYS = (
  'accountSid authToken campaignIds allowedOrigins verifyConversion impactBaseUrl impactPageLoadUrl ' +
  'cookieDomain clickCookieMaxAgeDays clientIpHeader trustedProxies timeoutMs'
).split(' ')
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/
/** A cookie Domain: dot-separated DNS labels (a leading dot is allowed and dropped). */
const COOKIE_DOMAIN = /^\.?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i
const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.trim() !== ''

/** A setting parsed as a URL; undefined for anything else. */
const urlOf = (value: unknown): URL | undefined => parseUrl(typeof value === 'string' ? value : undefined)

/** True for an origin exactly as browsers send it: http(s), host, port if not the default, nothing else. */
const isExactOrigin = (value: unknown): boolean =>
  /^https?:$/.test(urlOf(value)?.protocol ?? '') && urlOf(value)?.origin === value

/**
 * An Impact base URL without trailing slashes, or undefined when unusable: https only (plain http
 * for loopback hosts, the tests' fake Impact), no query, fragment or credentials.
 */
export function impactUrlOf(value: unknown): string | undefined {
  const url = urlOf(value)
  if (!url || url.search || url.hash || url.username || url.password) return undefined
  // The Auth Token and visitors' addresses travel in these requests: never in clear text off this machine.
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname))
  return secure ? url.href.replace(/\/+$/, '') : undefined
}

const isNumberIn = (value: unknown, min: number, max: number, integer: boolean): boolean =>
  typeof value === 'number' &&
  (integer ? Number.isInteger(value) : Number.isFinite(value)) &&
  value >= min &&
  value <= max

/**
 * Checks `options` and returns the normalised config. Throws one TypeError listing every problem,
 * each with its key and the fix, so a misconfigured server fails at boot, not on a sale. The Auth
 * Token's value never appears in the message (boot logs are widely readable).
 */
export function resolveRelayOptions(options: ImpactRelayOptions) {
  const isObject = typeof options === 'object' && options !== null
  const o: Partial<Record<string, unknown>> = isObject ? { ...options } : {}
  const problems = isObject ? [] : ['options: pass an object, e.g. createImpactRelay({ accountSid, authToken, ... })']
  for (const key of Object.keys(o).filter((k) => !KNOWN_KEYS.includes(k))) {
    problems.push(
      `${key}: unknown option; ${key === 'apiKey' ? 'the Auth Token goes in authToken' : `use only ${KNOWN_KEYS.join(', ')}`}`,
    )
  }
  const {
    accountSid,
    authToken,
    campaignIds,
    allowedOrigins,
    verifyConversion,
    impactBaseUrl,
    impactPageLoadUrl,
    cookieDomain,
    clickCookieMaxAgeDays,
    clientIpHeader,
    trustedProxies,
    timeoutMs,
  } = o
  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem)
  }
  check(
    isNonEmptyString(accountSid) && !/[\s:]/.test(accountSid),
    'accountSid: set your Impact Account SID (a non-empty string without spaces or ":")',
  )
  check(isNonEmptyString(authToken), 'authToken: set your Impact Auth Token (a non-empty string)')
  check(
    Array.isArray(campaignIds) &&
      campaignIds.length > 0 &&
      campaignIds.every((id) => positiveInteger(id) !== undefined),
    'campaignIds: list the program ids this relay serves, positive integers, e.g. [12345]',
  )
  const origins: unknown[] = Array.isArray(allowedOrigins) ? allowedOrigins : []
  check(
    origins.length > 0,
    "allowedOrigins: list the exact origins of your shop's pages, e.g. ['https://shop.example.com']",
  )
  for (const origin of origins) {
    check(
      origin !== '*',
      "allowedOrigins: '*' is not allowed: any website could then submit conversions with your credentials; list exact origins",
    )
    check(
      origin === '*' || isExactOrigin(origin),
      `allowedOrigins: ${JSON.stringify(origin)} is not an exact origin; use scheme://host[:port] with no path or trailing slash`,
    )
  }
  check(
    verifyConversion === undefined || typeof verifyConversion === 'function',
    'verifyConversion: pass a function (fields, request) => the order as your records know it, true or false',
  )
  const impactUrl = (key: string, value: unknown, fallback: string): string | undefined => {
    const url = value === undefined ? fallback : impactUrlOf(value)
    check(
      url !== undefined,
      `${key}: use an https URL without query or fragment (plain http only for localhost), or leave it out`,
    )
    return url
  }
  const baseUrl = impactUrl('impactBaseUrl', impactBaseUrl, IMPACT_API_BASE)
  const pageLoadUrl = impactUrl('impactPageLoadUrl', impactPageLoadUrl, IMPACT_PAGE_LOAD_URL)
  check(
    cookieDomain === undefined || (typeof cookieDomain === 'string' && COOKIE_DOMAIN.test(cookieDomain)),
    "cookieDomain: use a domain such as 'example.com' (no scheme, port or path), or leave it out for a host-only cookie",
  )
  check(
    clickCookieMaxAgeDays === undefined || isNumberIn(clickCookieMaxAgeDays, 1, 400, false),
    'clickCookieMaxAgeDays: use a number of days from 1 to 400, or leave it out (default 30)',
  )
  check(
    clientIpHeader === undefined || (typeof clientIpHeader === 'string' && HEADER_NAME.test(clientIpHeader)),
    "clientIpHeader: use a header name your platform sets, e.g. 'cf-connecting-ip', or leave it out",
  )
  check(
    trustedProxies === undefined || isNumberIn(trustedProxies, 1, 10, true),
    'trustedProxies: use a whole number from 1 to 10 (your proxies that append to x-forwarded-for), or leave it out (default 1)',
  )
  check(
    timeoutMs === undefined || isNumberIn(timeoutMs, 1, 120_000, true),
    'timeoutMs: use a whole number of milliseconds from 1 to 120000, or leave it out (default 10000)',
  )
  if (problems.length > 0)
    throw new TypeError(`Invalid Impact relay options:\n${problems.map((p) => `- ${p}`).join('\n')}`)

  return {
    authorization: basicAuth(accountSid as string, authToken as string),
    campaignIds: (campaignIds as unknown[]).map((id) => positiveInteger(id) as string),
    allowedOrigins: new Set(origins as string[]) as ReadonlySet<string>,
    verifyConversion: verifyConversion as ImpactRelayOptions['verifyConversion'],
    conversionsUrl: conversionsUrl(accountSid as string, baseUrl),
    pageLoadUrl: pageLoadUrl as string,
    cookieDomain: (cookieDomain as string | undefined)?.replace(/^\./, '').toLowerCase(),
    clickCookieMaxAgeSeconds: Math.round(((clickCookieMaxAgeDays as number | undefined) ?? 30) * 86_400),
    clientIpHeader: (clientIpHeader as string | undefined)?.toLowerCase(),
    trustedProxies: (trustedProxies as number | undefined) ?? 1,
    timeoutMs: (timeoutMs as number | undefined) ?? 10_000,
  }
}

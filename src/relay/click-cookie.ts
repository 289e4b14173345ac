/** The click cookie the relay sets from the server, so Safari keeps it as long as the shop asks. */

import { CLICK_ID_COOKIE, CLICK_SESSION_COOKIE } from '../click-id/cookie-names'
import { isValidClickId } from '../impact-api'
import { parseUrl } from '../parse-url'
import type { RelayConfig } from './options'
import { jsonProperty, type ImpactAnswer } from './upstream'

/** True when `clickId` is the value of a query parameter of `pageUrl`: the visitor landed from a click. */
function landedWith(clickId: string, pageUrl: string | undefined): boolean {
  return [...(parseUrl(pageUrl)?.searchParams.values() ?? [])].includes(clickId)
}

/**
 * The click a PageLoad establishes, if any: on a landing, its own ClickId (found in its PageUrl);
 * for a PageLoad without a ClickId, the clickId Impact answered (a referral click). A plain page
 * view establishes nothing, so the click's lifetime counts from the click, never renewed.
 */
export function establishedClick(fields: Readonly<Record<string, string>>, answer: ImpactAnswer): string | undefined {
  // A visitor who refused tracking (sent under Impact's Consent Mode) gets no cookie of ours.
  if (fields.TrackingConsent === 'false') return undefined
  const sent = fields.ClickId
  if (sent !== undefined) return isValidClickId(sent) && landedWith(sent, fields.PageUrl) ? sent : undefined
  if (!answer.reached || answer.status < 200 || answer.status >= 300) return undefined
  const answered = jsonProperty(answer.json, 'clickId')
  // Validated before it reaches a header: an answer must not be able to inject cookie attributes.
  return isValidClickId(answered) ? answered : undefined
}

/**
 * The cookie domain the plugin on the visitor's page uses, as it reports it with the PageLoad: its
 * click-session cookie (written before the PageLoad is sent) ends with the number of labels of its
 * domain (0: host-only). Taken from the request's own host, so only that host or a parent of it:
 * never a domain the request could not set a cookie for. Undefined: host-only.
 */
export function reportedCookieDomain(request: Request): string | undefined {
  const session = new RegExp(`(?:^|;\\s*)${CLICK_SESSION_COOKIE}=\\d+\\.\\d+\\.(\\d+)(?:;|$)`).exec(
    request.headers.get('cookie') ?? '',
  )
  const labels = Number(session?.[1])
  const origin = request.headers.get('origin')
  const host = (parseUrl(origin ?? undefined) ?? new URL(request.url)).hostname
  const parts = host.split('.')
  if (!(labels >= 2 && labels <= parts.length) || /^[\d.]+$|:/.test(host)) return undefined
  return parts.slice(-labels).join('.')
}

/**
 * The Set-Cookie value for `clickId`: readable by script (not HttpOnly: the plugin reads it),
 * `Secure` when the page is https (by the request's URL or its Origin, as a TLS-terminating proxy
 * leaves the URL http), `Domain` as configured, else where the plugin keeps its own
 * ({@link reportedCookieDomain}): with defaults on both sides a browser holds one click cookie, the
 * newest click wins on every subdomain, and a withdrawal removes it.
 */
export function clickCookie(
  config: Pick<RelayConfig, 'cookieDomain' | 'clickCookieMaxAgeSeconds'>,
  clickId: string,
  request: Request,
): string {
  const https = request.url.startsWith('https:') || (request.headers.get('origin') ?? '').startsWith('https:')
  const domain = config.cookieDomain ?? reportedCookieDomain(request)
  return [
    `${CLICK_ID_COOKIE}=${clickId}`,
    `Max-Age=${config.clickCookieMaxAgeSeconds}`,
    'Path=/',
    'SameSite=Lax',
    ...(https ? ['Secure'] : []),
    ...(domain ? [`Domain=${domain}`] : []),
  ].join('; ')
}

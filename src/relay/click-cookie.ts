/** The click cookie the relay sets from the server, so Safari keeps it as long as the shop asks. */

import { isValidClickId } from '../impact-api'
import type { RelayConfig } from './options'
import { jsonProperty, type ImpactAnswer } from './upstream'

/** The cookie's name: the plugin's own click cookie, which it reads as its own. */
export const CLICK_COOKIE_NAME = 'impact_click_id'

/** True when `clickId` is the value of a query parameter of `pageUrl`: the visitor landed from a click. */
function landedWith(clickId: string, pageUrl: string | undefined): boolean {
  if (pageUrl === undefined || !URL.canParse(pageUrl)) return false
  return [...new URL(pageUrl).searchParams.values()].includes(clickId)
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
 * The Set-Cookie value for `clickId`: readable by script (not HttpOnly: the plugin reads it),
 * `Secure` when the page is https (by the request's URL or its Origin, as a TLS-terminating proxy
 * leaves the URL http), `Domain` only when configured.
 */
export function clickCookie(
  config: Pick<RelayConfig, 'cookieDomain' | 'clickCookieMaxAgeSeconds'>,
  clickId: string,
  request: Request,
): string {
  const https = request.url.startsWith('https:') || (request.headers.get('origin') ?? '').startsWith('https:')
  return [
    `${CLICK_COOKIE_NAME}=${clickId}`,
    `Max-Age=${config.clickCookieMaxAgeSeconds}`,
    'Path=/',
    'SameSite=Lax',
    ...(https ? ['Secure'] : []),
    ...(config.cookieDomain ? [`Domain=${config.cookieDomain}`] : []),
  ].join('; ')
}

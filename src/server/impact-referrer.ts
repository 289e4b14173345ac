import { CLICK_ID_COOKIE } from '../click-id/cookie-names'
import { isValidClickId } from '../impact-api'

/** Segment's referrer convention for a click: what `context.referrer` of a server-side event holds. */
export interface ImpactReferrer {
  type: 'impact'
  id: string
}

/**
 * The visitor's Impact click from the `Cookie` header of the shop's request, as
 * `context.referrer` for a server-side `Order Completed`:
 * `analytics.track({ ..., context: { referrer: impactReferrer(req.headers.cookie) } })`.
 * Undefined when there is no valid click id (1 to 64 of A-Z a-z 0-9 - _ . ~).
 */
export function impactReferrer(cookieHeader: string | null | undefined): ImpactReferrer | undefined {
  for (const pair of (cookieHeader ?? '').split(';')) {
    const at = pair.indexOf('=')
    if (pair.slice(0, at).trim() !== CLICK_ID_COOKIE) continue
    const id = pair.slice(at + 1).trim()
    if (isValidClickId(id)) return { type: 'impact', id }
  }
  return undefined
}

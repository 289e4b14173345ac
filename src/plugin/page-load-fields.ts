import type { SegmentEvent } from '@segment/analytics-next'
import type { ImpactFields } from '../fields'
import type { ResolvedSettings } from '../settings'
import { identityFields, type Identity } from './identity-fields'
import { absoluteUrl } from './field-values'
import { put, text } from './values'

/** Where the page load happened, as the plugin observed it. */
export interface PageView {
  /** Absolute URL of the page (for a unique click: the landing URL with its click id). */
  url: string
  /** Absolute URL of the referring page, if any. */
  referrer?: string | undefined
  /** The browser's user agent. */
  userAgent?: string | undefined
}

/** A PageLoad for Impact's unauthenticated PageLoad endpoint. Pure. */
export function pageLoadFields(
  event: SegmentEvent,
  settings: ResolvedSettings,
  identity: Identity,
  view: PageView,
  now: number,
): ImpactFields {
  const fields = identityFields(event, settings, identity, now)
  put(fields, 'PageUrl', absoluteUrl(view.url))
  // Only a web page refers: `android-app://` or `about:blank` referrers say nothing to Impact.
  const referrer = text(view.referrer) ?? ''
  put(fields, 'ReferringUrl', /^https?:/i.test(referrer) ? absoluteUrl(referrer) : undefined)
  put(fields, 'UserAgent', text(view.userAgent))
  return fields
}

import type { SegmentEvent } from '@segment/analytics-next'
import type { ImpactFields } from '../fields'
import type { ResolvedSettings } from '../settings'
import { setField } from './field-values'
import { identityFields, type Identity } from './identity-fields'
import { text } from './values'

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
  setField(fields, 'PageUrl', view.url)
  // Only a web page refers: `android-app://` or `about:blank` referrers say nothing to Impact.
  if (/^https?:/i.test(text(view.referrer) ?? '')) setField(fields, 'ReferringUrl', view.referrer)
  setField(fields, 'UserAgent', view.userAgent)
  return fields
}

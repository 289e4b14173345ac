import type { SegmentEvent } from '@segment/analytics-next'
import { withoutClickIds } from '../click-id/click-id'
import type { ClickTracker } from '../click-id/click-tracker'
import type { ClickDecision } from '../click-id/unique-click'
import type { ImpactFields } from '../fields'
import type { ResolvedSettings } from '../settings'
import { pageLoadFields } from './page-load-fields'
import { valueAt } from './values'

/** Where the visitor arrived in this document, and what the unique-click rule made of it. */
export interface Landing {
  /** The URL at load(), click id included, before any script could clean the address bar. */
  url: string
  /** The unique-click verdict for that URL. */
  click: ClickDecision
}

/** Builds the PageLoads of one document, remembering what in-app navigation needs. */
export interface PageLoads {
  /** The PageLoad fields of a page, screen, identify or PageLoad-named track event. */
  fields(event: SegmentEvent, now: number): ImpactFields
}

/**
 * PageLoads for one document. `landing` is the decision made at load(): the document's first page
 * event reports it (a site may clean the click id out of the address bar before its first page()).
 */
export function createPageLoads(
  settings: ResolvedSettings,
  tracker: ClickTracker,
  landing: Landing | undefined,
): PageLoads {
  /** URL of the previous page event: the referrer of in-app navigations. */
  let previousUrl: string | undefined
  return {
    fields(event, now) {
      let url = String(valueAt(event.properties, 'url') ?? valueAt(event.context, 'page.url') ?? location.href)
      // In-app navigations are referred by the previous page, never the stale external document.referrer.
      const referrer = previousUrl ?? document.referrer
      let clickId = tracker.clickId()
      let unique = false
      if (event.type === 'page') {
        const { click, url: landingUrl } = landing ?? { click: tracker.pageLoad(url, referrer, now), url }
        landing = undefined
        previousUrl = url
        if ((unique = click.unique)) {
          clickId = click.clickId
          url = landingUrl
        }
      }
      if (!unique) url = withoutClickIds(url, settings.clickIdParams)
      const userAgent = String(valueAt(event.context, 'userAgent') ?? navigator.userAgent)
      return pageLoadFields(event, settings, { clickId }, { url, referrer, userAgent }, now)
    },
  }
}

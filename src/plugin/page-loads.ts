import type { SegmentEvent } from '@segment/analytics-next'
import { withoutClickIds } from '../click-id/click-id'
import type { ClickTracker } from '../click-id/click-tracker'
import type { ClickDecision } from '../click-id/unique-click'
import type { ImpactFields } from '../fields'
import type { ResolvedSettings } from '../settings'
import { pageLoadFields } from './page-load-fields'
import { valueAt } from './values'

/** Where the visitor arrived in this document, captured at load(). */
export interface Landing {
  /** The URL at load(), click id included, before any script could clean the address bar. */
  url: string
  /** The document's referrer at load(). */
  referrer: string
  /** When the visitor landed (ms since epoch). */
  at: number
  /** The unique-click verdict, once made: at load(), or when consent shows (see ConsentGate). */
  click?: ClickDecision | undefined
}

/** Builds the PageLoads of one document, remembering what in-app navigation needs. */
export interface PageLoads {
  /**
   * The PageLoad fields of a page, screen, identify or PageLoad-named track event. `cookieless`:
   * no click cookie or session is read or written; only a click id in the URL counts.
   */
  fields(event: SegmentEvent, now: number, cookieless: boolean | undefined): ImpactFields
  /**
   * The click id a cookieless event may carry: the one on the current URL, else the landing's,
   * held in memory for the document's life. No cookie is read.
   */
  heldClickId(now: number): string | undefined
}

/**
 * PageLoads for one document. The document's first page event reports `landing` (a site may clean
 * the click id out of the address bar before its first page()).
 */
export function createPageLoads(settings: ResolvedSettings, tracker: ClickTracker, landing: Landing): PageLoads {
  /** URL of the previous page event: the referrer of in-app navigations. */
  let previousUrl: string | undefined
  let first: Landing | undefined = landing
  const held = (url: string, now: number): string | undefined =>
    tracker.peek(url, undefined, now).clickId ?? tracker.peek(landing.url, undefined, now).clickId
  return {
    heldClickId: (now) => held(location.href, now),
    fields(event, now, cookieless) {
      const decide = cookieless ? tracker.peek : tracker.pageLoad
      let url = String(valueAt(event.properties, 'url') ?? valueAt(event.context, 'page.url') ?? location.href)
      // In-app navigations are referred by the previous page, never the stale external document.referrer.
      const referrer = previousUrl ?? document.referrer
      let clickId: string | undefined
      let unique = false
      if (event.type === 'page') {
        const landing = first
        first = undefined
        previousUrl = url
        // A cookieless event ignores what consent once allowed: only the URL's click id counts.
        const click = landing
          ? ((cookieless ? undefined : landing.click) ?? decide(landing.url, landing.referrer, landing.at))
          : decide(url, referrer, now)
        // The verdict names the click too (the stored one unless it is new): no second cookie read.
        clickId = click.clickId
        if ((unique = click.unique)) url = landing?.url ?? url
      }
      clickId ??= cookieless ? held(url, now) : tracker.clickId()
      if (!unique) url = withoutClickIds(url, settings.clickIdParams)
      const userAgent = String(valueAt(event.context, 'userAgent') ?? navigator.userAgent)
      return pageLoadFields(event, settings, { clickId }, { url, referrer, userAgent }, now)
    },
  }
}

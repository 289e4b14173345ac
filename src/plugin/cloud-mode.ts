import type { Analytics } from '@segment/analytics-next'
import type { Logger } from '../log'

/** The CDN settings' shape this module reads; everything optional, since any of it may be missing. */
interface CdnIntegrations {
  [name: string]: { bundlingStatus?: unknown; unbundledIntegrations?: unknown } | undefined
}

/**
 * Keeps Segment's servers from sending a second copy of every event to Impact.
 *
 * A source that also runs Segment's cloud-mode "Impact Partnership Cloud" destination lists it in
 * its CDN settings, as an entry of `integrations` or in `integrations['Segment.io']
 * .unbundledIntegrations`. analytics-next builds each Segment.io payload's `_metadata.bundled` and
 * `_metadata.unbundled` from those same objects when it sends, and Segment's servers skip the
 * destinations listed as bundled. Marking the destination bundled, in place, therefore makes Segment
 * drop its cloud-mode copy while this plugin sends from the browser. Only `bundlingStatus` and the
 * unbundled list are touched: nothing in the entry is read, its credentials least of all.
 *
 * @returns true when the cloud-mode destination was found (and claimed).
 */
export function claimCloudModeDestination(analytics: Analytics, name: string, log: Logger): boolean {
  try {
    const integrations = analytics.settings.cdnSettings.integrations as CdnIntegrations
    const unbundled = integrations['Segment.io']?.unbundledIntegrations
    const listed = Array.isArray(unbundled) && unbundled.includes(name)
    const entry = integrations[name]
    if (!listed && !entry) return false
    if (listed) unbundled.splice(0, unbundled.length, ...unbundled.filter((n) => n !== name))
    if (entry && typeof entry === 'object') entry.bundlingStatus = 'bundled'
    else integrations[name] = { bundlingStatus: 'bundled' }
    log.warn(
      `Segment's cloud-mode ${name} destination is on for this source: Impact would count every click and sale twice. ` +
        'This page marks it bundled so Segment skips its copy; switch it off in Segment to be sure.',
    )
    return true
  } catch {
    // Settings of an unexpected shape (an older analytics-next, a stub): nothing to claim.
    return false
  }
}

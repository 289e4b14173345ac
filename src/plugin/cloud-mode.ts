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
 * @returns a function that gives the claim back (restores what it changed), when the cloud-mode
 * destination was found and claimed.
 */
export function claimCloudModeDestination(analytics: Analytics, name: string, log: Logger): (() => void) | undefined {
  try {
    const integrations = analytics.settings.cdnSettings.integrations as CdnIntegrations
    const unbundled = integrations['Segment.io']?.unbundledIntegrations
    const at = Array.isArray(unbundled) ? unbundled.indexOf(name) : -1
    const entry = integrations[name]
    if (at < 0 && !entry) return undefined
    if (at >= 0) (unbundled as unknown[]).splice(at, 1)
    const owned = entry && typeof entry === 'object'
    const status = owned ? entry.bundlingStatus : undefined
    if (owned) entry.bundlingStatus = 'bundled'
    else integrations[name] = { bundlingStatus: 'bundled' }
    log.warn(
      `${name} also runs in cloud mode: Impact would count everything twice. Marked bundled; turn it off in Segment.`,
    )
    return () => {
      if (at >= 0) (unbundled as unknown[]).splice(at, 0, name)
      if (owned) entry.bundlingStatus = status
      // A key left with undefined would break analytics-next's walk over the entries.
      else if (entry === undefined) delete integrations[name]
      else integrations[name] = entry
    }
  } catch {
    // Settings of an unexpected shape (an older analytics-next, a stub): nothing to claim.
    return undefined
  }
}

import type { Analytics } from '@segment/analytics-next'
import type { Logger } from '../log'
import type { ResolvedSettings } from '../settings'

/** The CDN settings' shape this module reads; everything optional, since any of it may be missing. */
interface CdnIntegrations {
  [name: string]: ({ bundlingStatus?: unknown; unbundledIntegrations?: unknown } & Record<string, unknown>) | undefined
}

/** The event kinds the cloud-mode destination's settings switch on, named as in this plugin's. */
const KINDS = ['enablePageEvents', 'enableScreenEvents', 'enableIdentifyEvents'] as const

/** What the plugin delivers, to hold against what the cloud-mode copy would. */
export interface Delivering {
  log: Logger
  settings: Pick<ResolvedSettings, (typeof KINDS)[number]>
  /** Conversions have somewhere to go (a conversionEndpoint, or opted-in credentials). */
  converts: boolean
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
 * unbundled list are changed, and of the entry only its `enable…Events` flags are read: never its
 * credentials.
 *
 * It claims only when the plugin delivers everything the cloud copy would (conversions, and each
 * kind the entry enables): otherwise Segment keeps delivering, since a sale counted twice can be
 * reversed in Impact and a sale sent to nobody cannot.
 *
 * @returns a function that gives the claim back (restores what it changed), when the cloud-mode
 * destination was found and claimed.
 */
export function claimCloudModeDestination(
  analytics: Analytics,
  name: string,
  { log, settings, converts }: Delivering,
): (() => void) | undefined {
  // Said unless the settings can be read and changed: never silence.
  let said = 'unchecked (analytics-next <1.70 or frozen settings)'
  let giveBack: (() => void) | undefined
  try {
    // Missing before analytics-next 1.70.0, which the peer range excludes.
    const integrations = analytics.settings.cdnSettings.integrations as CdnIntegrations
    const unbundled = integrations['Segment.io']?.unbundledIntegrations
    const at = Array.isArray(unbundled) ? unbundled.indexOf(name) : -1
    const entry = integrations[name]
    if (at < 0 && !entry) return undefined
    const missing: string[] = KINDS.filter((k) => entry?.[k] === true && !settings[k])
    if (!converts) missing.unshift('conversionEndpoint')
    if (missing.length) said = `left on: this plugin lacks ${missing.join()}`
    else {
      const status = entry?.bundlingStatus
      // Frozen settings throw (modules are strict), as does an entry that is no object. The list
      // goes first: should the entry then throw, the destination is in neither list and Segment
      // keeps sending its copy (a sale counted twice, never lost).
      if (at >= 0) (unbundled as unknown[]).splice(at, 1)
      if (entry) entry.bundlingStatus = 'bundled'
      else integrations[name] = { bundlingStatus: 'bundled' }
      said = 'marked bundled (Impact would count twice): turn it off in Segment'
      giveBack = () => {
        if (at >= 0) (unbundled as unknown[]).splice(at, 0, name)
        if (entry) entry.bundlingStatus = status
        // Not set to undefined: a key without an object would break analytics-next's walk over the
        // entries (which an entry such as null already would).
        else delete integrations[name]
      }
    }
  } catch {
    // `said` says it.
  }
  log.warn(`${name} in cloud mode: ${said}`)
  return giveBack
}

import type { SegmentEvent } from '@segment/analytics-next'
import type { ImpactFields } from '../fields'
import { valueAt } from './values'

/**
 * What the visitor's choice, as stamped on one event, allows: `granted` (every configured category
 * is `true`), `denied` (the event carries choices and one of ours is not `true`), `unknown` (no
 * categories configured, or no choice on the event: no `categoryPreferences`, or an empty one).
 */
export type Consent = 'granted' | 'denied' | 'unknown'

/**
 * How an event may go to Impact: its TrackingConsent value, `''` when the visitor's choice is not
 * known (no field), or undefined when it must not go at all. `'false'` also means cookieless: no
 * cookie or storage read or written for the event, no stored click id (Impact's Consent Mode).
 */
export type Sending = '' | 'true' | 'false' | undefined

/**
 * The consent an event's `context.consent.categoryPreferences` (as Segment's consent tools stamp
 * them) shows for `categories`. Preferences that cannot be read count as denied.
 */
export function consentOf(event: SegmentEvent, categories: readonly string[]): Consent {
  if (!categories.length) return 'unknown'
  let preferences: unknown
  try {
    // Read directly, not through the forgiving valueAt: a choice that throws must count as denied.
    preferences = (event.context as { consent?: { categoryPreferences?: unknown } } | undefined)?.consent
      ?.categoryPreferences
    if (!preferences || typeof preferences !== 'object' || !Object.keys(preferences).length) return 'unknown'
    return categories.every((c) => (preferences as Record<string, unknown>)[c] === true) ? 'granted' : 'denied'
  } catch {
    return 'denied'
  }
}

/** How an event with `consent` goes to Impact under the `sendWithoutConsent` setting. */
export function sendingFor(consent: Consent, sendWithoutConsent: boolean): Sending {
  return consent === 'granted' ? 'true' : consent === 'unknown' ? '' : sendWithoutConsent ? 'false' : undefined
}

/** `fields` flagged with the visitor's consent, when known. */
export function withTrackingConsent(fields: ImpactFields, sending: Sending): ImpactFields {
  return sending ? { ...fields, TrackingConsent: sending } : fields
}

/**
 * The categories to gate on: the setting, else `analytics`' CDN settings for this destination
 * (`integrations['Impact Partnership Cloud'].consentSettings.categories`), else none.
 */
export function consentCategories(configured: string[], analytics: unknown, pluginName: string): string[] {
  if (configured.length) return configured
  try {
    const path = `settings.cdnSettings.integrations.${pluginName}.consentSettings.categories`
    const categories = valueAt(analytics, path)
    return Array.isArray(categories) ? categories.filter((c): c is string => typeof c === 'string') : []
  } catch {
    return []
  }
}

import type { SegmentEvent } from '@segment/analytics-next'
import type { ImpactFields } from '../fields'
import { ATTRIBUTION_KEYS } from '../fields/conversions'
import { valueAt } from './values'

/**
 * What one event's consent allows. `off`: no consent management (gating is off and the event
 * carries no choice). `granted`: every category of ours is `true`. `refused`: the event carries a
 * choice and one of ours is not `true`, or the choice cannot be read, or gating is on and no
 * category is known for this destination (fail closed). `unknown`: gating is on and the event
 * carries no choice yet (no preferences, or an empty `{}`).
 */
export type Consent = 'off' | 'granted' | 'refused' | 'unknown'

/**
 * How an event goes to Impact: its TrackingConsent value, or `''` without consent management (no
 * field). `'false'` also means cookieless: no cookie or storage read or written for the event, and
 * no identifier the device stores (Impact's Consent Mode).
 */
export type Sending = '' | 'true' | 'false'

/** Fields that identify a visitor from what the device stores: never sent cookieless. */
const STORED_IDENTIFIERS = ['CustomProfileId', 'CustomerId', 'CustomerEmail'] as const

/** Marks "the event carries no choice at all" (no consent tool stamped it). */
const ABSENT = {}

/**
 * The consent one event shows for `categories`, from its `context.consent.categoryPreferences` as
 * Segment's consent tools stamp them. `gated`: gating is already known to be on (categories
 * configured or from the CDN settings, Segment's consent management on, or an earlier event
 * carried a choice). Pure; never throws.
 */
export function consentOf(event: SegmentEvent, categories: readonly string[], gated: boolean): Consent {
  const preferences = preferencesOf(event)
  if (preferences === ABSENT) return gated ? (categories.length ? 'unknown' : 'refused') : 'off'
  try {
    // A consent tool is on the page: without a category of ours, nothing can ever be granted.
    if (!categories.length || !isPlainObject(preferences)) return 'refused'
    const own = Object.keys(preferences)
    if (!own.length) return 'unknown'
    return categories.every((c) => own.includes(c) && preferences[c] === true) ? 'granted' : 'refused'
  } catch {
    // A Proxy whose traps throw: unreadable counts as refused.
    return 'refused'
  }
}

/**
 * The event's categoryPreferences, {@link ABSENT} when it carries none, or a value that is no
 * plain object (refused) when reading them throws. Read directly, not through the forgiving
 * valueAt: a choice that throws must count as refused, not as absent.
 */
function preferencesOf(event: SegmentEvent): unknown {
  try {
    const consent = (event.context as { consent?: { categoryPreferences?: unknown } } | undefined)?.consent
    const preferences = consent?.categoryPreferences
    return preferences === undefined ? ABSENT : preferences
  } catch {
    return null
  }
}

/** True when a consent tool stamped `event` with a choice (an empty `{}` included). */
export function carriesChoice(event: SegmentEvent): boolean {
  return preferencesOf(event) !== ABSENT
}

/** An object literal's shape: a Map, an array, a class instance or inherited keys are not. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  const proto: unknown = value && typeof value === 'object' ? Object.getPrototypeOf(value) : 0
  return proto === Object.prototype || proto === null
}

/**
 * `fields` flagged with the visitor's consent, when known. Cookieless (`'false'`) also drops every
 * identifier the device stores, whatever the mapping put there; what is left must still attribute
 * the request (a click id, a promo code), else it is not sent: undefined. A PageLoad has no other
 * visitor id left than its ClickId, which is one of Impact's attribution keys too.
 */
export function withTrackingConsent(fields: ImpactFields, sending: Sending): ImpactFields | undefined {
  if (!sending) return fields
  const flagged: ImpactFields = { ...fields, TrackingConsent: sending }
  if (sending === 'true') return flagged
  for (const name of STORED_IDENTIFIERS) delete flagged[name]
  return ATTRIBUTION_KEYS.some((key) => flagged[key]) ? flagged : undefined
}

/** What the CDN settings say about consent for this destination, read once at load. */
export interface CdnConsent {
  /** `integrations[<name>].consentSettings.categories`, strings only; [] when none. */
  categories: string[]
  /**
   * A top-level `consentSettings`: Segment's consent management is on for the workspace (and the
   * consent tools' opt-in model may have removed this destination's entry).
   */
  managed: boolean
}

/** Reads {@link CdnConsent} from `analytics.settings.cdnSettings` (JSON from Segment's CDN). */
export function cdnConsent(analytics: unknown, pluginName: string): CdnConsent {
  const cdn = valueAt(analytics, 'settings.cdnSettings')
  const categories = valueAt(cdn, `integrations.${pluginName}.consentSettings.categories`)
  return {
    categories: Array.isArray(categories) ? categories.filter((c): c is string => typeof c === 'string') : [],
    managed: !!valueAt(cdn, 'consentSettings'),
  }
}

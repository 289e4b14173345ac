import type { SegmentEvent } from '@segment/analytics-next'
import type { ClickTracker } from '../click-id/click-tracker'
import type { ClickDecision } from '../click-id/unique-click'
import { consentOf, sendingFor, type Sending } from './consent'
import type { Landing } from './page-loads'

/** What the gate lets through for one event. */
export interface Admission {
  /** How the event goes to Impact; undefined: not at all. */
  sending: Sending
  /** The landing page event withheld until consent, to send first (consent just arrived). */
  withheld?: SegmentEvent | undefined
}

/** Applies the visitor's consent, event by event, to what the plugin sends and stores. */
export interface ConsentGate {
  admit(event: SegmentEvent): Admission
}

/** The landing once consent was denied: no click is remembered from it. */
const FORGOTTEN: ClickDecision = { unique: false, reason: 'none', clickId: undefined, session: undefined }

/** What the gate needs. */
export interface ConsentGateOptions {
  /** Categories that must all be granted; [] means no gating. */
  categories: string[]
  sendWithoutConsent: boolean
  tracker: ClickTracker
  /** The landing captured at load(); without gating its click is already decided and stored. */
  landing: Landing
}

/**
 * With categories configured, the landing click stays in memory until an event shows the visitor's
 * choice: granted stores it (and releases the landing page event withheld meanwhile), denied
 * forgets it and removes this plugin's cookies.
 */
export function createConsentGate(options: ConsentGateOptions): ConsentGate {
  const { categories, tracker, landing } = options
  let held = categories.length > 0
  let withheld: SegmentEvent | undefined
  let removed = false
  return {
    admit(event) {
      const consent = consentOf(event, categories)
      const sending = sendingFor(consent, options.sendWithoutConsent)
      if (consent === 'granted') {
        removed = false
        if (!held) return { sending }
        held = false
        landing.click = tracker.pageLoad(landing.url, landing.referrer, landing.at)
        const release = withheld
        withheld = undefined
        return { sending, withheld: release }
      }
      if (consent === 'denied') {
        if (held) landing.click = FORGOTTEN
        held = false
        withheld = undefined
        // Once per page and choice: the cookies of an earlier consent go, nothing new is written.
        if (!removed) tracker.forget()
        removed = true
        return { sending }
      }
      // No choice yet: a page view waits (the first one is sent once consent is granted).
      if (held && event.type === 'page') {
        withheld ??= event
        return { sending: undefined }
      }
      return { sending }
    },
  }
}

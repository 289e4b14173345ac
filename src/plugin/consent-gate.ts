import type { SegmentEvent } from '@segment/analytics-next'
import type { ClickTracker } from '../click-id/click-tracker'
import type { Logger } from '../log'
import { carriesChoice, consentOf, type Sending } from './consent'
import type { Landing } from './page-loads'

/** One event the gate lets go, and how. */
export interface Release {
  event: SegmentEvent
  sending: Sending
}

/** Applies the visitor's consent, event by event, to what the plugin sends and stores. */
export interface ConsentGate {
  /**
   * Decides `event` (`sends`: it routes to Impact) and returns what may go now, in order: events
   * withheld while the choice was not known first (the landing page view leading), `event` last.
   */
  admit(event: SegmentEvent, sends: boolean): Release[]
}

/** What the gate needs. */
export interface ConsentGateOptions {
  /** Categories that must all be granted: the setting's, else the CDN settings' for this destination. */
  categories: string[]
  /**
   * Gating is known to be on at load (categories, or Segment's consent management on for the
   * workspace): the landing click was not stored and waits for a grant.
   */
  gated: boolean
  sendWithoutConsent: boolean
  tracker: ClickTracker
  /** The landing captured at load(); its click is decided (and stored) at load only when not gated. */
  landing: Landing
  log: Logger
  /** Gating turned on only after load: gives back what load() changed (the cloud-mode claim). */
  onLateGating: () => void
}

/** Events kept in memory while the visitor's choice is not known; more are not sent. */
export const MAX_WAITING = 20

/**
 * The consent gate of one document. While the choice is not known nothing is sent, written or
 * removed: the landing page view and other events wait in memory. A grant stores the landing click
 * and lets them go first; a refusal removes the click cookies and drops them (or, with
 * `sendWithoutConsent`, sends them cookieless), but keeps the landing page view and its click for a
 * grant later on the same page.
 */
export function createConsentGate(options: ConsentGateOptions): ConsentGate {
  const { categories, tracker, landing, log } = options
  let gated = options.gated
  let landingView: SegmentEvent | undefined
  /** A page event is withheld, or events went: later page events are not the landing. */
  let pageSeen = false
  let waiting: SegmentEvent[] = []
  /** The click cookies were removed for the current refusal. */
  let removed = false
  let warned = false
  const failClosed = (): void => log.error('consent: no category known, nothing sent; set consentCategories')
  if (gated && !categories.length) failClosed()

  const release = (sending: Sending, event: SegmentEvent, sends: boolean): Release[] => {
    const events = [landingView, ...waiting, sends ? event : undefined].filter((e) => e !== undefined)
    landingView = undefined
    waiting = []
    // The landing went (or the click was stored by a grant): no later page view is the landing.
    pageSeen = true
    return events.map((e) => ({ event: e, sending }))
  }
  /** Keeps the landing page view (the document's first page event) for a grant; true when it was. */
  const holdLanding = (event: SegmentEvent): boolean => {
    if (event.type !== 'page' || pageSeen) return false
    pageSeen = true
    landingView = event
    return true
  }
  const wait = (event: SegmentEvent): void => {
    if (!warned && !carriesChoice(event)) {
      warned = true
      log.warn(`consent: waiting for ${categories.join()} (no categoryPreferences yet)`)
    }
    if (holdLanding(event)) return
    // Past the bound (a page tracking for long without a choice) an event is not sent.
    if (waiting.length < MAX_WAITING) waiting.push(event)
  }

  return {
    admit(event, sends) {
      const consent = consentOf(event, categories, gated)
      if (consent === 'off') return sends ? [{ event, sending: '' }] : []
      if (!gated) {
        // A consent tool showed up on a page whose load() stored the click: fail closed at once.
        gated = true
        options.onLateGating()
        failClosed()
      }
      if (consent === 'unknown') {
        if (sends) wait(event)
        return []
      }
      if (consent === 'refused') {
        // Once per refusal: the cookies of an earlier consent go, every copy of them.
        if (!removed) tracker.forget()
        removed = true
        if (options.sendWithoutConsent) return release('false', event, sends)
        // Nothing goes, but the landing page view (and its click) waits for a grant on this page.
        waiting = []
        if (sends) holdLanding(event)
        return []
      }
      removed = false
      landing.click ??= tracker.pageLoad(landing.url, landing.referrer, landing.at)
      return release('true', event, sends)
    },
  }
}

import type { SegmentEvent } from '@segment/analytics-next'
import { conversionKey } from '../delivery/outbox'
import type { ResolvedSettings } from '../settings'
import { withTrackingConsent, type Sending } from './consent'
import { conversionFields } from './conversion-fields'
import { hashIdentity } from './hash-email'
import type { Note } from './values'

/** A conversion as delivery takes it. */
export interface Conversion {
  /** Dedupe key: the sale leaves the browser once. */
  key: string
  /** Form body stored in the outbox at once, before WebCrypto answers (no email in it). */
  body: string
  /** The body to send: `body` with the hashed CustomerEmail (and an email-like CustomerId hashed). */
  finalBody: Promise<string>
}

/** What a conversion is built from besides the event. */
export interface ConversionInput {
  settings: ResolvedSettings
  /** The click id the sale is attributed to. */
  clickId: string | undefined
  /** The visitor's email, as found on the event or the user's traits (hashed before sending). */
  email: unknown
  /** An app-install conversion. */
  install: boolean
  /** How the visitor's consent lets it go (its TrackingConsent). */
  sending: Sending
  now: number
  note: Note
}

/**
 * A Conversion ready for delivery. A thank-you page may navigate away before WebCrypto answers, so
 * the body is complete but for the hashed email and can be stored at once.
 */
export function buildConversion(event: SegmentEvent, input: ConversionInput): Conversion {
  const { settings, install, now, note } = input
  const fields = conversionFields(event, settings, { clickId: input.clickId }, install, now, note)
  return { key: conversionKey(fields), ...hashIdentity(withTrackingConsent(fields, input.sending), input.email) }
}

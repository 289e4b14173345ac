import type { SegmentEvent } from '@segment/analytics-next'
import type { Conversion } from '../delivery/delivery'
import { conversionKey } from '../delivery/outbox'
import type { ResolvedSettings } from '../settings'
import { withTrackingConsent, type Sending } from './consent'
import { conversionFields } from './conversion-fields'
import { hashIdentity } from './hash-email'
import type { MappingLog } from './values'

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
  /** The debug log, and warnings a site owner must see (an invalid currency). */
  log: MappingLog
}

/**
 * A Conversion ready for delivery. A thank-you page may navigate away before WebCrypto answers, so
 * the body is complete but for the hashed email and can be stored at once. Undefined for a
 * cookieless conversion that nothing attributes.
 */
export function buildConversion(event: SegmentEvent, input: ConversionInput): Conversion | undefined {
  // The input is the identity too: its clickId, and no CustomerEmail (hashIdentity adds it).
  const fields = conversionFields(event, input.settings, input, input.install, input.now, input.log)
  const flagged = withTrackingConsent(fields, input.sending)
  return flagged && { key: conversionKey(fields), ...hashIdentity(flagged, input.email) }
}

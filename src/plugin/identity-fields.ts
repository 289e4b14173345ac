import type { SegmentEvent } from '@segment/analytics-next'
import type { ImpactFields } from '../fields'
import type { ResolvedSettings } from '../settings'
import { isoDate, put, text, valueAt } from './values'

/** What the browser knows about the visitor beyond the event itself. */
export interface Identity {
  /** The stored (or just captured) click id. */
  clickId?: string | undefined
  /** SHA-1 hex of the visitor's email, never the address itself. */
  customerEmail?: string | undefined
}

/**
 * Fields every PageLoad and Conversion carries: program, time, who the visitor is, their click,
 * and the app property for events from an app's web view.
 */
export function identityFields(
  event: SegmentEvent,
  settings: ResolvedSettings,
  identity: Identity,
  now: number,
): ImpactFields {
  const fields: ImpactFields = { CampaignId: settings.campaignId, EventDate: isoDate(event.timestamp, now) }
  put(fields, 'CustomProfileId', text(event.anonymousId))
  put(fields, 'CustomerId', text(event.userId))
  put(fields, 'CustomerEmail', identity.customerEmail)
  put(fields, 'ClickId', identity.clickId)
  put(fields, 'PropertyId', propertyId(event, settings))
  return fields
}

/** Impact's app id for an event sent from an iOS or Android app's web view. */
function propertyId(event: SegmentEvent, settings: ResolvedSettings): string | undefined {
  const platform = String(
    valueAt(event.context, 'device.type') ?? valueAt(event.context, 'os.name') ?? '',
  ).toLowerCase()
  return platform === 'ios' ? settings.iOsAppId : platform === 'android' ? settings.androidAppId : undefined
}

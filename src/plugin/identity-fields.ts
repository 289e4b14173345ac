import type { SegmentEvent } from '@segment/analytics-next'
import type { ImpactFields } from '../fields'
import type { ResolvedSettings } from '../settings'
import { isoDate, put, text, valueAt, type Note } from './values'

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
  note?: Note,
): ImpactFields {
  const read = (key: string): unknown => valueAt(event, key, note)
  const fields: ImpactFields = { CampaignId: settings.campaignId, EventDate: isoDate(read('timestamp'), now) }
  put(fields, 'CustomProfileId', text(read('anonymousId')))
  put(fields, 'CustomerId', text(read('userId')))
  put(fields, 'CustomerEmail', identity.customerEmail)
  put(fields, 'ClickId', identity.clickId)
  put(fields, 'PropertyId', propertyId(read('context'), settings))
  return fields
}

/** Impact's app id for an event sent from an iOS or Android app's web view. */
function propertyId(context: unknown, settings: ResolvedSettings): string | undefined {
  const platform = text(valueAt(context, 'device.type') ?? valueAt(context, 'os.name'))?.toLowerCase()
  return platform === 'ios' ? settings.iOsAppId : platform === 'android' ? settings.androidAppId : undefined
}

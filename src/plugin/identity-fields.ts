import type { SegmentEvent } from '@segment/analytics-next'
import type { ImpactFields } from '../fields'
import type { ResolvedSettings } from '../settings'
import { setField } from './field-values'
import { text, valueAt, type MappingLog } from './values'

/** What the browser knows about the visitor beyond the event itself. */
export interface Identity {
  /** The stored (or just captured) click id. */
  clickId?: string | undefined
  /** SHA-1 hex of the visitor's email, never the address itself. */
  customerEmail?: string | undefined
}

/**
 * Fields every PageLoad and Conversion carries: program, time (the event's own, so a replayed
 * event keeps its date; else now), who the visitor is, their click, and the app property for
 * events from an app's web view.
 */
export function identityFields(
  event: SegmentEvent,
  settings: ResolvedSettings,
  identity: Identity,
  now: number,
  log?: MappingLog,
): ImpactFields {
  const read = (key: string): unknown => valueAt(event, key, log?.debug)
  const fields: ImpactFields = { CampaignId: settings.campaignId }
  const set = (name: string, value: unknown): unknown => setField(fields, name, value, log)
  if (!set('EventDate', read('timestamp'))) set('EventDate', now)
  set('CustomProfileId', read('anonymousId'))
  set('CustomerId', read('userId'))
  set('CustomerEmail', identity.customerEmail)
  set('ClickId', identity.clickId)
  // Impact's app id for an event sent from an iOS or Android app's web view.
  const platform = text(read('context.device.type') ?? read('context.os.name'))?.toLowerCase()
  set('PropertyId', platform === 'ios' ? settings.iOsAppId : platform === 'android' ? settings.androidAppId : undefined)
  return fields
}

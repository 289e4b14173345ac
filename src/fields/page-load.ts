/**
 * Impact's PageLoad API v14 request (`POST https://trkapi.impact.com/PageLoad`, no
 * authentication), written from Impact's published description.
 */
import { BOOLEAN, DATE_TIME, ID, STRING, URI } from './kinds'
import type { RequestTable } from './rules'

/**
 * One of these identifies the visitor: CustomProfileId, or else any of the others (the
 * description names ClickId and AndroidId here, although the schema lists neither).
 */
export const VISITOR_IDS = [
  'CustomProfileId',
  'ClickId',
  'CustomerId',
  'GoogAId',
  'AndroidId',
  'AppleIfa',
  'AppleIfv',
] as const

/** The PageLoad request body. */
export const PAGE_LOAD: RequestTable = {
  required: ['CampaignId', 'EventDate', 'PageUrl'],
  anyOf: VISITOR_IDS,
  fields: {
    CampaignId: ID,
    EventDate: { ...DATE_TIME, now: true },
    PageUrl: URI,
    ReferringUrl: URI,
    PropertyId: ID,
    CustomProfileId: STRING,
    ClickId: STRING,
    CustomerId: STRING,
    // Plaintext or SHA-1, says Impact (this project only ever sends the hash).
    CustomerEmail: STRING,
    GoogAId: STRING,
    AndroidId: STRING,
    AppleIfa: STRING,
    AppleIfv: STRING,
    TrackingConsent: BOOLEAN,
    UserAgent: STRING,
    IpAddress: STRING,
    AppName: STRING,
    AppPackage: STRING,
    AppVer: STRING,
    DeviceMfr: STRING,
    DeviceModel: STRING,
  },
}

/**
 * Impact's Conversions API v14 request (`POST /Advertisers/{AccountSID}/Conversions`), written
 * from Impact's published description: every documented parameter, the required ones and the
 * conditional rules the description states in prose.
 */
import { BOOLEAN, DATE_TIME, ID, MONEY, NUMBER, STRING, URI } from './kinds'
import type { RequestTable } from './rules'

/** One of these names the event type (the description's "event identifier"). */
export const EVENT_IDENTIFIERS = ['ActionTrackerId', 'EventTypeId', 'EventTypeCode'] as const

/** One of these attributes the conversion (the description's "attribution key"). */
export const ATTRIBUTION_KEYS = [
  'ClickId',
  'CustomerId',
  'CustomProfileId',
  'CustomClickId',
  'PromoCode',
  'OrderPromoCode',
  'MediaId',
  'MediaPartnerId',
  'UniqueUrl',
  'CallerId',
  'GoogAId',
  'AndroidId',
  'AppleIfa',
  'AppleIfv',
] as const

/** The Conversions request body. */
export const CONVERSIONS: RequestTable = {
  required: ['CampaignId', 'EventDate', 'OrderId'],
  anyOf: ATTRIBUTION_KEYS,
  exactlyOne: EVENT_IDENTIFIERS,
  exclusive: [
    ['MediaId', 'MediaPartnerId'],
    ['ItemSubTotal{i}', 'ItemPrice{i}'],
  ],
  // Reporting at item level makes the item's SKU, quantity and one amount required.
  perItem: [['ItemSku{i}'], ['ItemQuantity{i}'], ['ItemPrice{i}', 'ItemSubTotal{i}']],
  orderLevelOnly: ['OrderSubTotalPostDiscount'],
  currency: 'CurrencyCode',
  fields: {
    CampaignId: ID,
    EventDate: DATE_TIME,
    OrderId: STRING,
    // Event identifier. ActionTrackerId is named by the description only, not the schema.
    ActionTrackerId: ID,
    EventTypeId: ID,
    EventTypeCode: STRING,
    // Attribution keys. CustomClickId, PromoCode and AndroidId: named by the description only.
    ClickId: STRING,
    CustomerId: STRING,
    CustomProfileId: STRING,
    CustomClickId: STRING,
    PromoCode: STRING,
    OrderPromoCode: STRING,
    UniqueUrl: URI,
    GoogAId: STRING,
    AndroidId: STRING,
    AppleIfa: STRING,
    AppleIfv: STRING,
    MediaId: ID,
    MediaPartnerId: ID,
    CallerId: STRING,
    // Partner sub-ids, only with MediaId/MediaPartnerId.
    SubId1: STRING,
    SubId2: STRING,
    SubId3: STRING,
    SharedId: STRING,
    // Call tracking.
    PhoneNumber: STRING,
    CountryCode: { type: 'string', pattern: /^[A-Z]{2}$/ }, // ISO 3166-1 alpha-2
    IpAddress: STRING,
    // The customer. Impact refuses a plaintext email: SHA-1 or SHA-256 hex only.
    CustomerEmail: { type: 'string', pattern: /^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/ },
    CustomerStatus: STRING,
    CustomerCity: STRING,
    CustomerPostCode: STRING,
    CustomerCountry: STRING,
    CustomerRegion: STRING,
    // The order.
    OrderDiscount: MONEY,
    OrderSubTotalPostDiscount: MONEY,
    OrderShipping: MONEY,
    OrderTax: MONEY,
    OrderMargin: MONEY,
    OrderDiscountRate: NUMBER,
    PaymentType: STRING,
    GiftPurchase: BOOLEAN,
    CurrencyCode: { type: 'string', pattern: /^[A-Z]{3}$/ }, // ISO 4217
    Amount: MONEY,
    // Items, 1-based.
    'ItemSku{i}': STRING,
    'ItemPromoCode{i}': STRING,
    'ItemName{i}': STRING,
    'ItemCategory{i}': STRING,
    'ItemSubCategory{i}': STRING,
    'ItemMpn{i}': STRING,
    'ItemBrand{i}': STRING,
    'ItemQuantity{i}': ID,
    'ItemPrice{i}': MONEY,
    'ItemSubTotal{i}': MONEY,
    'ItemDiscount{i}': MONEY,
    'ItemDiscountRate{i}': NUMBER,
    'ItemTotalDiscount{i}': MONEY,
    'ItemDeliveryType{i}': STRING,
    'ItemText{i}_{1-50}': STRING,
    'ItemNumeric{i}_{1-10}': NUMBER,
    'ItemDate{i}_{1-10}': DATE_TIME,
    'ItemMoney{i}_{1-3}': MONEY,
    // Device and app.
    UserAgent: STRING,
    DeviceMfr: STRING,
    DeviceModel: STRING,
    PropertyId: ID,
    AppPackage: STRING,
    AppInstallRef: STRING,
    AppVer: STRING,
    // Location (accommodations).
    LocationId: STRING,
    LocationName: STRING,
    LocationType: STRING,
    // Reporting.
    TrackingConsent: BOOLEAN,
    Note: STRING,
    DispositionCode: STRING,
    'Text{1-50}': STRING,
    'Numeric{1-10}': NUMBER,
    'Money{1-3}': MONEY,
    'Date{1-10}': DATE_TIME,
  },
}

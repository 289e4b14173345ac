/**
 * Impact's field tables, shared by the browser plugin and the server relay.
 *
 * Only names and limits live here: the mapping from Segment events to these fields is in
 * `src/plugin`, the relay's use of them in `src/relay`. Keep this module free of runtime
 * dependencies so the relay can import it without pulling in browser code.
 */

/** Fields as they go on the wire: Impact parameter name to its form-encoded string value. */
export type ImpactFields = Record<string, string>

/**
 * Impact's documented maximum lengths (characters) for string fields. Indexed fields are listed
 * by family, the name without digits and underscores (`Text` covers Text1 to Text50, `ItemText`
 * every ItemText{i}_{n}).
 */
export const FIELD_LIMITS: Readonly<Record<string, number>> = {
  ClickId: 64,
  OrderId: 64,
  CustomProfileId: 70,
  Note: 255,
  Text: 64,
  ItemText: 64,
  SubId: 255,
  SharedId: 255,
}

/**
 * Plain (non-indexed) parameters documented by Impact's Conversions API v14, plus the
 * event identifier and attribution keys its description names outside the schema
 * (ActionTrackerId, CustomClickId, PromoCode).
 */
export const CONVERSION_PARAMETERS: readonly string[] = /* @__PURE__ */ (
  'CampaignId ActionTrackerId EventTypeId EventTypeCode EventDate OrderId ClickId CustomClickId ' +
  'CustomerId CustomProfileId OrderPromoCode PromoCode UniqueUrl GoogAId AndroidId AppleIfa ' +
  'AppleIfv MediaId MediaPartnerId SubId1 SubId2 SubId3 SharedId PhoneNumber CallerId ' +
  'CountryCode IpAddress CustomerEmail CustomerStatus CustomerCity CustomerPostCode ' +
  'CustomerCountry CustomerRegion OrderDiscount OrderSubTotalPostDiscount OrderShipping ' +
  'OrderTax OrderMargin OrderDiscountRate PaymentType GiftPurchase CurrencyCode Amount ' +
  'UserAgent DeviceMfr DeviceModel PropertyId AppPackage AppInstallRef AppVer LocationId ' +
  'LocationName LocationType TrackingConsent Note DispositionCode'
).split(' ')

/**
 * Parameters documented by Impact's PageLoad API v14, plus ClickId and AndroidId, which its
 * description names as visitor identifiers outside the schema.
 */
export const PAGE_LOAD_PARAMETERS: readonly string[] = /* @__PURE__ */ (
  'CampaignId PageUrl PropertyId AppleIfa GoogAId EventDate ReferringUrl CustomProfileId CustomerId ' +
  'CustomerEmail TrackingConsent UserAgent AppleIfv IpAddress AppName AppPackage AppVer DeviceMfr ' +
  'DeviceModel ClickId AndroidId'
).split(' ')

/** True when `name` is a parameter Impact's PageLoad API documents. */
export function isPageLoadParameter(name: string): boolean {
  return PAGE_LOAD_PARAMETERS.includes(name)
}

/** Indexed parameters: `ItemSku1`, `ItemText2_40`, `Text17`, `Numeric3`, `Money2`, `Date9` ... */
const INDEXED_CONVERSION_PARAMETER =
  /^(?:Item(?:Sku|PromoCode|Name|Category|SubCategory|Mpn|Brand|Quantity|Price|SubTotal|Discount|DiscountRate|TotalDiscount|DeliveryType)[1-9]\d*|Item(?:Text[1-9]\d*_(?:[1-9]|[1-4]\d|50)|(?:Numeric|Date)[1-9]\d*_(?:[1-9]|10)|Money[1-9]\d*_[1-3])|Text(?:[1-9]|[1-4]\d|50)|(?:Numeric|Date)(?:[1-9]|10)|Money[1-3])$/

/** True when `name` is a parameter Impact's Conversions API documents. */
export function isConversionParameter(name: string): boolean {
  return CONVERSION_PARAMETERS.includes(name) || INDEXED_CONVERSION_PARAMETER.test(name)
}

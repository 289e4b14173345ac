/**
 * A text-map setting: Impact parameter name to a source path. Segment delivers these either as an
 * object (`{ CustomerStatus: 'properties.customer_status' }`) or as a list of pairs
 * (`[{ key: 'CustomerStatus', value: 'properties.customer_status' }]`); both are accepted.
 */
export type TextMap = Record<string, string> | ReadonlyArray<{ key: string; value: string }>

/**
 * Settings of the Impact Partnership Cloud destination. Keys are exactly those Segment delivers
 * for this destination, so a Segment settings object works as is, plus this plugin's own
 * additions (from `conversionEndpoint` on).
 */
export interface ImpactSettings {
  /** Impact Account SID (Impact: Settings, API). Required. */
  accountSid: string
  /**
   * Impact Auth Token. A secret: it is never sent from a browser unless `allowBrowserCredentials`
   * is true. Keep it on the server, in the relay (`analytics-plugin-impact/relay`).
   */
  apiKey?: string
  /** Impact program (campaign) id, a positive integer. Required. */
  campaignId: string | number
  /** Track event names sent as Conversions. Default `['Order Completed']`. */
  actionEventNames?: string[]
  /** Track event names sent as app-install Conversions. Default `['Application Installed']`. */
  installEventNames?: string[]
  /** Track event names sent as PageLoads. Default `['Application Opened']`. */
  pageLoadEventNames?: string[]
  /**
   * Impact's numeric event type id for conversions. Blank: EventTypeCode is the Segment event
   * name, which must then match an event type code configured in Impact.
   */
  eventTypeId?: string
  /**
   * Extra Conversion parameters: Impact parameter to a dot path into the Segment event, such as
   * `{ CustomerStatus: 'properties.customer_status' }`. Overrides the built-in mapping; a value
   * Impact would refuse (wrong type, too long) is dropped or cut with a debug message.
   */
  customParameterMapping?: TextMap
  /**
   * Extra item parameters: Impact item parameter to a product field, such as
   * `{ ItemSku: 'product_id' }`. The item index goes where the key says `{i}` (`ItemText{i}_1`),
   * else at the end. Overrides the built-in item mapping; values get the built-in checks.
   */
  customMappingForProducts?: TextMap
  /** Send `page()` calls as PageLoads. Needed for web click tracking. Default false. */
  enablePageEvents?: boolean
  /** Send `screen()` calls as PageLoads. Default false. */
  enableScreenEvents?: boolean
  /** Send `identify()` calls as PageLoads carrying CustomerId and the hashed email. Default false. */
  enableIdentifyEvents?: boolean
  /** Impact System App ID of your iOS app, sent as PropertyId for events from its web view. */
  iOsAppId?: string
  /** Impact System App ID of your Android app, sent as PropertyId for events from its web view. */
  androidAppId?: string
  /**
   * URL of the conversion relay, best a same-origin path such as `'/impact/conversions'`.
   * Conversions are sent there without credentials; the relay adds them.
   */
  conversionEndpoint?: string
  /**
   * Explicit opt-in to send `apiKey` from the browser straight to Impact's Conversions API.
   * Every visitor can then read the token. Default false.
   */
  allowBrowserCredentials?: boolean
  /**
   * Where PageLoads go. Default `'https://trkapi.impact.com/PageLoad'`; a first-party proxy
   * path also works.
   */
  pageLoadEndpoint?: string
  /** URL parameters that carry Impact click ids, in order of preference. Default `['irclickid', 'im_ref']`. */
  clickIdParams?: string[]
  /** Domain of the click cookies. Default: the registrable domain, found by probing. */
  cookieDomain?: string
  /** Lifetime of the click id cookie in days, 1 to 400. Default 30. */
  cookieMaxAgeDays?: number
  /** Rolling window of a click session in minutes (the IAB unique-click rule). Default 30. */
  uniqueClickWindowMinutes?: number
  /**
   * ISO 4217 code (3 letters, such as `'EUR'`) sent as CurrencyCode when a conversion carries
   * money but no `properties.currency`, or one that is not a 3-letter code (then with a console
   * warning naming it). Default `'USD'`.
   */
  defaultCurrency?: string
  /**
   * Consent categories, as the site's consent tool names them (OneTrust: `['C0004']`; Segment's
   * consent tools: `['Advertising']`), that must all be granted in an event's
   * `context.consent.categoryPreferences` before this plugin tracks the visitor. Default `[]`: the
   * categories in the source's CDN settings for this destination (`consentSettings.categories`),
   * and when there are none, no consent gating.
   */
  consentCategories?: string[]
  /**
   * When consent is denied, still send events to Impact flagged `TrackingConsent=false`, without
   * cookies or storage and with no stored click id (Impact's Consent Mode). Whether that is lawful
   * is the site's decision. Default false: nothing is sent when consent is denied.
   */
  sendWithoutConsent?: boolean
  /** Console diagnostics prefixed `[Impact]`. Default false. */
  debug?: boolean
}

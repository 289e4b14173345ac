// @vitest-environment happy-dom
/**
 * The plugin inside REAL analytics-next, sending over real HTTP to the strict fake Impact.
 *
 * happy-dom note: its fetch (a) blocks http requests from https pages as mixed content, even to
 * 127.0.0.1, which browsers treat as trustworthy, and (b) preflights EVERY cross-origin request,
 * even CORS-safelisted form POSTs that browsers send without one; the fake would log such a
 * preflight as an invalid PageLoad. So the test page lives on the fake's own origin
 * (http://127.0.0.1:<port>/?irclickid=abc123), where the real relay serves /impact/pageload, as in
 * first-party mode: PageLoads are same-origin and every entry the plugin causes must be valid.
 * Conversions go to a small recording relay on another port.
 */
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AnalyticsBrowser, Context, type Analytics, type CDNSettings, type Plugin } from '@segment/analytics-next'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { SEGMENT_ORDER_COMPLETED } from '../demo/segment-order-example'
import { validateConversion, type LogEntry, type RunningFakeImpact } from '../demo/fake-impact/index'
import { impactPartnershipCloud } from '../src/index'
import { FIRST_ATTEMPT_WAIT_MS } from '../src/plugin/plugin'
import type { ImpactSettings } from '../src/types'
import { clearCookies, cookies, setPage } from './support/dom'
import { startFirstPartyImpact } from './support/first-party-impact'
import { CORS_HEADERS, startRecorder, type Recorder } from './support/recorder'

const ACCOUNT_SID = 'IRsid123'
const NAME = 'Impact Partnership Cloud'
const EMAIL = 'Jane.Doe@Example.com'
const EMAIL_SHA1 = createHash('sha1').update('jane.doe@example.com').digest('hex')

let fake: RunningFakeImpact
let relay: Recorder
let landing: string

beforeAll(async () => {
  fake = await startFirstPartyImpact({ accountSid: ACCOUNT_SID, authToken: 'secret-token', campaignIds: [1000] })
  relay = await startRecorder()
})
afterAll(async () => {
  await fake.close()
  await relay.close()
})

beforeEach(() => {
  landing = `${fake.url}/?irclickid=abc123`
  setPage(landing)
  clearCookies()
  localStorage.clear()
  fake.reset()
  relay.posts.length = 0
})
afterEach(() => {
  vi.restoreAllMocks()
  delete (document as { referrer?: string }).referrer
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Settings for the fake: PageLoads to it, conversions to the recording relay. */
const settings = (extra: Partial<ImpactSettings> = {}): ImpactSettings => ({
  accountSid: ACCOUNT_SID,
  campaignId: 1000,
  pageLoadEndpoint: `${fake.url}/impact/pageload`,
  conversionEndpoint: `${relay.url}/impact/conversions`,
  ...extra,
})

async function load(plugins: Plugin[], integrations: Record<string, unknown> = {}): Promise<Analytics> {
  const cdnSettings = {
    integrations: { 'Segment.io': { apiKey: 'test' }, ...integrations },
    metrics: { sampleRate: 0 },
  } as unknown as CDNSettings
  const [analytics] = await AnalyticsBrowser.load(
    { writeKey: 'test', cdnSettings, plugins },
    { integrations: { 'Segment.io': false } },
  )
  return analytics
}

/** Every request the fake saw: it must be one the plugin meant, and valid. */
function impactRequests(): LogEntry[] {
  const entries = fake.entries()
  for (const entry of entries) {
    expect(entry, JSON.stringify(entry.errors)).toMatchObject({ valid: true, status: 200, endpoint: 'PageLoad' })
    expect(entry.hasAuthorization).toBe(false)
  }
  return entries
}

/** A tiny destination that records what analytics hands it. */
function spyDestination(): Plugin & { seen: string[] } {
  const seen: string[] = []
  const record = async (ctx: Context) => {
    seen.push(`${ctx.event.type}:${ctx.event.event ?? ''}`)
    return ctx
  }
  return {
    name: 'Spy Destination',
    type: 'destination',
    version: '1.0.0',
    seen,
    isLoaded: () => true,
    load: () => Promise.resolve(),
    track: record,
    page: record,
    identify: record,
  }
}

const ORDER = SEGMENT_ORDER_COMPLETED

describe('public identity', () => {
  it("is 'Impact Partnership Cloud', a destination, at the package version", () => {
    const pkg = JSON.parse(
      readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'), 'utf8'),
    ) as { version: string }
    const plugin = impactPartnershipCloud(settings())
    expect(plugin.name).toBe(NAME)
    expect(plugin.type).toBe('destination')
    expect(plugin.version).toBe(pkg.version)
    expect(impactPartnershipCloud.pluginName).toBe(NAME)
  })
})

describe('inside analytics-next', () => {
  it.each([
    ['given to AnalyticsBrowser.load', false],
    ['added later with analytics.register()', true],
  ])('load() sends nothing, but stores the landing click id (plugin %s)', async (_name, late) => {
    const plugin = impactPartnershipCloud(settings({ enablePageEvents: true }))
    if (late) await (await load([])).register(plugin)
    else await load([plugin])
    await sleep(100)
    expect(fake.entries()).toEqual([])
    expect(relay.posts).toEqual([])
    expect(cookies().impact_click_id).toBe('abc123')
  })

  it('page() sends one valid PageLoad carrying the landing URL and ClickId', async () => {
    const analytics = await load([impactPartnershipCloud(settings({ enablePageEvents: true }))])
    const ctx = await analytics.page()
    const [entry, ...more] = impactRequests()
    expect(more).toEqual([])
    expect(entry?.fields).toMatchObject({
      CampaignId: '1000',
      ClickId: 'abc123',
      PageUrl: landing,
      CustomProfileId: ctx.event.anonymousId,
    })
    expect(Date.parse(entry!.fields.EventDate!)).toBe(new Date(ctx.event.timestamp as Date).getTime())
    expect(entry?.contentType).toMatch(/^application\/x-www-form-urlencoded/)
  })

  it('in-app navigation: the session ClickId, and the previous page (not document.referrer) as ReferringUrl', async () => {
    Object.defineProperty(document, 'referrer', { configurable: true, get: () => 'https://partner.example.net/review' })
    const analytics = await load([impactPartnershipCloud(settings({ enablePageEvents: true }))])
    await analytics.page()
    setPage(`${fake.url}/products/monopoly`)
    await analytics.page()
    const entries = impactRequests()
    expect(entries.map((e) => e.fields)).toEqual([
      expect.objectContaining({
        PageUrl: landing,
        ReferringUrl: 'https://partner.example.net/review',
        ClickId: 'abc123',
      }),
      expect.objectContaining({ PageUrl: `${fake.url}/products/monopoly`, ReferringUrl: landing, ClickId: 'abc123' }),
    ])
  })

  it.each([
    ['the same page fired again (SPA re-render)', false],
    ['the landing page reloaded (a new document)', true],
  ])('a repeat inside the window, %s: a plain PageLoad whose PageUrl carries no click id', async (_name, reload) => {
    let analytics = await load([impactPartnershipCloud(settings({ enablePageEvents: true }))])
    await analytics.page()
    if (reload) {
      setPage(location.href) // a new document at the same URL
      analytics = await load([impactPartnershipCloud(settings({ enablePageEvents: true }))])
    }
    await analytics.page()
    const [click, repeat, ...more] = impactRequests()
    expect(more).toEqual([])
    expect(click?.fields).toMatchObject({ PageUrl: landing, ClickId: 'abc123' })
    expect(repeat?.fields).toMatchObject({ PageUrl: `${fake.url}/`, ClickId: 'abc123' })
  })

  it('the unique click sends the landing URL even if the site cleaned the address bar before page()', async () => {
    const analytics = await load([impactPartnershipCloud(settings({ enablePageEvents: true }))])
    // Many sites (and routers) strip tracking parameters with history.replaceState right after landing.
    history.replaceState(null, '', '/')
    await analytics.page()
    const [entry] = impactRequests()
    expect(entry?.fields).toMatchObject({ PageUrl: landing, ClickId: 'abc123' })
  })

  it.each([
    ['page, enablePageEvents', { enablePageEvents: true }, (a: Analytics) => a.page()],
    ['screen, enableScreenEvents', { enableScreenEvents: true }, (a: Analytics) => a.screen('Home')],
    ['identify, enableIdentifyEvents', { enableIdentifyEvents: true }, (a: Analytics) => a.identify('user-1')],
    ["track 'Application Opened' (default pageLoadEventNames)", {}, (a: Analytics) => a.track('Application Opened')],
    [
      'track of a custom pageLoadEventNames entry',
      { pageLoadEventNames: ['Signed Up'] },
      (a: Analytics) => a.track('Signed Up'),
    ],
  ] as Array<[string, Partial<ImpactSettings>, (a: Analytics) => Promise<unknown>]>)(
    'routing: %s -> one valid PageLoad',
    async (_name, extra, call) => {
      const analytics = await load([impactPartnershipCloud(settings(extra))])
      await call(analytics)
      const entries = impactRequests()
      expect(entries).toHaveLength(1)
      expect(entries[0]?.fields).toMatchObject({ CampaignId: '1000', ClickId: 'abc123' })
      expect(relay.posts).toEqual([])
    },
  )

  it.each([
    ['screen without enableScreenEvents', {}, (a: Analytics) => a.screen('Home')],
    ['identify without enableIdentifyEvents', {}, (a: Analytics) => a.identify('user-1', { email: EMAIL })],
    [
      "'Application Opened' when pageLoadEventNames is customised",
      { pageLoadEventNames: ['Signed Up'] },
      (a: Analytics) => a.track('Application Opened'),
    ],
  ] as Array<[string, Partial<ImpactSettings>, (a: Analytics) => Promise<unknown>]>)(
    'routing: %s -> nothing',
    async (_name, extra, call) => {
      const analytics = await load([impactPartnershipCloud(settings(extra))])
      await call(analytics)
      await sleep(100)
      expect(fake.entries()).toEqual([])
    },
  )

  it("a click kept by Impact's own tag (UTT IR_<campaignId>) is carried when ours is absent", async () => {
    setPage(`${fake.url}/checkout`)
    document.cookie = 'IR_1000=1700000000000%7C0%7C1700000000000%7CuttCLICK789%7C; path=/'
    const analytics = await load([impactPartnershipCloud(settings({ enablePageEvents: true }))])
    await analytics.page()
    await analytics.track('Order Completed', ORDER)
    expect(impactRequests()[0]?.fields.ClickId).toBe('uttCLICK789')
    expect(relay.posts[0]?.fields.ClickId).toBe('uttCLICK789')
  })

  it('a PageLoad answered 503 is retried until Impact takes it', async () => {
    fake.injectFault({ endpoint: 'PageLoad', status: 503, count: 1 })
    const analytics = await load([impactPartnershipCloud(settings({ enablePageEvents: true }))])
    await analytics.page()
    await vi.waitFor(() => expect(fake.entries()).toHaveLength(2), { timeout: 5000, interval: 50 })
    const [first, second] = fake.entries()
    expect(first).toMatchObject({ status: 503, fault: 503, valid: true })
    expect(second).toMatchObject({ status: 200, valid: true })
    expect(second?.fields).toEqual(first?.fields)
  })

  it('page() without enablePageEvents sends nothing', async () => {
    const analytics = await load([impactPartnershipCloud(settings())])
    await analytics.page()
    await sleep(50)
    expect(fake.entries()).toEqual([])
  })

  it('identify with an email sends its SHA-1 as CustomerEmail; the address appears in no request', async () => {
    const analytics = await load([
      impactPartnershipCloud(settings({ enablePageEvents: true, enableIdentifyEvents: true })),
    ])
    await analytics.identify('user-1', { email: EMAIL, name: 'Jane' })
    await analytics.page()
    await analytics.track('Order Completed', ORDER)
    const entries = impactRequests()
    expect(entries.map((e) => e.fields)).toEqual([
      expect.objectContaining({ CustomerId: 'user-1', CustomerEmail: EMAIL_SHA1, ClickId: 'abc123' }),
      expect.objectContaining({ CustomerId: 'user-1', CustomerEmail: EMAIL_SHA1 }),
    ])
    expect(relay.posts[0]?.fields).toMatchObject({ CustomerId: 'user-1', CustomerEmail: EMAIL_SHA1 })
    const everything = JSON.stringify(entries) + JSON.stringify(relay.posts)
    for (const plain of [EMAIL, EMAIL.toLowerCase(), encodeURIComponent(EMAIL.toLowerCase()), 'Jane.Doe%40']) {
      expect(everything.toLowerCase()).not.toContain(plain.toLowerCase())
    }
  })

  it("integrations: { 'Impact Partnership Cloud': false } turns it off for that event", async () => {
    const analytics = await load([impactPartnershipCloud(settings({ enablePageEvents: true }))])
    const off = { integrations: { [NAME]: false } }
    await analytics.page({}, off)
    await analytics.track('Order Completed', ORDER, off)
    await sleep(100)
    expect(fake.entries()).toEqual([])
    expect(relay.posts).toEqual([])
  })

  it.each([
    ['track of an unknown event', (a: Analytics) => a.track('Product Viewed', { product_id: 'p1', price: 3 })],
    ['group', (a: Analytics) => a.group('org-1', { name: 'Acme' })],
    ['alias', (a: Analytics) => a.alias('user-2', 'user-1')],
  ])('%s sends nothing', async (_name, call) => {
    const analytics = await load([
      impactPartnershipCloud(settings({ enablePageEvents: true, enableIdentifyEvents: true })),
    ])
    await call(analytics)
    await sleep(100)
    expect(fake.entries()).toEqual([])
    expect(relay.posts).toEqual([])
  })

  it('Order Completed goes to the relay once, as a valid Conversion without credentials', async () => {
    const analytics = await load([impactPartnershipCloud(settings({ apiKey: undefined }))])
    await analytics.track('Order Completed', ORDER)
    await analytics.track('Order Completed', ORDER) // a double-fired thank-you page
    await sleep(100)
    expect(relay.posts).toHaveLength(1)
    const post = relay.posts[0]!
    expect(post.path).toBe('/impact/conversions')
    expect(post.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/)
    expect(post.headers.authorization).toBeUndefined()
    expect(post.headers.cookie).toBeUndefined()
    expect(post.fields).toMatchObject({
      CampaignId: '1000',
      EventTypeCode: 'Order Completed',
      OrderId: '50314b8e9bcf000000000000',
      ClickId: 'abc123',
      ItemSubTotal2: '6',
      OrderDiscount: '2.5',
    })
    expect(validateConversion(post.fields)).toEqual([])
    expect(fake.entries()).toEqual([])

    // The thank-you page reloaded: a new page, a new plugin, the same order.
    const reloaded = await load([impactPartnershipCloud(settings())])
    await reloaded.track('Order Completed', ORDER)
    await sleep(100)
    expect(relay.posts).toHaveLength(1)
  })

  it('a conversion is stored before its email is hashed, and a custom-mapped plaintext email is sent hashed', async () => {
    // WebCrypto held back, as when a page navigates away before it answers.
    const digest = globalThis.crypto.subtle.digest.bind(globalThis.crypto.subtle)
    let answer!: () => void
    const held = new Promise<void>((resolve) => (answer = resolve))
    vi.spyOn(globalThis.crypto.subtle, 'digest').mockImplementation(async (algorithm, data) => {
      await held
      return digest(algorithm, data)
    })
    const plugin = impactPartnershipCloud(settings({ customParameterMapping: { CustomerEmail: 'properties.contact' } }))
    const analytics = await load([plugin])
    const tracked = analytics.track('Order Completed', { ...ORDER, order_id: 'HASH-1', contact: EMAIL })
    // The sale is already in the outbox, with no email of any kind in it, and nothing was sent yet.
    await vi.waitFor(() => expect(localStorage.getItem('impact_outbox') ?? '').toContain('HASH-1'))
    expect(localStorage.getItem('impact_outbox')).not.toMatch(/jane|%40|@|CustomerEmail/i)
    expect(relay.posts).toEqual([])
    answer()
    await tracked
    await vi.waitFor(() => expect(relay.posts).toHaveLength(1))
    expect(relay.posts[0]!.fields.CustomerEmail).toBe(EMAIL_SHA1)
    expect(JSON.stringify(relay.posts[0])).not.toMatch(/jane/i)
  })

  it('a throwing getter on properties.email costs no sale: sent without CustomerEmail', async () => {
    const analytics = await load([impactPartnershipCloud(settings())])
    const properties = Object.defineProperty({ ...ORDER, order_id: 'HOSTILE-1' }, 'email', {
      enumerable: true,
      get() {
        throw new Error('hostile getter')
      },
    })
    await analytics.track('Order Completed', properties)
    await vi.waitFor(() => expect(relay.posts).toHaveLength(1))
    expect(relay.posts[0]!.fields).toMatchObject({ OrderId: 'HOSTILE-1' })
    expect(relay.posts[0]!.fields.CustomerEmail).toBeUndefined()
  })

  it('an email-like userId goes out as its SHA-1 CustomerId, in PageLoads and conversions', async () => {
    const analytics = await load([impactPartnershipCloud(settings({ enableIdentifyEvents: true }))])
    await analytics.identify(EMAIL)
    await analytics.track('Order Completed', ORDER)
    await vi.waitFor(() => expect(relay.posts).toHaveLength(1))
    expect(impactRequests()[0]?.fields.CustomerId).toBe(EMAIL_SHA1)
    expect(relay.posts[0]!.fields.CustomerId).toBe(EMAIL_SHA1)
    expect(JSON.stringify(fake.entries()) + JSON.stringify(relay.posts)).not.toMatch(/jane/i)
  })

  it('a referral click: the clickId Impact assigns is stored and carried by the conversion', async () => {
    setPage(`${fake.url}/`)
    Object.defineProperty(document, 'referrer', {
      configurable: true,
      get: () => 'https://partner-blog.example.net/review',
    })
    const analytics = await load([impactPartnershipCloud(settings({ enablePageEvents: true }))])
    await analytics.page()
    const [entry] = impactRequests()
    expect(entry?.fields).toMatchObject({ ReferringUrl: 'https://partner-blog.example.net/review' })
    expect(entry?.fields).not.toHaveProperty('ClickId')
    await vi.waitFor(() => expect(cookies().impact_click_id).toMatch(/^fk[0-9a-f]+$/))
    await analytics.track('Order Completed', ORDER)
    expect(relay.posts[0]?.fields.ClickId).toBe(cookies().impact_click_id)
  })

  it('never mutates ctx.event (shared with every other destination)', async () => {
    const snapshots: unknown[] = []
    const deepFreeze = (value: unknown): void => {
      if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return
      Object.freeze(value)
      for (const child of Object.values(value)) deepFreeze(child)
    }
    // Runs after analytics-next's own enrichment and before any destination.
    const freezer: Plugin = {
      name: 'Freezer',
      type: 'enrichment',
      version: '1.0.0',
      isLoaded: () => true,
      load: () => Promise.resolve(),
      ...Object.fromEntries(
        ['page', 'track', 'identify'].map((type) => [
          type,
          (ctx: Context) => {
            snapshots.push(structuredClone(ctx.event))
            deepFreeze(ctx.event)
            return ctx
          },
        ]),
      ),
    }
    const analytics = await load([
      impactPartnershipCloud(settings({ enablePageEvents: true, enableIdentifyEvents: true })),
      freezer,
    ])
    const contexts = [
      await analytics.identify('user-1', { email: EMAIL }),
      await analytics.page(),
      await analytics.track('Order Completed', ORDER),
    ]
    contexts.forEach((ctx, i) => expect(ctx.event).toEqual(snapshots[i]))
    // The plugin did its work on the frozen events, without an error.
    expect(impactRequests()).toHaveLength(2)
    expect(relay.posts).toHaveLength(1)
    for (const ctx of contexts) {
      expect(ctx.logs().filter((l) => l.level === 'error')).toEqual([])
      expect(ctx.failedDelivery()).toBeUndefined()
    }
  })
})

describe('consent', () => {
  const choice = (C0004?: boolean) => ({
    context: { consent: { categoryPreferences: C0004 === undefined ? {} : { C0001: true, C0004 } } },
  })
  const gated = (extra: Partial<ImpactSettings> = {}) =>
    impactPartnershipCloud(settings({ enablePageEvents: true, consentCategories: ['C0004'], ...extra }))
  /** Everything this plugin keeps in the browser (analytics-next keeps its own ajs_ keys). */
  const ours = (entries: Record<string, string>) => Object.keys(entries).filter((name) => !name.startsWith('ajs_'))
  const stored = () => ({ cookies: ours(cookies()), localStorage: ours({ ...localStorage }) })

  it('granted: TrackingConsent=true on the PageLoad and the conversion, click stored', async () => {
    const analytics = await load([gated()])
    await analytics.page({}, choice(true))
    await analytics.track('Order Completed', ORDER, choice(true))
    expect(impactRequests()[0]?.fields).toMatchObject({ PageUrl: landing, ClickId: 'abc123', TrackingConsent: 'true' })
    expect(relay.posts[0]?.fields).toMatchObject({ ClickId: 'abc123', TrackingConsent: 'true' })
    expect(validateConversion(relay.posts[0]!.fields)).toEqual([])
    expect(cookies().impact_click_id).toBe('abc123')
  })

  it('no consent management (no categories, no choice on events): no TrackingConsent field at all', async () => {
    const analytics = await load([impactPartnershipCloud(settings({ enablePageEvents: true }))])
    await analytics.page()
    await analytics.track('Order Completed', ORDER)
    expect(impactRequests()[0]?.fields).toMatchObject({ ClickId: 'abc123' })
    expect(impactRequests()[0]?.fields).not.toHaveProperty('TrackingConsent')
    expect(relay.posts[0]?.fields).not.toHaveProperty('TrackingConsent')
  })

  it('a consent tool on the page and no category known: fails closed, one error naming consentCategories', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const analytics = await load([impactPartnershipCloud(settings({ enablePageEvents: true }))])
    // load() stored the landing click (nothing said consent was managed); the first choice removes it.
    expect(cookies().impact_click_id).toBe('abc123')
    await analytics.page({}, choice(true))
    await analytics.track('Order Completed', ORDER, choice(true))
    await analytics.page()
    await sleep(1500)
    expect(fake.entries()).toEqual([])
    expect(relay.posts).toEqual([])
    expect(stored()).toEqual({ cookies: [], localStorage: [] })
    const messages = errors.mock.calls.map((c) => String(c[0])).filter((m) => m.startsWith('[Impact]'))
    expect(messages).toHaveLength(1)
    expect(messages[0]).toBe('[Impact] consent: no category known, nothing sent; set consentCategories')
  })

  it('denied: nothing sent, nothing stored, and the cookies of an earlier consent removed', async () => {
    document.cookie = 'impact_click_id=earlier1; path=/'
    document.cookie = 'impact_click_session=1.2; path=/'
    const spy = spyDestination()
    const analytics = await load([gated(), spy])
    await analytics.page({}, choice(false))
    await analytics.track('Order Completed', ORDER, choice(false))
    await sleep(1500)
    expect(fake.entries()).toEqual([])
    expect(relay.posts).toEqual([])
    expect(stored()).toEqual({ cookies: [], localStorage: [] })
    expect(spy.seen).toEqual(['page:', 'track:Order Completed'])
  })

  it('denied: a conversion already in the outbox, recorded with consent, is still delivered', async () => {
    const first = await load([gated()])
    await first.track('Order Completed', { ...ORDER, order_id: 'BEFORE-1' }, choice(true))
    await vi.waitFor(() => expect(relay.posts).toHaveLength(1))
    relay.posts.length = 0
    setPage(location.href) // the next page
    localStorage.setItem(
      'impact_outbox',
      JSON.stringify([
        {
          id: 'x1',
          key: 'Order Completed|KEPT-1',
          body: 'CampaignId=1000&OrderId=KEPT-1&EventTypeCode=Order+Completed&TrackingConsent=true',
          attempts: 1,
          next: 0,
        },
      ]),
    )
    const analytics = await load([gated()])
    await analytics.track('Order Completed', ORDER, choice(false))
    // Replayed once the storage lease has settled (happy-dom has no Web Locks): LEASE_SETTLE_MS.
    await vi.waitFor(() => expect(relay.posts.map((p) => p.fields.OrderId)).toEqual(['KEPT-1']), { timeout: 3_000 })
    // Its answer, handled after the relay saw it, takes it out of the outbox; waited for here so
    // that late write cannot land in the next test's storage.
    await vi.waitFor(() => expect(localStorage.getItem('impact_outbox')).toBe('[]'))
  })

  it('denied with sendWithoutConsent: TrackingConsent=false, the URL click id, nothing stored', async () => {
    const analytics = await load([gated({ sendWithoutConsent: true })])
    await analytics.page({}, choice(false))
    await analytics.track('Order Completed', ORDER, choice(false))
    await vi.waitFor(() => expect(relay.posts).toHaveLength(1))
    expect(impactRequests()[0]?.fields).toMatchObject({ PageUrl: landing, ClickId: 'abc123', TrackingConsent: 'false' })
    expect(relay.posts[0]?.fields).toMatchObject({ ClickId: 'abc123', TrackingConsent: 'false' })
    expect(validateConversion(relay.posts[0]!.fields)).toEqual([])
    expect(stored()).toEqual({ cookies: [], localStorage: [] })
  })

  it('denied with sendWithoutConsent: a stored click id is never used', async () => {
    setPage(`${fake.url}/checkout`)
    document.cookie = 'impact_click_id=stored9; path=/'
    const analytics = await load([gated({ sendWithoutConsent: true })])
    await analytics.track('Order Completed', ORDER, choice(false))
    await vi.waitFor(() => expect(relay.posts).toHaveLength(1))
    expect(relay.posts[0]?.fields).not.toHaveProperty('ClickId')
  })

  it('granted later on the same page: the withheld landing PageLoad is sent once, with TrackingConsent=true', async () => {
    const analytics = await load([gated()])
    await analytics.page({}, choice())
    await sleep(300)
    expect(fake.entries()).toEqual([])
    expect(stored()).toEqual({ cookies: [], localStorage: [] })
    await analytics.track('Segment Consent Preference Updated', {}, choice(true))
    await analytics.track('Product Viewed', {}, choice(true))
    await vi.waitFor(() => expect(fake.entries()).toHaveLength(1))
    await sleep(300)
    const [entry, ...more] = impactRequests()
    expect(more).toEqual([])
    expect(entry?.fields).toMatchObject({ PageUrl: landing, ClickId: 'abc123', TrackingConsent: 'true' })
    expect(cookies().impact_click_id).toBe('abc123')
  })

  it('refused, then granted on the same page: the held click survives, the landing PageLoad goes once', async () => {
    const analytics = await load([gated()])
    await analytics.page({}, choice(false))
    await analytics.track('Segment Consent Preference Updated', {}, choice(false))
    await sleep(300)
    expect(fake.entries()).toEqual([])
    expect(cookies().impact_click_id).toBeUndefined()
    await analytics.track('Segment Consent Preference Updated', {}, choice(true))
    await analytics.track('Order Completed', ORDER, choice(true))
    await vi.waitFor(() => expect(relay.posts).toHaveLength(1))
    await sleep(300)
    const [entry, ...more] = impactRequests()
    expect(more).toEqual([])
    expect(entry?.fields).toMatchObject({ PageUrl: landing, ClickId: 'abc123', TrackingConsent: 'true' })
    expect(relay.posts[0]?.fields).toMatchObject({ ClickId: 'abc123', TrackingConsent: 'true' })
    expect(cookies().impact_click_id).toBe('abc123')
  })

  it('not known: a conversion waits in memory (nothing stored) and goes out once granted', async () => {
    const analytics = await load([gated()])
    await analytics.page({}, choice())
    await analytics.track('Order Completed', ORDER, choice())
    await sleep(500)
    expect(relay.posts).toEqual([])
    expect(stored()).toEqual({ cookies: [], localStorage: [] })
    await analytics.track('Segment Consent Preference Updated', {}, choice(true))
    await vi.waitFor(() => expect(relay.posts).toHaveLength(1))
    expect(relay.posts[0]?.fields).toMatchObject({
      OrderId: ORDER.order_id,
      ClickId: 'abc123',
      TrackingConsent: 'true',
    })
    expect(impactRequests()[0]?.fields).toMatchObject({ PageUrl: landing, TrackingConsent: 'true' })
  })

  it('sendWithoutConsent: no identifier the device stores on any request, the landing sent at once', async () => {
    const analytics = await load([gated({ sendWithoutConsent: true, enableIdentifyEvents: true })])
    await analytics.identify('user-7', { email: EMAIL }, choice())
    await analytics.page({}, choice())
    await analytics.track('Segment Consent Preference Updated', {}, choice(false))
    await analytics.track('Order Completed', { ...ORDER, email: EMAIL }, choice(false))
    await vi.waitFor(() => expect(relay.posts).toHaveLength(1))
    await sleep(300)
    const requests = [...impactRequests().map((r) => r.fields), ...relay.posts.map((p) => p.fields)]
    expect(requests.length).toBeGreaterThanOrEqual(3)
    for (const fields of requests) {
      expect(fields).toMatchObject({ ClickId: 'abc123', TrackingConsent: 'false' })
      for (const id of ['CustomProfileId', 'CustomerId', 'CustomerEmail']) expect(fields).not.toHaveProperty(id)
    }
    expect(impactRequests().find((r) => r.fields.PageUrl === landing)).toBeDefined()
    expect(stored()).toEqual({ cookies: [], localStorage: [] })
  })

  it('sendWithoutConsent: a refused conversion with nothing to attribute it is not sent', async () => {
    setPage(`${fake.url}/checkout`)
    const analytics = await load([gated({ sendWithoutConsent: true })])
    await analytics.track('Order Completed', { ...ORDER, coupon: undefined }, choice(false))
    await analytics.track('Order Completed', { ...ORDER, order_id: 'PROMO-1', coupon: 'SPRING' }, choice(false))
    await vi.waitFor(() => expect(relay.posts).toHaveLength(1))
    await sleep(500)
    expect(relay.posts.map((p) => p.fields.OrderId)).toEqual(['PROMO-1'])
  })

  it("the consent tools' opt-in model removed the entry (consent management on): fails closed from load()", async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const cdnSettings = { consentSettings: { allCategories: ['C0004'], hasUnmappedDestinations: false } }
    const [analytics] = await AnalyticsBrowser.load(
      {
        writeKey: 'test',
        cdnSettings: {
          integrations: { 'Segment.io': { apiKey: 'test' } },
          metrics: { sampleRate: 0 },
          ...cdnSettings,
        } as unknown as CDNSettings,
        plugins: [impactPartnershipCloud(settings({ enablePageEvents: true }))],
      },
      { integrations: { 'Segment.io': false } },
    )
    expect(stored()).toEqual({ cookies: [], localStorage: [] })
    await analytics.page({}, choice(false))
    await analytics.track('Order Completed', ORDER, choice(false))
    await sleep(1500)
    expect(fake.entries()).toEqual([])
    expect(relay.posts).toEqual([])
    expect(stored()).toEqual({ cookies: [], localStorage: [] })
    expect(errors.mock.calls.filter((c) => String(c[0]).includes('consentCategories'))).toHaveLength(1)
  })

  it("the CDN settings' consentSettings.categories are used when consentCategories is empty", async () => {
    const entry = { consentSettings: { categories: ['C0004'] } }
    const analytics = await load([impactPartnershipCloud(settings({ enablePageEvents: true }))], { [NAME]: entry })
    await analytics.page({}, choice(false))
    await analytics.track('Order Completed', ORDER, choice(false))
    await sleep(500)
    expect(fake.entries()).toEqual([])
    expect(relay.posts).toEqual([])
  })
})

describe('one instance per page', () => {
  it('a second plugin on the page (an npm build beside the CDN bundle) stays inactive, with one warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const analytics = await load([
      impactPartnershipCloud(settings({ enablePageEvents: true })),
      impactPartnershipCloud(settings({ enablePageEvents: true })),
    ])
    await analytics.page()
    await analytics.track('Order Completed', ORDER)
    await vi.waitFor(() => expect(relay.posts).toHaveLength(1))
    await sleep(500)
    expect(impactRequests()).toHaveLength(1)
    expect(relay.posts).toHaveLength(1)
    const ours = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.startsWith('[Impact]'))
    expect(ours).toEqual(['[Impact] already active: this copy stays inactive'])
  })

  it('one plugin registered twice counts once, without a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const plugin = impactPartnershipCloud(settings({ enablePageEvents: true }))
    const analytics = await load([plugin])
    await plugin.load(new Context({ type: 'page' } as never), analytics)
    await analytics.page()
    await sleep(300)
    expect(impactRequests()).toHaveLength(1)
    expect(warn.mock.calls.filter((c) => String(c[0]).startsWith('[Impact]'))).toEqual([])
  })
})

describe('misconfiguration never breaks analytics', () => {
  it('invalid settings: exactly one console.error listing the problems; analytics keeps working', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const spy = spyDestination()
    const bad = {
      campaignId: 'abc',
      cookieMaxAgeDays: 0,
      pageLoadEndpoint: 'javascript:alert(1)',
    } as unknown as ImpactSettings
    let plugin: Plugin | undefined
    expect(() => (plugin = impactPartnershipCloud(bad))).not.toThrow()
    const analytics = await load([plugin!, spy])
    const ctx = await analytics.track('Order Completed', ORDER)
    await analytics.page()
    await sleep(50)

    expect(ctx.failedDelivery()).toBeUndefined()
    expect(spy.seen).toEqual(['track:Order Completed', 'page:'])
    expect(errors).toHaveBeenCalledTimes(1)
    const message = String(errors.mock.calls[0]?.[0])
    expect(message).toMatch(/^\[Impact\]/)
    for (const key of ['accountSid', 'campaignId', 'cookieMaxAgeDays', 'pageLoadEndpoint'])
      expect(message).toContain(key)
    expect(fake.entries()).toEqual([])
    expect(relay.posts).toEqual([])
  })

  it('a settings object whose getters throw: the factory does not throw, one console.error, analytics works', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const hostile = new Proxy({} as ImpactSettings, {
      get() {
        throw new Error('hostile settings')
      },
    })
    let plugin: Plugin | undefined
    expect(() => (plugin = impactPartnershipCloud(hostile))).not.toThrow()
    const spy = spyDestination()
    const analytics = await load([plugin!, spy])
    await analytics.track('Order Completed', ORDER)
    expect(spy.seen).toEqual(['track:Order Completed'])
    expect(errors).toHaveBeenCalledTimes(1)
    expect(String(errors.mock.calls[0]?.[0])).toMatch(/^\[Impact\] .*settings/)
    expect(relay.posts).toEqual([])
  })

  it('no conversionEndpoint: one console.error naming it, and conversions are not sent', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const analytics = await load([impactPartnershipCloud(settings({ conversionEndpoint: undefined }))])
    await analytics.track('Order Completed', ORDER)
    await sleep(50)
    expect(errors).toHaveBeenCalledTimes(1)
    expect(String(errors.mock.calls[0]?.[0])).toContain('conversionEndpoint')
    expect(relay.posts).toEqual([])
    expect(fake.entries()).toEqual([])
  })

  it('allowBrowserCredentials with apiKey: one console.warn at load that every visitor can read the token', async () => {
    const warnings = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    await load([
      impactPartnershipCloud(
        settings({ apiKey: 'secret-token', allowBrowserCredentials: true, conversionEndpoint: undefined }),
      ),
    ])
    const impactWarnings = warnings.mock.calls.filter((c) => String(c[0]).startsWith('[Impact]'))
    expect(impactWarnings).toHaveLength(1)
    expect(String(impactWarnings[0]?.[0])).toMatch(/every visitor/)
    expect(errors).not.toHaveBeenCalled()
    await sleep(50)
    expect(fake.entries()).toEqual([])
  })

  it("allowBrowserCredentials with apiKey: conversions go to Impact's Conversions API with Basic auth", async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    // api.impact.com is not reachable from here: the request the plugin makes is sent, unchanged
    // but for its origin, to the fake Impact, which checks the Basic credentials itself.
    const requested: string[] = []
    const realFetch = globalThis.fetch
    vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
      requested.push(String(input))
      return realFetch(String(input).replace('https://api.impact.com', fake.url), init)
    })
    const analytics = await load([
      impactPartnershipCloud(
        settings({ apiKey: 'secret-token', allowBrowserCredentials: true, conversionEndpoint: undefined }),
      ),
    ])
    await analytics.track('Order Completed', ORDER)
    expect(requested).toEqual([`https://api.impact.com/Advertisers/${ACCOUNT_SID}/Conversions`])
    const [conversion] = fake.entries()
    expect(conversion).toMatchObject({ endpoint: 'Conversions', status: 200, valid: true, hasAuthorization: true })
    expect(relay.posts).toEqual([])
  })

  it('apiKey without allowBrowserCredentials: one console.warn, and the token goes nowhere', async () => {
    const warnings = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const analytics = await load([impactPartnershipCloud(settings({ apiKey: 'secret-token', enablePageEvents: true }))])
    await analytics.page()
    await analytics.track('Order Completed', ORDER)
    const impactWarnings = warnings.mock.calls.filter((c) => String(c[0]).startsWith('[Impact]'))
    expect(impactWarnings).toHaveLength(1)
    expect(String(impactWarnings[0]?.[0])).toContain('apiKey')
    expect(relay.posts).toHaveLength(1)
    expect(relay.posts[0]?.headers.authorization).toBeUndefined()
    const everything = JSON.stringify(relay.posts) + JSON.stringify(impactRequests())
    expect(everything).not.toContain('secret-token')
    expect(everything).not.toContain(btoa(`${ACCOUNT_SID}:secret-token`))
  })
})

// Last in the file: the unreachable relay leaves retries running in the background.
describe('an unreachable relay', () => {
  it('track still resolves promptly, with no failed delivery', async () => {
    const analytics = await load([
      impactPartnershipCloud(settings({ conversionEndpoint: 'http://127.0.0.1:9/impact/conversions' })),
    ])
    const started = Date.now()
    const ctx = await analytics.track('Order Completed', ORDER)
    expect(Date.now() - started).toBeLessThan(3500)
    expect(ctx.failedDelivery()).toBeUndefined()
    expect(ctx.logs().filter((l) => l.level === 'error')).toEqual([])
  })
})

describe('a relay that holds its answer past the first-attempt wait', () => {
  it('track() resolves while the request is still waiting, and the answer still arrives', async () => {
    const HOLD_MS = FIRST_ATTEMPT_WAIT_MS + 2500
    const log: string[] = []
    const cors = CORS_HEADERS
    const slow = createServer((req, res) => {
      req.resume()
      // happy-dom preflights every cross-origin request: answered at once, only the POST is held.
      if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end()
      req.on('end', () => {
        log.push('received')
        setTimeout(() => {
          log.push('answered')
          res.writeHead(202, { ...cors, 'Content-Type': 'application/json' }).end('{}')
        }, HOLD_MS)
      })
    })
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve))
    try {
      const port = (slow.address() as AddressInfo).port
      const analytics = await load([
        impactPartnershipCloud(settings({ conversionEndpoint: `http://127.0.0.1:${port}/impact/conversions` })),
      ])
      const ctx = await analytics.track('Order Completed', ORDER)
      log.push('track resolved')
      expect(ctx.failedDelivery()).toBeUndefined()
      await vi.waitFor(() => expect(log).toContain('answered'), { timeout: HOLD_MS + 2000, interval: 100 })
      // Resolved after the request reached the relay and before its answer: the wait was capped.
      expect(log).toEqual(['received', 'track resolved', 'answered'])
    } finally {
      slow.closeAllConnections()
      await new Promise((resolve) => slow.close(resolve))
    }
  }, 15_000)
})

describe('the back/forward cache', () => {
  it('a page hidden into the back/forward cache replays nothing until it is shown again', async () => {
    localStorage.setItem(
      'impact_outbox',
      JSON.stringify([
        {
          key: 'Order Completed|BFCACHE-1',
          body: 'CampaignId=1000&OrderId=BFCACHE-1&EventTypeCode=Order+Completed',
          attempts: 1,
          next: 0,
        },
      ]),
    )
    await load([impactPartnershipCloud(settings())])
    dispatchEvent(new Event('pagehide'))
    // Long enough for the replay load() scheduled, its storage lease and a retry of it.
    await sleep(2_500)
    expect(relay.posts).toEqual([])
    dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }))
    await vi.waitFor(() => expect(relay.posts.map((p) => p.fields.OrderId)).toEqual(['BFCACHE-1']), { timeout: 3_000 })
    await vi.waitFor(() => expect(localStorage.getItem('impact_outbox')).toBe('[]'))
  })
})

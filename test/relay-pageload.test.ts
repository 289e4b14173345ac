import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createImpactRelay, type ImpactRelayOptions } from '../src/relay'
import { reply, startImpactStub, type ImpactStub } from './support/impact-stub'

let impact: ImpactStub
beforeAll(async () => {
  impact = await startImpactStub()
})
afterAll(() => impact.close())
beforeEach(() => {
  impact.received = []
  impact.answer = reply(200, { clickId: 'ImpactAssigned-1', sessionStart: '2024-05-01T10:00:00Z', warnings: [] })
})

const SHOP = 'http://127.0.0.1:8080'
const options = (extra: Partial<ImpactRelayOptions> = {}): ImpactRelayOptions => ({
  accountSid: 'IRsid123',
  authToken: 'secret-token',
  campaignIds: [1234],
  allowedOrigins: [SHOP, 'https://shop.example.com'],
  impactBaseUrl: `${impact.url}/api`,
  impactPageLoadUrl: `${impact.url}/PageLoad`,
  ...extra,
})
const CLICK = 'Ab-1_c.~Z'
const LANDING = {
  CampaignId: '1234',
  EventDate: '2024-05-01T10:00:00.000Z',
  PageUrl: `${SHOP}/?irclickid=${CLICK}&utm_source=p`,
  ReferringUrl: 'https://partner.example/',
  CustomProfileId: 'a1b2c3d4-0000-4000-8000-000000000000',
  ClickId: CLICK,
}
const { ClickId: _click, ...REFERRAL_WITHOUT_CLICK } = LANDING
const REFERRAL = { ...REFERRAL_WITHOUT_CLICK, PageUrl: `${SHOP}/product` }
const PLAIN = { ...LANDING, PageUrl: `${SHOP}/cart`, ReferringUrl: `${SHOP}/product` }

function post(
  fields: Record<string, string> | string,
  headers: Record<string, string> = {},
  url = `${SHOP}/impact/pageload`,
): Request {
  return new Request(url, {
    method: 'POST',
    headers: {
      origin: SHOP,
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'Visitor/1.0',
      ...headers,
    },
    body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
  })
}

describe('the pageload route', () => {
  it('forwards only documented PageLoad parameters, with the observed IP and agent and no credentials', async () => {
    const relay = createImpactRelay(options())
    const sent = { ...LANDING, IpAddress: '6.6.6.6', UserAgent: 'Forged', OrderId: 'not-a-pageload-field', Evil: '1' }
    const response = await relay(post(sent, { cookie: 'impact_click_id=Old; session=secret' }), {
      clientAddress: '::ffff:198.51.100.7',
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBe(SHOP)
    expect(await response.json()).toEqual({
      clickId: 'ImpactAssigned-1',
      sessionStart: '2024-05-01T10:00:00Z',
      warnings: [],
    })
    expect(impact.received).toHaveLength(1)
    const [forwarded] = impact.received
    expect(forwarded?.url).toBe('/PageLoad')
    expect(forwarded?.fields).toEqual({ ...LANDING, IpAddress: '198.51.100.7', UserAgent: 'Visitor/1.0' })
    expect(forwarded?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(forwarded?.headers.authorization).toBeUndefined()
    expect(forwarded?.headers.cookie).toBeUndefined()
  })

  it('sets the click cookie where the plugin keeps its own (its session cookie counts the labels): one cookie per visitor', async () => {
    const relay = createImpactRelay(options())
    const landing = (session: string | undefined, origin = 'https://shop.example.com') =>
      relay(
        post(
          { ...LANDING, PageUrl: `${origin}/?irclickid=${CLICK}` },
          { origin, ...(session !== undefined && { cookie: `a=1; impact_click_session=${session}; b=2` }) },
          'https://shop.example.com/impact/pageload',
        ),
      ).then((r) => r.headers.get('set-cookie'))
    // The plugin's registrable domain, two labels: the cookie every subdomain shares.
    expect(await landing('1700000000000.1700000000000.2')).toMatch(/; Domain=example\.com$/)
    expect(await landing('1700000000000.1700000000000.3')).toMatch(/; Domain=shop\.example\.com$/)
    expect(await landing('1700000000000.1700000000000.4')).not.toMatch(/Domain=/)
    // Host-only where the plugin is host-only, or says nothing, or says what cannot be.
    for (const session of ['1.2.0', undefined, '1.2.9', '1.2.1', 'x.y.2', '1.2.2x'])
      expect(await landing(session)).not.toMatch(/Domain=/)
    // Only ever the request's own host or a parent of it, whatever else the cookies say.
    expect(await landing('1.2.2; Domain=evil.example')).toMatch(/; Domain=example\.com$/)
    expect(await landing('1.2.2', 'http://127.0.0.1:8080')).not.toMatch(/Domain=/)
    // The relay's own cookieDomain wins.
    const configured = createImpactRelay(options({ cookieDomain: 'shop.example.com' }))
    const answer = await configured(
      post(
        { ...LANDING, PageUrl: `https://shop.example.com/?irclickid=${CLICK}` },
        { origin: 'https://shop.example.com', cookie: 'impact_click_session=1.2.2' },
      ),
    )
    expect(answer.headers.get('set-cookie')).toMatch(/; Domain=shop\.example\.com$/)
  })

  it('requires a served CampaignId, an EventDate and a PageUrl; forwards nothing otherwise', async () => {
    const relay = createImpactRelay(options())
    const wrong = await relay(post({ ...LANDING, CampaignId: '999' }))
    expect(wrong.status).toBe(403)
    expect((await wrong.json()).error).toBe('CampaignId 999 is not accepted: this relay serves CampaignId 1234')
    const { PageUrl: _p, EventDate: _e, ...partial } = LANDING
    const missing = await relay(post(partial))
    expect(missing.status).toBe(400)
    expect((await missing.json()).error).toBe('Missing required parameters: EventDate, PageUrl')
    expect(wrong.headers.get('set-cookie')).toBeNull()
    expect(impact.received).toHaveLength(0)
  })

  it('takes at most 16 KiB (the keepalive budget), where a conversion may have 64', async () => {
    const relay = createImpactRelay(options())
    const body = `${new URLSearchParams(LANDING).toString()}&ReferringUrl2=${'r'.repeat(17_000)}`
    const tooLarge = await relay(post(body))
    expect(tooLarge.status).toBe(413)
    expect(await tooLarge.json()).toEqual({ error: 'Request body is larger than 16384 bytes' })
    expect(impact.received).toHaveLength(0)
  })

  it('sets the click cookie from the server on a landing: 30 days, Path=/, SameSite=Lax, readable by script', async () => {
    const relay = createImpactRelay(options())
    const response = await relay(post(LANDING))
    expect(response.headers.get('set-cookie')).toBe(`impact_click_id=${CLICK}; Max-Age=2592000; Path=/; SameSite=Lax`)

    const https = createImpactRelay(options({ cookieDomain: '.Example.com', clickCookieMaxAgeDays: 7 }))
    const secure = await https(
      post(
        { ...LANDING, PageUrl: `https://www.example.com/?im_ref=${CLICK}` },
        { origin: 'https://shop.example.com' },
        'https://shop.example.com/api/impact/pageload',
      ),
    )
    expect(secure.headers.get('set-cookie')).toBe(
      `impact_click_id=${CLICK}; Max-Age=604800; Path=/; SameSite=Lax; Secure; Domain=example.com`,
    )
    // Behind a proxy that ends TLS the URL says http, the page's Origin says https.
    const proxied = await https(post(LANDING, { origin: 'https://shop.example.com' }))
    expect(proxied.headers.get('set-cookie')).toMatch(/; Secure; Domain=example\.com$/)
  })

  it('sets the cookie on a landing even when Impact fails (the click is the visitor’s), never for our own refusals', async () => {
    const relay = createImpactRelay(options())
    impact.answer = reply(500, 'down')
    const down = await relay(post(LANDING))
    expect(down.status).toBe(503)
    expect(down.headers.get('set-cookie')).toMatch(/^impact_click_id=Ab-1_c\.~Z;/)
    const refused = await relay(post({ ...LANDING, CampaignId: '1' }))
    expect(refused.headers.get('set-cookie')).toBeNull()
  })

  it("sets Impact's answered clickId for a referral (a PageLoad without one), valid ids only", async () => {
    const relay = createImpactRelay(options())
    const referral = await relay(post(REFERRAL))
    expect(referral.headers.get('set-cookie')).toBe(
      'impact_click_id=ImpactAssigned-1; Max-Age=2592000; Path=/; SameSite=Lax',
    )
    // An answered id that could inject cookie attributes, or a failed answer: no cookie.
    for (const answer of [
      reply(200, { clickId: 'x; Domain=evil.example' }),
      reply(200, { clickId: 'x'.repeat(65) }),
      reply(200, { clickId: 42 }),
      reply(400, { clickId: 'Fine1', errors: [] }),
      reply(200, 'clickId=Fine1'),
    ]) {
      impact.answer = answer
      expect((await relay(post(REFERRAL))).headers.get('set-cookie')).toBeNull()
    }
  })

  it('sets and renews nothing on a plain page view (its ClickId is not in its PageUrl)', async () => {
    const relay = createImpactRelay(options())
    expect((await relay(post(PLAIN))).headers.get('set-cookie')).toBeNull()
    // Only a whole parameter value counts, not a substring of the URL.
    const lookalike = { ...PLAIN, PageUrl: `${SHOP}/p/${CLICK}?q=${CLICK}x` }
    expect((await relay(post(lookalike))).headers.get('set-cookie')).toBeNull()
    // A ClickId that is no click id never reaches a header, even when it is in the URL.
    const hostile = { ...LANDING, ClickId: 'a;b', PageUrl: `${SHOP}/?irclickid=a%3Bb` }
    expect((await relay(post(hostile))).headers.get('set-cookie')).toBeNull()
  })

  it('sets no cookie for a visitor who refused tracking (TrackingConsent=false), landing or referral', async () => {
    const relay = createImpactRelay(options())
    expect((await relay(post({ ...LANDING, TrackingConsent: 'false' }))).headers.get('set-cookie')).toBeNull()
    impact.answer = reply(200, { clickId: 'Fine1' })
    expect((await relay(post({ ...REFERRAL, TrackingConsent: 'false' }))).headers.get('set-cookie')).toBeNull()
    // Consent given: the landing's cookie as usual.
    expect((await relay(post({ ...LANDING, TrackingConsent: 'true' }))).headers.get('set-cookie')).toContain(CLICK)
  })

  it("passes Impact's status and JSON back; 5xx, redirects and timeouts become 503; non-JSON is never echoed", async () => {
    const relay = createImpactRelay(options({ timeoutMs: 300 }))
    const errors = { errors: [{ field: 'PageUrl', level: 'ERROR', message: 'bad' }], warnings: [] }
    impact.answer = reply(400, errors)
    const rejected = await relay(post(PLAIN))
    expect([rejected.status, await rejected.json()]).toEqual([400, errors])

    impact.answer = reply(429, { errors: [] }, { 'retry-after': '9' })
    const limited = await relay(post(PLAIN))
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '9'])

    impact.answer = reply(502, '<html>gateway</html>', { 'retry-after': '4' })
    const down = await relay(post(PLAIN))
    expect([down.status, down.headers.get('retry-after')]).toEqual([503, '4'])
    expect(await down.text()).not.toContain('gateway')

    impact.answer = reply(200, '<script>alert(1)</script>')
    const notJson = await relay(post(PLAIN))
    expect([notJson.status, await notJson.text()]).toEqual([200, '{}'])

    impact.answer = reply(200, { padding: 'p'.repeat(70_000), clickId: 'Big1' })
    const huge = await relay(post(REFERRAL))
    expect([huge.status, await huge.json(), huge.headers.get('set-cookie')]).toEqual([200, {}, null])

    impact.answer = reply(302, '', { location: 'https://elsewhere.example/' })
    expect((await relay(post(PLAIN))).status).toBe(503)
    impact.answer = (res) => res.writeHead(204).end()
    expect((await relay(post(PLAIN))).status).toBe(204)

    impact.answer = () => undefined // never answers
    const slow = await relay(post(PLAIN))
    expect(slow.status).toBe(503)
    expect((await slow.json()).error).toMatch(/in time/)
  })

  it('routes on the last path segment: other paths 404, other methods 405, preflights answered', async () => {
    const relay = createImpactRelay(options())
    for (const path of ['/impact', '/impact/pageloads', '/impact/PageLoad', '/pageload/x', '/']) {
      const response = await relay(post(LANDING, {}, `${SHOP}${path}`))
      expect(response.status).toBe(404)
      expect(response.headers.get('set-cookie')).toBeNull()
    }
    expect((await relay(post(PLAIN, {}, `${SHOP}/a/b/pageload/`))).status).toBe(200)
    const get = await relay(new Request(`${SHOP}/impact/pageload`, { headers: { origin: SHOP } }))
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST, OPTIONS'])
    const preflight = await relay(
      new Request(`${SHOP}/impact/pageload`, { method: 'OPTIONS', headers: { origin: SHOP } }),
    )
    expect(preflight.status).toBe(204)
    const evil = await relay(post(LANDING, { origin: 'https://evil.example' }))
    expect([evil.status, evil.headers.get('set-cookie')]).toEqual([403, null])
    expect(impact.received).toHaveLength(1)
  })
})

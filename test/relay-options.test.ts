import { describe, expect, it } from 'vitest'
import { IMPACT_PAGE_LOAD_URL } from '../src/impact-api'
import { createImpactRelay, type ImpactRelayOptions } from '../src/relay'
import { resolveRelayOptions } from '../src/relay/options'

const VALID: ImpactRelayOptions = {
  accountSid: 'IRsid123',
  authToken: 'secret-token',
  campaignIds: [1234],
  allowedOrigins: ['https://shop.example.com'],
}

const problems = (extra: Record<string, unknown>): string[] => {
  try {
    createImpactRelay({ ...VALID, ...extra } as ImpactRelayOptions)
    return []
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError)
    return (error as TypeError).message.split('\n').slice(1)
  }
}

describe('relay options for first-party mode', () => {
  it('defaults: Impact’s PageLoad URL, a 30-day host-only cookie, one trusted proxy', () => {
    const config = resolveRelayOptions(VALID)
    expect(config.pageLoadUrl).toBe(IMPACT_PAGE_LOAD_URL)
    expect(config.cookieDomain).toBeUndefined()
    expect(config.clickCookieMaxAgeSeconds).toBe(30 * 86_400)
    expect(config.trustedProxies).toBe(1)
    expect(config.timeoutMs).toBe(10_000)
  })

  it('takes valid values', () => {
    const config = resolveRelayOptions({
      ...VALID,
      impactPageLoadUrl: 'http://127.0.0.1:4211/PageLoad',
      cookieDomain: '.Shop.Example.com',
      clickCookieMaxAgeDays: 90,
      clientIpHeader: 'X-Forwarded-For',
      trustedProxies: 2,
    })
    expect(config).toMatchObject({
      pageLoadUrl: 'http://127.0.0.1:4211/PageLoad',
      cookieDomain: 'shop.example.com',
      clickCookieMaxAgeSeconds: 90 * 86_400,
      clientIpHeader: 'x-forwarded-for',
      trustedProxies: 2,
    })
  })

  it('refuses bad values, all in one TypeError with the key and the fix', () => {
    const listed = problems({
      impactPageLoadUrl: 'http://trkapi.impact.com/PageLoad',
      cookieDomain: 'https://example.com/',
      clickCookieMaxAgeDays: 0,
      trustedProxies: 1.5,
      timeoutMs: Number.NaN,
    })
    expect(listed).toHaveLength(5)
    for (const [i, key] of [
      'impactPageLoadUrl',
      'cookieDomain',
      'clickCookieMaxAgeDays',
      'trustedProxies',
      'timeoutMs',
    ].entries()) {
      expect(listed[i]).toMatch(new RegExp(`^- ${key}: `))
    }
    for (const bad of [
      { impactPageLoadUrl: 'https://trkapi.impact.com/PageLoad?x=1' },
      { impactPageLoadUrl: 42 },
      { cookieDomain: 'example.com; Secure' },
      { cookieDomain: '' },
      { clickCookieMaxAgeDays: 401 },
      { clickCookieMaxAgeDays: '30' },
      { trustedProxies: 0 },
      { trustedProxies: 11 },
    ]) {
      expect(problems(bad), JSON.stringify(bad)).toHaveLength(1)
    }
    expect(problems({ cookieDomain: 'example.com', clickCookieMaxAgeDays: 1.5, trustedProxies: 10 })).toEqual([])
  })
})

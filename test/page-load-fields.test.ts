import type { SegmentEvent } from '@segment/analytics-next'
import { describe, expect, it } from 'vitest'
import { validatePageLoad } from '../demo/fake-impact/index'
import { pageLoadFields, type PageView } from '../src/plugin/page-load-fields'
import { EMAIL_SHA1, resolved } from './support/settings'

const NOW = Date.parse('2024-05-01T10:00:00.000Z')
const UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)'
const LANDING = 'https://shop.example.com/?irclickid=abc123'

const settings = resolved({ campaignId: 1000, iOsAppId: '111', androidAppId: '222' })

const pageEvent = (change: Partial<SegmentEvent> = {}): SegmentEvent => ({
  type: 'page',
  anonymousId: 'anon-1',
  userId: 'user-1',
  messageId: 'ajs-next-1',
  timestamp: new Date('2024-05-01T09:59:58.123Z'),
  properties: { url: LANDING },
  context: {},
  ...change,
})
const view = (change: Partial<PageView> = {}): PageView => ({
  url: LANDING,
  referrer: 'https://partner.example.net/review',
  userAgent: UA,
  ...change,
})
const identity = { clickId: 'abc123', customerEmail: EMAIL_SHA1 }

const FULL = {
  CampaignId: '1000',
  EventDate: '2024-05-01T09:59:58.123Z',
  PageUrl: LANDING,
  ReferringUrl: 'https://partner.example.net/review',
  CustomProfileId: 'anon-1',
  CustomerId: 'user-1',
  CustomerEmail: EMAIL_SHA1,
  ClickId: 'abc123',
  UserAgent: UA,
}

describe('pageLoadFields', () => {
  it('a page event with everything known: every field, exactly', () => {
    expect(pageLoadFields(pageEvent(), settings, identity, view(), NOW)).toEqual(FULL)
  })

  // Each row: a change to the event / identity / view, and the fields that must differ from FULL
  // (undefined: the key must be absent).
  const cases: Array<{
    name: string
    event?: Partial<SegmentEvent>
    identity?: { clickId?: string; customerEmail?: string }
    view?: Partial<PageView>
    expected: Record<string, string | undefined>
  }> = [
    {
      name: 'EventDate from an ISO string with an offset, as UTC',
      event: { timestamp: '2024-05-01T12:00:00+02:00' },
      expected: { EventDate: '2024-05-01T10:00:00.000Z' },
    },
    {
      name: 'EventDate falls back to now without a timestamp',
      event: { timestamp: undefined },
      expected: { EventDate: '2024-05-01T10:00:00.000Z' },
    },
    {
      name: 'EventDate falls back to now for an unreadable timestamp',
      event: { timestamp: 'yesterday-ish' },
      expected: { EventDate: '2024-05-01T10:00:00.000Z' },
    },
    {
      name: 'ReferringUrl over plain http',
      view: { referrer: 'http://blog.example.org/' },
      expected: { ReferringUrl: 'http://blog.example.org/' },
    },
    {
      name: 'no ReferringUrl for a relative referrer',
      view: { referrer: '/cart' },
      expected: { ReferringUrl: undefined },
    },
    {
      name: 'no ReferringUrl for an app referrer',
      view: { referrer: 'android-app://com.google.android.gm/' },
      expected: { ReferringUrl: undefined },
    },
    {
      name: 'no ReferringUrl for javascript:',
      view: { referrer: 'javascript:alert(1)' },
      expected: { ReferringUrl: undefined },
    },
    { name: "no ReferringUrl for ''", view: { referrer: '' }, expected: { ReferringUrl: undefined } },
    { name: 'no ReferringUrl when unknown', view: { referrer: undefined }, expected: { ReferringUrl: undefined } },
    {
      name: 'CustomProfileId cut at 70 characters',
      event: { anonymousId: 'a'.repeat(100) },
      expected: { CustomProfileId: 'a'.repeat(70) },
    },
    {
      name: 'no CustomProfileId without anonymousId',
      event: { anonymousId: undefined },
      expected: { CustomProfileId: undefined },
    },
    { name: 'no CustomerId without userId', event: { userId: null }, expected: { CustomerId: undefined } },
    { name: "no CustomerId for userId ''", event: { userId: '' }, expected: { CustomerId: undefined } },
    { name: 'no ClickId without a click', identity: { customerEmail: EMAIL_SHA1 }, expected: { ClickId: undefined } },
    {
      name: 'no CustomerEmail without a hash',
      identity: { clickId: 'abc123' },
      expected: { CustomerEmail: undefined },
    },
    { name: 'no UserAgent when unknown', view: { userAgent: undefined }, expected: { UserAgent: undefined } },
    // A blank user agent (privacy tooling, some web views) must not become `UserAgent=`,
    // which Impact refuses as an empty parameter.
    { name: "no UserAgent for ''", view: { userAgent: '' }, expected: { UserAgent: undefined } },
    {
      name: 'PropertyId = iOsAppId in an iOS web view',
      event: { context: { device: { type: 'ios' } } },
      expected: { PropertyId: '111' },
    },
    {
      name: 'PropertyId = androidAppId in an Android web view',
      event: { context: { device: { type: 'android' } } },
      expected: { PropertyId: '222' },
    },
    {
      name: 'PropertyId whatever the case of device.type',
      event: { context: { device: { type: 'iOS' } } },
      expected: { PropertyId: '111' },
    },
    { name: 'no PropertyId on the web', event: { context: { device: { type: 'web' } } }, expected: {} },
  ]

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const fields = pageLoadFields(pageEvent(c.event), settings, c.identity ?? identity, view(c.view), NOW)
    const expected: Record<string, string> = { ...FULL }
    for (const [key, value] of Object.entries(c.expected)) {
      if (value === undefined) delete expected[key]
      else expected[key] = value
    }
    expect(fields).toEqual(expected)
    // Nothing undefined or blank ever goes on the wire as a key.
    for (const [key, value] of Object.entries(fields)) {
      expect(typeof value, key).toBe('string')
      expect(value.trim(), key).not.toBe('')
    }
    expect(validatePageLoad(fields)).toEqual([])
  })

  it('no PropertyId in an iOS web view when no iOsAppId is set', () => {
    const fields = pageLoadFields(
      pageEvent({ context: { device: { type: 'ios' } } }),
      resolved({}),
      identity,
      view(),
      NOW,
    )
    expect(fields).not.toHaveProperty('PropertyId')
  })

  it('a bare page event (anonymous visitor, no click, no referrer) still validates', () => {
    const fields = pageLoadFields(
      pageEvent({ userId: undefined, properties: {} }),
      settings,
      {},
      { url: 'https://shop.example.com/' },
      NOW,
    )
    expect(fields).toEqual({
      CampaignId: '1000',
      EventDate: '2024-05-01T09:59:58.123Z',
      PageUrl: 'https://shop.example.com/',
      CustomProfileId: 'anon-1',
    })
    expect(validatePageLoad(fields)).toEqual([])
  })

  it('does not touch the event it reads', () => {
    const event = pageEvent({ context: { device: { type: 'ios' } } })
    const before = structuredClone(event)
    pageLoadFields(event, settings, identity, view(), NOW)
    expect(event).toEqual(before)
  })

  it("an app web view's own scheme is a PageUrl; a PageUrl that is no URL is left out", () => {
    const app = pageLoadFields(pageEvent(), settings, identity, view({ url: 'capacitor://localhost/cart' }), NOW)
    expect(app.PageUrl).toBe('capacitor://localhost/cart')
    expect(validatePageLoad(app)).toEqual([])
    const junk = pageLoadFields(pageEvent(), settings, identity, view({ url: 'not a url' }), NOW)
    expect(junk).not.toHaveProperty('PageUrl')
  })

  it('a throwing getter or Proxy in the event never throws; the PageLoad keeps what is readable', () => {
    const boom = (): never => {
      throw new Error('hostile page')
    }
    const event = pageEvent({ context: new Proxy({}, { get: boom }), userId: undefined })
    Object.defineProperty(event, 'anonymousId', { get: boom })
    const fields = pageLoadFields(event, settings, identity, view(), NOW)
    expect(fields).toMatchObject({ PageUrl: LANDING, ClickId: 'abc123' })
    expect(validatePageLoad(fields)).toEqual([])
  })
})

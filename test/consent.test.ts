import { describe, expect, it } from 'vitest'
import { carriesChoice, cdnConsent, consentOf, withTrackingConsent } from '../src/plugin/consent'

/** An event as Segment's consent tools stamp it; `NONE` leaves categoryPreferences out. */
const NONE = Symbol('none')
const event = (categoryPreferences: unknown): never =>
  (categoryPreferences === NONE
    ? { type: 'track', context: {} }
    : { type: 'track', context: { consent: { categoryPreferences } } }) as never

class Choices {
  C0004 = true
}
const throwing = new Proxy(
  {},
  {
    ownKeys() {
      throw new Error('hostile')
    },
  },
)

describe('consentOf: the three states, as DESIGN defines them', () => {
  const ours = ['C0004']
  it.each([
    // Gating off: no category known, not gated at load, the event carries no choice.
    ['no choice, no categories, not gated', [], false, NONE, 'off'],
    // Gating on.
    ['no choice yet, categories configured', ours, true, NONE, 'unknown'],
    ['an empty {} (banner not answered)', ours, true, {}, 'unknown'],
    ['OneTrust before the choice: every group with its state', ours, true, { C0001: true, C0004: false }, 'refused'],
    ['OneTrust after Accept', ours, true, { C0001: true, C0002: true, C0004: true }, 'granted'],
    ['the category missing from the choices', ours, true, { C0001: true }, 'refused'],
    ["the category 'true' as a string", ours, true, { C0004: 'true' }, 'refused'],
    ['the category 1', ours, true, { C0004: 1 }, 'refused'],
    ['every one of two categories true', ['Ads', 'Analytics'], true, { Ads: true, Analytics: true }, 'granted'],
    ['one of two categories false', ['Ads', 'Analytics'], true, { Ads: true, Analytics: false }, 'refused'],
    ['a null-prototype object, granted', ours, true, Object.assign(Object.create(null), { C0004: true }), 'granted'],
    // Odd or unreadable preferences: refused, never "no choice yet".
    ['a Map', ours, true, new Map([['C0004', true]]), 'refused'],
    ['an empty Map', ours, true, new Map(), 'refused'],
    ['inherited keys', ours, true, Object.create({ C0004: true }), 'refused'],
    ['inherited false', ours, true, Object.create({ C0004: false }), 'refused'],
    ['an array', ours, true, [], 'refused'],
    ['true', ours, true, true, 'refused'],
    ['a string', ours, true, 'C0004', 'refused'],
    ['null', ours, true, null, 'refused'],
    ['a class instance', ours, true, new Choices(), 'refused'],
    ['a Proxy whose keys throw', ours, true, throwing, 'refused'],
    // Fail closed: a consent tool is on the page and no category is known.
    ['a choice, no categories, not gated at load', [], false, { C0001: true, C0004: true }, 'refused'],
    ['an empty {}, no categories', [], false, {}, 'refused'],
    ['no choice, no categories, gated (CDN consent management on)', [], true, NONE, 'refused'],
    // A choice turns gating on by itself.
    ['a choice with categories, not gated', ours, false, { C0004: true }, 'granted'],
  ] as const)('%s -> %s', (_name, categories, gated, preferences, expected) => {
    expect(consentOf(event(preferences), categories, gated)).toBe(expected)
  })

  it('an event without context: off when not gated, unknown when gated', () => {
    expect(consentOf({ type: 'page' } as never, ['C0004'], false)).toBe('off')
    expect(consentOf({ type: 'page' } as never, ['C0004'], true)).toBe('unknown')
  })

  it('preferences whose getter throws: refused (never tracked on an unreadable choice)', () => {
    const hostile = Object.defineProperty({}, 'categoryPreferences', {
      get() {
        throw new Error('hostile')
      },
    })
    const thrown = { type: 'track', context: { consent: hostile } } as never
    expect(consentOf(thrown, ['C0004'], false)).toBe('refused')
    expect(carriesChoice(thrown)).toBe(true)
  })

  it('carriesChoice: an empty {} is a choice stamped, a missing one is not', () => {
    expect(carriesChoice(event({}))).toBe(true)
    expect(carriesChoice(event(NONE))).toBe(false)
    expect(carriesChoice(event(undefined))).toBe(false)
  })
})

describe('withTrackingConsent', () => {
  const fields = { CampaignId: '1', CustomProfileId: 'anon-1', CustomerId: 'u1', CustomerEmail: 'ab', ClickId: 'c1' }

  it('granted: flagged true, identifiers kept; the input never changes', () => {
    expect(withTrackingConsent(fields, 'true')).toEqual({ ...fields, TrackingConsent: 'true' })
    expect(fields).not.toHaveProperty('TrackingConsent')
  })

  it('no consent management: no field', () => {
    expect(withTrackingConsent(fields, '')).toBe(fields)
  })

  it('cookieless: flagged false, without any identifier the device stores', () => {
    expect(withTrackingConsent(fields, 'false')).toEqual({ CampaignId: '1', ClickId: 'c1', TrackingConsent: 'false' })
  })

  it('cookieless: not sent at all when nothing is left to attribute it; a promo code does', () => {
    const { ClickId: _, ...unclicked } = fields
    expect(withTrackingConsent(unclicked, 'false')).toBeUndefined()
    expect(withTrackingConsent({ ...unclicked, OrderPromoCode: 'SPRING' }, 'false')).toEqual({
      CampaignId: '1',
      OrderPromoCode: 'SPRING',
      TrackingConsent: 'false',
    })
    // With consent (or without consent management) stored identifiers attribute as always.
    expect(withTrackingConsent(unclicked, 'true')).toMatchObject({ CustomProfileId: 'anon-1' })
  })
})

describe('cdnConsent', () => {
  const NAME = 'Impact Partnership Cloud'
  const analytics = (cdnSettings: unknown): unknown => ({ settings: { cdnSettings } })
  const entry = (categories: unknown) => ({ integrations: { [NAME]: { consentSettings: { categories } } } })

  it.each([
    [
      "the entry's categories",
      analytics(entry(['C0002', 'C0004'])),
      { categories: ['C0002', 'C0004'], managed: false },
    ],
    [
      'only the strings of a malformed list',
      analytics(entry(['C0004', 7, null])),
      { categories: ['C0004'], managed: false },
    ],
    ['not a list', analytics(entry('C0004')), { categories: [], managed: false }],
    [
      "consent management on, the entry removed by the consent tools' opt-in model",
      analytics({ integrations: {}, consentSettings: { allCategories: ['C0004'] } }),
      { categories: [], managed: true },
    ],
    ['no CDN settings (analytics-next before 1.70)', {}, { categories: [], managed: false }],
  ] as const)('%s', (_name, source, expected) => {
    expect(cdnConsent(source, NAME)).toEqual(expected)
  })

  it('CDN settings whose getter throws: nothing, no exception', () => {
    const hostile = Object.defineProperty({}, 'settings', {
      get() {
        throw new Error('hostile')
      },
    })
    expect(cdnConsent(hostile, NAME)).toEqual({ categories: [], managed: false })
  })
})

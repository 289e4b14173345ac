import { describe, expect, it } from 'vitest'
import { consentCategories, consentOf, sendingFor, withTrackingConsent } from '../src/plugin/consent'

const event = (categoryPreferences: unknown): never =>
  ({ type: 'track', context: { consent: { categoryPreferences } } }) as never

describe('consentOf', () => {
  it.each([
    ['no categories configured', [], { C0004: false }, 'unknown'],
    ['no categories configured, nothing on the event', [], undefined, 'unknown'],
    ['no preferences on the event', ['C0004'], undefined, 'unknown'],
    ['empty preferences (no choice made yet)', ['C0004'], {}, 'unknown'],
    ['preferences that are not an object', ['C0004'], 'yes', 'unknown'],
    ['the one category true', ['C0004'], { C0001: true, C0004: true }, 'granted'],
    ['the one category false', ['C0004'], { C0001: true, C0004: false }, 'denied'],
    ['the category missing from the choices', ['C0004'], { C0001: true }, 'denied'],
    ["the category 'true' as a string", ['C0004'], { C0004: 'true' }, 'denied'],
    [
      'every one of two categories true',
      ['Advertising', 'Analytics'],
      { Advertising: true, Analytics: true },
      'granted',
    ],
    ['one of two categories false', ['Advertising', 'Analytics'], { Advertising: true, Analytics: false }, 'denied'],
  ] as const)('%s -> %s', (_name, categories, preferences, expected) => {
    expect(consentOf(event(preferences), categories)).toBe(expected)
  })

  it('an event without context -> unknown', () => {
    expect(consentOf({ type: 'page' } as never, ['C0004'])).toBe('unknown')
  })

  it('preferences whose getter throws -> denied (never tracked on an unreadable choice)', () => {
    const hostile = Object.defineProperty({}, 'categoryPreferences', {
      get() {
        throw new Error('hostile')
      },
    })
    expect(consentOf({ type: 'track', context: { consent: hostile } } as never, ['C0004'])).toBe('denied')
  })
})

describe('sendingFor', () => {
  it.each([
    ['granted', false, 'true'],
    ['granted', true, 'true'],
    ['unknown', false, ''],
    ['unknown', true, ''],
    ['denied', false, undefined],
    ['denied', true, 'false'],
  ] as const)('%s, sendWithoutConsent %s -> %j', (consent, sendWithoutConsent, expected) => {
    expect(sendingFor(consent, sendWithoutConsent)).toBe(expected)
  })
})

describe('withTrackingConsent', () => {
  it('adds TrackingConsent when known, never changes the input', () => {
    const fields = { CampaignId: '1' }
    expect(withTrackingConsent(fields, 'false')).toEqual({
      CampaignId: '1',
      TrackingConsent: 'false',
    })
    expect(withTrackingConsent(fields, '')).toEqual({ CampaignId: '1' })
    expect(fields).toEqual({ CampaignId: '1' })
  })
})

describe('consentCategories', () => {
  const NAME = 'Impact Partnership Cloud'
  const analytics = (categories: unknown): unknown => ({
    settings: { cdnSettings: { integrations: { [NAME]: { consentSettings: { categories } } } } },
  })

  it.each([
    ['the setting wins', ['C0004'], analytics(['C0002']), ['C0004']],
    ["the CDN settings' categories when the setting is empty", [], analytics(['C0002', 'C0004']), ['C0002', 'C0004']],
    ['none when neither names any', [], analytics(undefined), []],
    ['none without CDN settings', [], {}, []],
    ['only the strings of a malformed list', [], analytics(['C0004', 7, null]), ['C0004']],
  ] as const)('%s', (_name, configured, source, expected) => {
    expect(consentCategories([...configured], source, NAME)).toEqual(expected)
  })

  it('CDN settings whose getter throws: none, no exception', () => {
    const hostile = Object.defineProperty({}, 'settings', {
      get() {
        throw new Error('hostile')
      },
    })
    expect(consentCategories([], hostile, NAME)).toEqual([])
  })
})

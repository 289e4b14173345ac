import type { SegmentEvent } from '@segment/analytics-next'
import { describe, expect, it, vi } from 'vitest'
import type { ClickTracker } from '../src/click-id/click-tracker'
import { createConsentGate, MAX_WAITING, type ConsentGateOptions } from '../src/plugin/consent-gate'
import type { Landing } from '../src/plugin/page-loads'

const LANDING_CLICK = { unique: true, reason: 'click-id', clickId: 'abc123', session: { start: 1, last: 1 } } as const

/** A gate over a tracker that records what it was asked to store or remove. */
function setup(extra: Partial<ConsentGateOptions> = {}) {
  const calls: string[] = []
  const tracker = {
    pageLoad: vi.fn(() => (calls.push('store'), LANDING_CLICK)),
    forget: vi.fn(() => calls.push('forget')),
  } as unknown as ClickTracker
  const landing: Landing = { url: 'https://shop.test/?irclickid=abc123', referrer: '', at: 1 }
  const log = { debug: vi.fn(), warn: vi.fn(), error: vi.fn() }
  const onLateGating = vi.fn()
  const gate = createConsentGate({
    categories: ['C0004'],
    gated: true,
    sendWithoutConsent: false,
    tracker,
    landing,
    log,
    onLateGating,
    ...extra,
  })
  return { gate, calls, landing, log, onLateGating }
}

let seq = 0
/** An event stamped with `prefs` (undefined: no consent tool). */
const ev = (type: string, prefs?: Record<string, boolean>, name?: string): SegmentEvent =>
  ({
    type,
    event: name,
    messageId: `m${++seq}`,
    context: prefs ? { consent: { categoryPreferences: prefs } } : {},
  }) as SegmentEvent
const DEFAULTS = { C0001: true, C0004: false }
const ACCEPTED = { C0001: true, C0004: true }
const shown = (released: { event: SegmentEvent; sending: string }[]) =>
  released.map((r) => `${r.event.type}${r.event.event ? ':' + r.event.event : ''}=${r.sending}`)

describe('createConsentGate', () => {
  it('accept on the landing after a default refusal: the landing page view goes first, once, granted', () => {
    const { gate, calls, landing } = setup()
    const page = ev('page', DEFAULTS)
    expect(gate.admit(page, true)).toEqual([])
    expect(calls).toEqual(['forget'])
    expect(landing.click).toBeUndefined()
    const released = gate.admit(ev('track', ACCEPTED, 'Segment Consent Preference Updated'), false)
    expect(released).toEqual([{ event: page, sending: 'true' }])
    expect(calls).toEqual(['forget', 'store'])
    expect(landing.click).toBe(LANDING_CLICK)
    // Later events go as they come; the landing is not sent again, the click not stored again.
    expect(shown(gate.admit(ev('track', ACCEPTED, 'Order Completed'), true))).toEqual(['track:Order Completed=true'])
    expect(calls).toEqual(['forget', 'store'])
  })

  it('refuse, then accept on the same page: the held click survives the refusal', () => {
    const { gate, calls } = setup()
    const page = ev('page', {})
    expect(gate.admit(page, true)).toEqual([])
    expect(gate.admit(ev('track', DEFAULTS, 'Segment Consent Preference Updated'), false)).toEqual([])
    expect(gate.admit(ev('track', DEFAULTS, 'Order Completed'), true)).toEqual([])
    expect(shown(gate.admit(ev('track', ACCEPTED, 'Segment Consent Preference Updated'), false))).toEqual(['page=true'])
    expect(calls).toEqual(['forget', 'store'])
  })

  it('not known: nothing stored or removed; page views and conversions wait, in order, for the grant', () => {
    const { gate, calls } = setup()
    expect(gate.admit(ev('page', {}), true)).toEqual([])
    expect(gate.admit(ev('track', {}, 'Order Completed'), true)).toEqual([])
    expect(gate.admit(ev('page', {}), true)).toEqual([])
    expect(gate.admit(ev('track', {}, 'Ignored'), false)).toEqual([])
    expect(calls).toEqual([])
    const released = gate.admit(ev('identify', ACCEPTED), true)
    expect(shown(released)).toEqual(['page=true', 'track:Order Completed=true', 'page=true', 'identify=true'])
  })

  it(`not known: at most ${MAX_WAITING} events wait besides the landing`, () => {
    const { gate } = setup()
    for (let i = 0; i < MAX_WAITING + 5; i++) gate.admit(ev('track', {}, 'Order Completed'), true)
    expect(gate.admit(ev('track', ACCEPTED, 'x'), false)).toHaveLength(MAX_WAITING)
  })

  it('refused: nothing goes, the cookies are removed once per refusal, waiting conversions are dropped', () => {
    const { gate, calls } = setup()
    gate.admit(ev('track', {}, 'Order Completed'), true)
    expect(gate.admit(ev('page', DEFAULTS), true)).toEqual([])
    expect(gate.admit(ev('track', DEFAULTS, 'Order Completed'), true)).toEqual([])
    expect(calls).toEqual(['forget'])
    // Granted, then withdrawn: removed again.
    expect(shown(gate.admit(ev('track', ACCEPTED, 'Order Completed'), true))).toEqual([
      'page=true',
      'track:Order Completed=true',
    ])
    gate.admit(ev('track', DEFAULTS, 'Segment Consent Preference Updated'), false)
    expect(calls).toEqual(['forget', 'store', 'forget'])
  })

  it('sendWithoutConsent: a refusal after {} sends the withheld landing at once, cookieless; a grant then only stores the click', () => {
    const { gate, calls } = setup({ sendWithoutConsent: true })
    expect(gate.admit(ev('page', {}), true)).toEqual([])
    expect(gate.admit(ev('track', {}, 'Order Completed'), true)).toEqual([])
    const refused = gate.admit(ev('track', DEFAULTS, 'Segment Consent Preference Updated'), false)
    expect(shown(refused)).toEqual(['page=false', 'track:Order Completed=false'])
    expect(shown(gate.admit(ev('page', DEFAULTS), true))).toEqual(['page=false'])
    expect(shown(gate.admit(ev('track', ACCEPTED, 'Segment Consent Preference Updated'), false))).toEqual([])
    expect(calls).toEqual(['forget', 'store'])
  })

  it('no consent management: everything goes with no TrackingConsent, nothing is touched', () => {
    const { gate, calls, log } = setup({ categories: [], gated: false })
    expect(shown(gate.admit(ev('page'), true))).toEqual(['page='])
    expect(gate.admit(ev('track', undefined, 'Ignored'), false)).toEqual([])
    expect(calls).toEqual([])
    expect(log.error).not.toHaveBeenCalled()
  })

  it('fails closed when a consent tool shows up and no category is known: one error, the claim given back, cookies removed', () => {
    const { gate, calls, log, onLateGating } = setup({ categories: [], gated: false })
    expect(shown(gate.admit(ev('page'), true))).toEqual(['page='])
    expect(gate.admit(ev('track', ACCEPTED, 'Order Completed'), true)).toEqual([])
    expect(gate.admit(ev('page'), true)).toEqual([])
    expect(gate.admit(ev('track', ACCEPTED, 'Order Completed'), true)).toEqual([])
    expect(calls).toEqual(['forget'])
    expect(onLateGating).toHaveBeenCalledTimes(1)
    expect(log.error).toHaveBeenCalledTimes(1)
    expect(String(log.error.mock.calls[0]![0])).toBe('consent: no category known, nothing sent; set consentCategories')
  })

  it('gated at load without a category (the opt-in model removed the entry): refused, one error at creation', () => {
    const { gate, log } = setup({ categories: [] })
    expect(log.error).toHaveBeenCalledTimes(1)
    expect(gate.admit(ev('page', ACCEPTED), true)).toEqual([])
    expect(gate.admit(ev('page'), true)).toEqual([])
    expect(log.error).toHaveBeenCalledTimes(1)
  })

  it('categories configured but no event carries a choice: waits, with one warning saying so', () => {
    const { gate, log } = setup()
    expect(gate.admit(ev('page'), true)).toEqual([])
    expect(gate.admit(ev('track', undefined, 'Order Completed'), true)).toEqual([])
    expect(log.warn).toHaveBeenCalledTimes(1)
    expect(String(log.warn.mock.calls[0]![0])).toMatch(/C0004.*categoryPreferences/)
  })
})

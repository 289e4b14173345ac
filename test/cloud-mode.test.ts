import type { Analytics } from '@segment/analytics-next'
import { describe, expect, it, vi } from 'vitest'
import { createLogger } from '../src/log'
import { claimCloudModeDestination, type Delivering } from '../src/plugin/cloud-mode'

const NAME = 'Impact Partnership Cloud'

/** An analytics stand-in exposing only `settings.cdnSettings`, the one thing the claim reads. */
const withCdn = (integrations: Record<string, unknown>): Analytics =>
  ({ settings: { cdnSettings: { integrations } } }) as unknown as Analytics

type Delivers = Omit<Delivering, 'log'>

/** What the demo shop's plugin delivers: conversions through its relay, page and identify calls. */
const DELIVERING: Delivers = {
  converts: true,
  settings: { enablePageEvents: true, enableScreenEvents: false, enableIdentifyEvents: true },
}

function claim(integrations: Record<string, unknown>, delivering: Delivers = DELIVERING) {
  return claimOn(withCdn(integrations), delivering)
}

function claimOn(analytics: Analytics, delivering: Delivers = DELIVERING) {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  const giveBack = claimCloudModeDestination(analytics, NAME, { log: createLogger(false), ...delivering })
  const warnings = warn.mock.calls.map((c) => String(c[0]))
  warn.mockRestore()
  return { found: !!giveBack, giveBack, warnings }
}

describe('claimCloudModeDestination', () => {
  it('marks an integrations entry bundled, in place, with one warning naming the risk', () => {
    const entry = { bundlingStatus: 'unbundled', apiKey: 'cloud-token', accountSid: 'IRcloud' }
    const integrations: Record<string, unknown> = { 'Segment.io': { apiKey: 'wk' }, [NAME]: entry }
    const { found, warnings } = claim(integrations)
    expect(found).toBe(true)
    expect(integrations[NAME]).toBe(entry)
    expect(entry).toEqual({ bundlingStatus: 'bundled', apiKey: 'cloud-token', accountSid: 'IRcloud' })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^\[Impact\] .*cloud mode.*twice/)
    expect(warnings[0]).not.toContain('cloud-token')
  })

  it('moves a name in unbundledIntegrations to a bundled entry, keeping the same array', () => {
    const unbundled = ['Google Ads', NAME, 'Braze']
    const integrations: Record<string, unknown> = { 'Segment.io': { apiKey: 'wk', unbundledIntegrations: unbundled } }
    const { found, warnings } = claim(integrations)
    expect(found).toBe(true)
    expect(unbundled).toEqual(['Google Ads', 'Braze'])
    expect(integrations[NAME]).toEqual({ bundlingStatus: 'bundled' })
    expect(warnings).toHaveLength(1)
  })

  it('changes nothing and says nothing when the source has no cloud-mode Impact destination', () => {
    const integrations = { 'Segment.io': { apiKey: 'wk', unbundledIntegrations: ['Braze'] }, Braze: {} }
    const before = JSON.stringify(integrations)
    const { found, warnings } = claim(integrations)
    expect(found).toBe(false)
    expect(JSON.stringify(integrations)).toBe(before)
    expect(warnings).toEqual([])
  })

  it('never throws on settings of an unexpected shape, and says it could not check', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no')
        },
      },
    )
    for (const analytics of [hostile, {}]) {
      const { found, warnings } = claimOn(analytics as Analytics)
      expect(found).toBe(false)
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toBe(`[Impact] ${NAME} in cloud mode: unchecked (analytics-next <1.70 or frozen settings)`)
    }
  })

  it('claims nothing without a way to send conversions, and says so: Segment keeps delivering the sales', () => {
    const unbundled = ['Braze', NAME]
    const integrations = { 'Segment.io': { apiKey: 'wk', unbundledIntegrations: unbundled } }
    const before = JSON.stringify(integrations)
    const { found, warnings } = claim(integrations, { ...DELIVERING, converts: false })
    expect(found).toBe(false)
    expect(JSON.stringify(integrations)).toBe(before)
    expect(warnings).toEqual([`[Impact] ${NAME} in cloud mode: left on: this plugin lacks conversionEndpoint`])
  })

  it.each([
    [{ enableScreenEvents: true }, 'enableScreenEvents'],
    [{ enablePageEvents: true, enableIdentifyEvents: true, enableScreenEvents: true }, 'enableScreenEvents'],
  ])('claims nothing when the cloud copy sends a kind the plugin does not (%j)', (flags, named) => {
    const entry = { bundlingStatus: 'unbundled', ...flags }
    const { found, warnings } = claim({ 'Segment.io': { apiKey: 'wk' }, [NAME]: entry })
    expect(found).toBe(false)
    expect(entry.bundlingStatus).toBe('unbundled')
    expect(warnings).toEqual([`[Impact] ${NAME} in cloud mode: left on: this plugin lacks ${named}`])
  })

  it('lists every kind it does not send', () => {
    const entry = { enablePageEvents: true, enableIdentifyEvents: true }
    const nothing = { enablePageEvents: false, enableScreenEvents: false, enableIdentifyEvents: false }
    const { warnings } = claim({ [NAME]: entry }, { converts: false, settings: nothing })
    expect(warnings[0]).toMatch(/lacks conversionEndpoint,enablePageEvents,enableIdentifyEvents$/)
  })

  it('claims when the plugin sends every kind the entry enables', () => {
    const entry = {
      bundlingStatus: 'unbundled',
      enablePageEvents: true,
      enableIdentifyEvents: true,
      enableScreenEvents: false,
    }
    const { found } = claim({ 'Segment.io': { apiKey: 'wk' }, [NAME]: entry })
    expect(found).toBe(true)
    expect(entry.bundlingStatus).toBe('bundled')
  })

  it('warns, changing nothing, when the settings are frozen', () => {
    const entry = Object.freeze({ bundlingStatus: 'unbundled' })
    const unbundled = Object.freeze(['Braze', NAME])
    const frozen = [
      Object.freeze({ [NAME]: entry }),
      Object.freeze({ 'Segment.io': Object.freeze({ unbundledIntegrations: unbundled }) }),
      // Only the list frozen: the entry must not be added either.
      { 'Segment.io': { unbundledIntegrations: unbundled } },
    ]
    for (const integrations of frozen) {
      const { found, warnings } = claim(integrations)
      if (integrations !== frozen[0]) expect(Object.keys(integrations)).not.toContain(NAME)
      expect(found).toBe(false)
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(/in cloud mode: unchecked/)
    }
    expect(entry.bundlingStatus).toBe('unbundled')
    expect(unbundled).toEqual(['Braze', NAME])
  })

  it.each([
    ['an entry', { 'Segment.io': { apiKey: 'wk' }, [NAME]: { bundlingStatus: 'unbundled', apiKey: 'x' } }],
    ['an entry without a status', { 'Segment.io': { apiKey: 'wk' }, [NAME]: { apiKey: 'x' } }],
    ['a name in unbundledIntegrations', { 'Segment.io': { apiKey: 'wk', unbundledIntegrations: ['A', NAME, 'B'] } }],
  ])('gives the claim back exactly (consent failed closed): %s', (_name, integrations: Record<string, unknown>) => {
    const before = JSON.parse(JSON.stringify(integrations)) as unknown
    const { giveBack } = claim(integrations)
    expect(integrations).not.toEqual(before)
    giveBack!()
    expect(JSON.parse(JSON.stringify(integrations))).toEqual(before)
    expect(Object.keys(integrations)).toEqual(Object.keys(before as object))
  })
})

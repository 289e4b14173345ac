import type { Analytics } from '@segment/analytics-next'
import { describe, expect, it, vi } from 'vitest'
import { createLogger } from '../src/log'
import { claimCloudModeDestination } from '../src/plugin/cloud-mode'

const NAME = 'Impact Partnership Cloud'

/** An analytics stand-in exposing only `settings.cdnSettings`, the one thing the claim reads. */
const withCdn = (integrations: Record<string, unknown>): Analytics =>
  ({ settings: { cdnSettings: { integrations } } }) as unknown as Analytics

function claim(integrations: Record<string, unknown>) {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  const giveBack = claimCloudModeDestination(withCdn(integrations), NAME, createLogger(false))
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

  it('never throws on settings of an unexpected shape', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no')
        },
      },
    )
    expect(claimCloudModeDestination(hostile as Analytics, NAME, createLogger(false))).toBeUndefined()
    expect(claimCloudModeDestination({} as Analytics, NAME, createLogger(false))).toBeUndefined()
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

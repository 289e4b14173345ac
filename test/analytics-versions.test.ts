// @vitest-environment happy-dom
/**
 * The plugin's supported analytics-next range, proven at both ends: the oldest version of the peer
 * range (1.70.0, the first with `analytics.settings.cdnSettings`, which the cloud-mode claim and the
 * CDN consent categories read) and the newest this project builds against, installed side by side
 * (the oldest through the npm alias `ajs-oldest`). The same money journey runs on each: a landing
 * click, its PageLoad, a sale through the relay, and the cloud-mode destination claimed.
 */
import { AnalyticsBrowser as Newest, type CDNSettings, type Plugin } from '@segment/analytics-next'
import { AnalyticsBrowser as Oldest } from 'ajs-oldest'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { SEGMENT_ORDER_COMPLETED } from '../demo/segment-order-example'
import type { RunningFakeImpact } from '../demo/fake-impact/index'
import { impactPartnershipCloud } from '../src/index'
import { clearCookies, cookies, setPage } from './support/dom'
import { startFirstPartyImpact } from './support/first-party-impact'
import { startRecorder, type Recorder } from './support/recorder'

const NAME = 'Impact Partnership Cloud'
const pkg = (await import('../package.json', { with: { type: 'json' } })).default as {
  peerDependencies: Record<string, string>
  devDependencies: Record<string, string>
}

let fake: RunningFakeImpact
let relay: Recorder
beforeAll(async () => {
  fake = await startFirstPartyImpact({ accountSid: 'IRsid123', authToken: 'secret-token', campaignIds: [1000] })
  relay = await startRecorder()
})
afterAll(async () => {
  await fake.close()
  await relay.close()
})
beforeEach(() => {
  setPage(`${fake.url}/?irclickid=versions1`)
  clearCookies()
  localStorage.clear()
  fake.reset()
  relay.posts.length = 0
  vi.spyOn(console, 'warn').mockImplementation(() => {})
})

it('the peer range starts at the oldest version tested here', () => {
  expect(pkg.peerDependencies['@segment/analytics-next']).toBe('>=1.70.0')
  expect(pkg.devDependencies['ajs-oldest']).toBe('npm:@segment/analytics-next@1.70.0')
})

describe.each([
  ['the oldest supported analytics-next (1.70.0)', Oldest as unknown as typeof Newest],
  ['the newest analytics-next', Newest],
])('%s', (_name, AnalyticsBrowser) => {
  it('a landing click, its PageLoad, a sale with its ClickId, and the cloud-mode destination claimed', async () => {
    const cloud = { bundlingStatus: 'unbundled' }
    const cdnSettings = {
      integrations: { 'Segment.io': { apiKey: 'test' }, [NAME]: cloud },
      metrics: { sampleRate: 0 },
    } as unknown as CDNSettings
    const plugin: Plugin = impactPartnershipCloud({
      accountSid: 'IRsid123',
      campaignId: 1000,
      pageLoadEndpoint: `${fake.url}/impact/pageload`,
      conversionEndpoint: `${relay.url}/impact/conversions`,
      enablePageEvents: true,
    })
    const [analytics] = await AnalyticsBrowser.load(
      { writeKey: 'test', cdnSettings, plugins: [plugin] },
      { integrations: { 'Segment.io': false } },
    )
    await analytics.page()
    await analytics.track('Order Completed', SEGMENT_ORDER_COMPLETED)
    await vi.waitFor(() => expect(relay.posts).toHaveLength(1))
    expect(fake.entries().map((e) => [e.endpoint, e.valid, e.fields.ClickId])).toEqual([
      ['PageLoad', true, 'versions1'],
    ])
    expect(relay.posts[0]!.fields).toMatchObject({ OrderId: SEGMENT_ORDER_COMPLETED.order_id, ClickId: 'versions1' })
    expect(cookies().impact_click_id).toBe('versions1')
    expect((analytics.settings.cdnSettings.integrations[NAME] as { bundlingStatus: string }).bundlingStatus).toBe(
      'bundled',
    )
  })
})

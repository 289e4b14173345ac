/**
 * The server plugin inside REAL @segment/analytics-node, sending over real HTTP to the strict fake
 * Impact (its Conversions and Actions APIs). analytics-node runs with `disable: true`: it still
 * runs its plugins, but sends nothing to Segment.
 */
import { Analytics } from '@segment/analytics-node'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { startFakeImpact, type RunningFakeImpact } from '../demo/fake-impact/index'
import { impactReferrer, impactServer, type ImpactServerOptions } from '../src/server/index'
import { MAX_ATTEMPTS } from '../src/server/send'

const ACCOUNT = { accountSid: 'IRserverSid1', authToken: 'server-token-not-a-secret' }
const EVENT_TYPE = '7777'

let impact: RunningFakeImpact
beforeAll(async () => {
  impact = await startFakeImpact(ACCOUNT)
})
afterAll(() => impact.close())
beforeEach(() => {
  impact.reset()
  vi.restoreAllMocks()
})

const options = (extra: Partial<ImpactServerOptions> = {}): ImpactServerOptions => ({
  accountSid: ACCOUNT.accountSid,
  authToken: ACCOUNT.authToken,
  campaignId: 1000,
  eventTypeId: EVENT_TYPE,
  impactBaseUrl: impact.url,
  ...extra,
})

/** analytics-node with the plugin; nothing goes to Segment. */
async function shop(extra: Partial<ImpactServerOptions> = {}) {
  const plugin = impactServer(options(extra))
  const analytics = new Analytics({ writeKey: 'server-test', disable: true, flushAt: 1 })
  await analytics.register(plugin)
  /** Tracks one event and waits until the plugin's requests ended, retries included. */
  const track = async (event: string, properties: object, context: object = {}) => {
    await new Promise<void>((resolve, reject) =>
      analytics.track({ userId: 'user-1', event, properties, context }, (error) => (error ? reject(error) : resolve())),
    )
    return plugin.settled()
  }
  return { analytics, plugin, track }
}

const ORDER = {
  order_id: 'SRV-1',
  total: 42,
  currency: 'USD',
  products: [
    { sku: 'TENT-2P', price: 30, quantity: 1, name: 'Trail Tent' },
    { sku: 'MUG', price: 6, quantity: 2, name: 'Camp Mug' },
  ],
}
const CLICK = { referrer: { type: 'impact', id: 'ServerClick-9' } }
const entries = (endpoint: string) => impact.entries().filter((e) => e.endpoint === endpoint)

describe('impactServer in analytics-node', () => {
  it('Order Completed from the server: a Conversion with the browser mapping and the click of context.referrer', async () => {
    const { track } = await shop()
    const [report] = await track('Order Completed', ORDER, CLICK)
    expect(report).toMatchObject({ kind: 'conversion', ok: true, status: 200, attempts: 1 })
    const [conversion] = entries('Conversions')
    expect(conversion).toMatchObject({ valid: true, hasAuthorization: true })
    expect(conversion!.fields).toMatchObject({
      CampaignId: '1000',
      EventTypeId: EVENT_TYPE,
      OrderId: 'SRV-1',
      ClickId: 'ServerClick-9',
      ItemSku1: 'TENT-2P',
      ItemSubTotal2: '12',
      CustomerId: 'user-1',
    })
    expect(impact.actions()).toMatchObject([{ OrderId: 'SRV-1', state: 'PENDING', items: { 'TENT-2P': 30, MUG: 12 } }])
  })

  it('Order Cancelled reverses the action (DispositionCode ORDER_ERROR)', async () => {
    const { track } = await shop()
    await track('Order Completed', ORDER, CLICK)
    const [report] = await track('Order Cancelled', { order_id: 'SRV-1' })
    expect(report).toMatchObject({ kind: 'reversal', ok: true, status: 200 })
    expect(entries('Actions')[0]).toMatchObject({
      method: 'DELETE',
      valid: true,
      fields: { ActionTrackerId: EVENT_TYPE, OrderId: 'SRV-1', DispositionCode: 'ORDER_ERROR' },
    })
    expect(impact.actions()[0]).toMatchObject({ state: 'REVERSED', changes: ['DELETE ORDER_ERROR'] })
  })

  it('Order Refunded without products reverses the action (ITEM_RETURNED)', async () => {
    const { track } = await shop()
    await track('Order Completed', ORDER, CLICK)
    const [report] = await track('Order Refunded', { order_id: 'SRV-1', total: 42 })
    expect(report).toMatchObject({ kind: 'reversal', ok: true })
    expect(entries('Actions')[0]!.fields.DispositionCode).toBe('ITEM_RETURNED')
    expect(impact.actions()[0]!.state).toBe('REVERSED')
  })

  it('Order Refunded with products changes those items only (Sku, ItemSubTotalDelta); the rest keeps paying', async () => {
    const { track } = await shop()
    await track('Order Completed', ORDER, CLICK)
    const [report] = await track('Order Refunded', {
      order_id: 'SRV-1',
      products: [{ sku: 'MUG', price: 6, quantity: 2 }],
    })
    expect(report).toMatchObject({ kind: 'change', ok: true })
    expect(entries('Actions')[0]).toMatchObject({
      method: 'PUT',
      valid: true,
      fields: {
        ActionTrackerId: EVENT_TYPE,
        OrderId: 'SRV-1',
        Reason: 'ITEM_RETURNED',
        Sku: 'MUG',
        ItemSubTotalDelta: '-12',
      },
    })
    expect(impact.actions()[0]).toMatchObject({ state: 'PENDING', items: { 'TENT-2P': 30, MUG: 0 } })
  })

  it('indexes several refunded items as Impact does: Sku, Sku2, ...', async () => {
    const { track } = await shop()
    await track('Order Completed', ORDER, CLICK)
    const products = [
      { sku: 'TENT-2P', price: 30, quantity: 1 },
      { sku: 'MUG', price: 6, quantity: 1 },
    ]
    await track('Order Refunded', { order_id: 'SRV-1', products })
    expect(entries('Actions')[0]!.fields).toMatchObject({
      Sku: 'TENT-2P',
      ItemSubTotalDelta: '-30',
      Sku2: 'MUG',
      ItemSubTotalDelta2: '-6',
    })
    expect(impact.actions()[0]!.items).toEqual({ 'TENT-2P': 0, MUG: 6 })
  })

  it('a refund of an order Impact does not know is reported, not retried', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { track } = await shop()
    const [report] = await track('Order Refunded', { order_id: 'NEVER-SOLD' })
    expect(report).toMatchObject({ kind: 'reversal', ok: false, status: 400, attempts: 1 })
    expect(report!.error).toMatch(/No action/)
    expect(entries('Actions')).toHaveLength(1)
    expect(warn.mock.calls.map((c) => String(c[0])).join()).toMatch(/NEVER-SOLD.*No action/)
  })

  it('a locked action is reported, not retried', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { track } = await shop()
    await track('Order Completed', ORDER, CLICK)
    impact.lock('SRV-1')
    const [report] = await track('Order Cancelled', { order_id: 'SRV-1' })
    expect(report).toMatchObject({ ok: false, status: 400, attempts: 1 })
    expect(report!.error).toMatch(/locked/)
    expect(impact.actions()[0]!.state).toBe('PENDING')
  })

  it('retries a 503 (Impact asks for it) and then succeeds; gives up after MAX_ATTEMPTS', async () => {
    const { track } = await shop()
    await track('Order Completed', ORDER, CLICK)
    impact.injectFault({ endpoint: 'Actions', status: 503, count: 1 })
    const [report] = await track('Order Cancelled', { order_id: 'SRV-1' })
    expect(report).toMatchObject({ ok: true, attempts: 2 })
    expect(entries('Actions').map((e) => e.status)).toEqual([503, 200])
    expect(MAX_ATTEMPTS).toBeGreaterThan(2)
  })

  it('never blocks analytics-node: the event is done before Impact answers, and the token appears in no message', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    impact.injectFault({ endpoint: 'Actions', status: 400, count: 1, delayMs: 1500 })
    const { analytics, plugin } = await shop()
    const started = Date.now()
    await new Promise<void>((resolve) =>
      analytics.track({ userId: 'u', event: 'Order Cancelled', properties: { order_id: 'X' } }, () => resolve()),
    )
    expect(Date.now() - started).toBeLessThan(1000)
    const [report] = await plugin.settled()
    expect(report!.ok).toBe(false)
    const said = JSON.stringify([report, warn.mock.calls])
    expect(said).not.toContain(ACCOUNT.authToken)
    expect(said).not.toContain(Buffer.from(`${ACCOUNT.accountSid}:${ACCOUNT.authToken}`).toString('base64'))
  })

  it('bad options: one TypeError listing every problem, without the token', () => {
    const bad = {
      accountSid: '',
      campaignId: 'x',
      authToken: '',
      eventTypeId: '',
      refundDispositionCode: 'NOPE',
      timeoutMs: 0,
    }
    let message = ''
    try {
      impactServer(bad as unknown as ImpactServerOptions)
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError)
      message = (error as Error).message
    }
    for (const key of ['accountSid', 'campaignId', 'authToken', 'refundDispositionCode', 'timeoutMs'])
      expect(message).toContain(key)
    expect(() => impactServer({ ...options(), eventTypeId: undefined } as unknown as ImpactServerOptions)).toThrow(
      /eventTypeId/,
    )
    expect(() => impactServer(options({ authToken: 'secret-xyz', impactBaseUrl: 'http://impact.example' }))).toThrow(
      /impactBaseUrl/,
    )
    expect(() =>
      impactServer(options({ authToken: 'secret-xyz', impactBaseUrl: 'http://impact.example' })),
    ).not.toThrow(/secret-xyz/)
  })

  it("the browser's consent rules: refused is not sent; granted carries TrackingConsent=true", async () => {
    const { track } = await shop({ consentCategories: ['C0004'] })
    const refused = await track('Order Completed', ORDER, {
      ...CLICK,
      consent: { categoryPreferences: { C0004: false } },
    })
    expect(refused[0]).toMatchObject({ ok: false, attempts: 0 })
    const granted = await track(
      'Order Completed',
      { ...ORDER, order_id: 'SRV-2' },
      { ...CLICK, consent: { categoryPreferences: { C0004: true } } },
    )
    expect(granted[0]).toMatchObject({ ok: true })
    expect(entries('Conversions').map((e) => [e.fields.OrderId, e.fields.TrackingConsent])).toEqual([['SRV-2', 'true']])
  })
})

describe('impactReferrer', () => {
  it('reads and checks the click cookie of a Cookie header', () => {
    expect(impactReferrer('a=1; impact_click_id=Abc-123_x.~; b=2')).toEqual({ type: 'impact', id: 'Abc-123_x.~' })
    expect(impactReferrer('impact_click_id=bad<script>')).toBeUndefined()
    expect(impactReferrer('impact_click_id=')).toBeUndefined()
    expect(impactReferrer(undefined)).toBeUndefined()
    expect(impactReferrer('other_impact_click_id=abc')).toBeUndefined()
  })
})

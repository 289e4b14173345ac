/** The pure mapping functions' cost in Node, warm: median and p95 per call. */
import type { SegmentEvent } from '@segment/analytics-next'
import { SEGMENT_ORDER_COMPLETED } from '../demo/segment-order-example'
import { conversionFields } from '../src/plugin/conversion-fields'
import type { Identity } from '../src/plugin/identity-fields'
import { pageLoadFields, type PageView } from '../src/plugin/page-load-fields'
import { ImpactSettingsError, resolveSettings } from '../src/settings'
import { median, percentile } from './stats'

/** Cost of one pure mapping function in Node, warm. */
export interface MappingRow {
  /** Function and input. */
  name: string
  /** Median time per call, microseconds. */
  medianUs: number
  /** 95th percentile time per call, microseconds. */
  p95Us: number
  /** Calls timed (after warm-up). */
  calls: number
  /** Calls per timed batch: a sample is one batch's time divided by this. */
  batch: number
  /** Fields in one result (a sanity check that the mapping did its work). */
  fields: number
}

const SHOP = 'https://shop.example.com'
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'

/** Segment's Order Completed example (demo/segment-order-example.ts) with `products` line items. */
function orderCompleted(products: number): SegmentEvent {
  const example = SEGMENT_ORDER_COMPLETED.products
  return {
    type: 'track',
    event: 'Order Completed',
    messageId: 'ajs-next-1700000000000-4b6ea1f5-7b1e-4a10-8c8c-3c2f1e0f9a11',
    anonymousId: '6f0e3c2a-57c1-4d1e-9a35-2b1f0f4a8e77',
    userId: 'user-42',
    timestamp: new Date('2025-01-15T10:20:30.000Z'),
    context: {
      page: {
        url: `${SHOP}/thank-you?order=BENCH-1`,
        path: '/thank-you',
        referrer: `${SHOP}/cart`,
        title: 'Thank you',
        search: '?order=BENCH-1',
      },
      userAgent: USER_AGENT,
      library: { name: 'analytics.js', version: 'next-1.84.3' },
    },
    properties: {
      ...SEGMENT_ORDER_COMPLETED,
      products: Array.from({ length: products }, (_, i) => ({
        ...example[i % example.length]!,
        sku: `45790-${32 + i}`,
      })),
    },
  }
}

function pageEvent(): SegmentEvent {
  const url = `${SHOP}/?irclickid=BenchClick-1a2b3c&utm_source=partner`
  return {
    type: 'page',
    name: 'Home',
    messageId: 'ajs-next-1700000000001-0d7b5a8e-2f3c-4e5d-9b1a-6c7d8e9f0a1b',
    anonymousId: '6f0e3c2a-57c1-4d1e-9a35-2b1f0f4a8e77',
    timestamp: new Date('2025-01-15T10:20:30.000Z'),
    properties: {
      url,
      path: '/',
      referrer: 'https://partner.example.net/post',
      title: 'Home',
      search: '?irclickid=BenchClick-1a2b3c&utm_source=partner',
    },
    context: {
      page: {
        url,
        path: '/',
        referrer: 'https://partner.example.net/post',
        title: 'Home',
        search: '?irclickid=BenchClick-1a2b3c',
      },
      userAgent: USER_AGENT,
    },
  }
}

/**
 * Times `call` for `seconds` after a warm-up, in batches long enough (about 50 µs) that the
 * clock's own cost does not matter; each sample is a batch's time divided by its calls.
 */
function timeCalls(name: string, call: () => number, seconds: number): MappingRow {
  let sink = 0
  const warmUntil = performance.now() + 300
  let warmCalls = 0
  while (performance.now() < warmUntil) {
    for (let i = 0; i < 100; i++) sink += call()
    warmCalls += 100
  }
  const perCallNs = (300 * 1e6) / warmCalls
  const batch = Math.max(1, Math.ceil(50_000 / perCallNs))
  const samples: number[] = []
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9))
  for (let t = process.hrtime.bigint(); t < end;) {
    for (let i = 0; i < batch; i++) sink += call()
    const next = process.hrtime.bigint()
    samples.push(Number(next - t) / batch / 1000)
    t = next
  }
  const fields = call()
  if (sink <= 0) throw new Error(`${name}: the mapping returned no fields`)
  return {
    name,
    medianUs: median(samples),
    p95Us: percentile(samples, 95),
    calls: samples.length * batch,
    batch,
    fields,
  }
}

/** Times each mapping function for `seconds` after warm-up. */
export function measureMapping(seconds: number): MappingRow[] {
  const settings = resolveSettings({ accountSid: 'IRbench', campaignId: 12345 })
  if (settings instanceof ImpactSettingsError) throw settings
  const identity: Identity = { clickId: 'BenchClick-1a2b3c', customerEmail: '2f3c1f1d2b0b7e9a6c5d4e3f2a1b0c9d8e7f6a5b' }
  const now = Date.now()
  const note = (): void => {}
  const order = orderCompleted(10)
  const page = pageEvent()
  const view: PageView = {
    url: `${SHOP}/?irclickid=BenchClick-1a2b3c&utm_source=partner`,
    referrer: 'https://partner.example.net/post',
    userAgent: USER_AGENT,
  }
  return [
    timeCalls(
      'conversionFields (Order Completed, 10 products)',
      () => Object.keys(conversionFields(order, settings, identity, false, now, note)).length,
      seconds,
    ),
    timeCalls(
      'pageLoadFields (page event)',
      () => Object.keys(pageLoadFields(page, settings, identity, view, now)).length,
      seconds,
    ),
  ]
}

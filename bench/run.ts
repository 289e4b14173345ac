/**
 * `npm run bench`: a benchmark, not a test. It measures, side by side in one run,
 *  1. bundle sizes (min, gzip, brotli) of the CDN bundle and the ESM build, with js-cookie and
 *     analytics-next's UMD build for reference;
 *  2. the cost of the pure mapping functions in Node (median and p95 per call);
 *  3. the plugin's page impact in headless Chromium: analytics-next alone (A) against
 *     analytics-next plus the plugin (B), alternating runs, each in a fresh browser context;
 *  4. requests and CORS preflights per event (page view, identify, Order Completed via the relay).
 * It prints a table and writes bench/results/latest.json plus a timestamped copy. Timings never
 * fail the run; a request to a non-local host does (nothing may reach the internet).
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib'
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from '@playwright/test'
import type { SegmentEvent } from '@segment/analytics-next'
import { rollup } from 'rollup'
import { minify } from 'terser'
import { SEGMENT_ORDER_COMPLETED } from '../demo/segment-order-example'
import { DEMO_ACCOUNT, startDemo, type Demo } from '../demo/server'
import { conversionFields } from '../src/plugin/conversion-fields'
import type { Identity } from '../src/plugin/identity-fields'
import { pageLoadFields, type PageView } from '../src/plugin/page-load-fields'
import { ImpactSettingsError, resolveSettings } from '../src/settings'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const at = (rel: string): string => path.join(root, rel)

/** Runs per variant (A and B) of the page-impact benchmark; `BENCH_RUNS` overrides. */
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 15))
/** Runs per variant done first and discarded (JIT, disk cache and server warm-up). */
const WARMUP_RUNS = 2
/** Seconds each mapping function is timed for, after warm-up; `BENCH_MAP_SECONDS` overrides. */
const MAP_SECONDS = Math.max(0.1, Number(process.env.BENCH_MAP_SECONDS ?? 1))
/** Chromium flags from playwright.config.ts, plus a resolver rule that makes every name but
 *  localhost unresolvable: even a missed guard could not reach the internet. */
const CHROMIUM_ARGS = [
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
]
const WRITE_KEY = 'bench-write-key'

// ---------------------------------------------------------------------------------------------
// Result shapes (what bench/results/*.json holds)

/** Size of one file as shipped and as a browser would download it. */
export interface SizeRow {
  /** What the file is. */
  name: string
  /** Path relative to the repo root. */
  file: string
  /** Bytes on disk (for the ESM build: index.mjs with its shared chunk, unminified). */
  rawBytes: number
  /** Bytes minified (already minified files: as on disk). */
  minBytes: number
  /** Minified, gzip level 9. */
  gzipBytes: number
  /** Minified, brotli quality 11. */
  brotliBytes: number
  /** How the minified text was obtained. */
  note: string
}

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

/** The two page variants: analytics-next alone, and analytics-next with the plugin. */
export type Variant = 'A' | 'B'

/** One page load of the page-impact benchmark. */
export interface RunSample {
  variant: Variant
  /** Order of the run among the measured ones (warm-up runs excluded). */
  index: number
  /** CDP Performance.getMetrics ScriptDuration: JavaScript execution, ms. */
  scriptMs: number
  /** CDP Performance.getMetrics TaskDuration: all main-thread tasks, ms. */
  taskMs: number
  /** CDP ThreadTime: CPU time of the renderer's main thread, ms (steadier than wall time on a busy machine). */
  threadMs: number
  /** CDP JSHeapUsedSize once page() resolved, KiB. */
  heapKiB: number
  /** How long the plugin's <script> slot held the HTML parser (fetch wait + evaluation), ms; A: the empty slot. */
  tagMs: number
  /** performance.now() when analytics.ready() resolved, ms since navigation start. */
  readyMs: number
  /** performance.now() when the first page() call resolved (B: after its PageLoad was sent). */
  pageMs: number
  /** Requests the page made (its scripts, plus B's PageLoad). */
  requests: number
}

/** Medians of one page-impact measure for A and B. */
export interface ImpactRow {
  /** The measure. */
  name: string
  /** Key of the measure in {@link RunSample}. */
  key: 'scriptMs' | 'taskMs' | 'threadMs' | 'tagMs' | 'readyMs' | 'pageMs' | 'heapKiB' | 'requests'
  /** Median of A (analytics-next alone). */
  a: number
  /** Median of B (analytics-next with the plugin). */
  b: number
  /** b - a. */
  added: number
  /** b / a. */
  ratio: number
  /** Interquartile range (p75 - p25) of A: run-to-run noise; a smaller |added| is within it. */
  aIqr: number
  /** Interquartile range of B. */
  bIqr: number
}

/** The network traffic one analytics call caused, as the browser saw it. */
export interface EventTraffic {
  /** The call. */
  event: string
  /** Requests to anything but the page's own origin (Impact, the relay), from page.on('request'). */
  requests: number
  /** OPTIONS requests seen by CDP Network.requestWillBeSent (Playwright's request event omits them). */
  preflights: number
  /** OPTIONS requests among page.on('request') events (as asked; Chromium 156 never reports them there). */
  preflightsViaPlaywright: number
  /** Requests the fake Impact logged for this call (after the relay, for conversions). */
  impactReceived: number
  /** Of those, the ones it judged valid against Impact's OpenAPI files and rules. */
  impactValid: number
  /** `METHOD url` of every counted request. */
  urls: string[]
}

/** Everything one `npm run bench` measured. */
export interface BenchResult {
  createdAt: string
  environment: {
    node: string
    chromium: string
    platform: string
    cpus: number
    cpuModel: string
    /** 1-minute load average at the start and at the end of the run (other work skews timings). */
    loadAverage: [number, number]
  }
  config: { runsPerVariant: number; warmupRunsPerVariant: number; mappingSeconds: number }
  sizes: SizeRow[]
  mapping: MappingRow[]
  pageImpact: { summary: ImpactRow[]; runs: RunSample[] }
  requests: {
    events: EventTraffic[]
    /** A deliberately preflighted fetch, proving the preflight counter sees preflights. */
    preflightSelfCheck: { expected: number; seen: number }
  }
  durationSeconds: number
}

// ---------------------------------------------------------------------------------------------
// Statistics

/** The p-th percentile (0 to 100) of `values`, linearly interpolated; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((x, y) => x - y)
  const rank = (p / 100) * (sorted.length - 1)
  const lo = Math.floor(rank)
  const hi = Math.ceil(rank)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo)
}

/** The median of `values`; NaN when empty. */
export const median = (values: readonly number[]): number => percentile(values, 50)

// ---------------------------------------------------------------------------------------------
// 1. Size

function compressed(min: Buffer): { gzipBytes: number; brotliBytes: number } {
  return {
    gzipBytes: gzipSync(min, { level: 9 }).length,
    brotliBytes: brotliCompressSync(min, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: 11,
        [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
        [zlib.BROTLI_PARAM_SIZE_HINT]: min.length,
      },
    }).length,
  }
}

async function asShipped(name: string, file: string): Promise<SizeRow> {
  const min = await readFile(at(file))
  return { name, file, rawBytes: min.length, minBytes: min.length, ...compressed(min), note: 'minified as shipped' }
}

/** dist/index.mjs with its shared chunk, bundled (js-cookie external) and minified like the CDN bundle. */
async function esmSize(): Promise<SizeRow> {
  const file = 'dist/index.mjs'
  const bundle = await rollup({ input: at(file), external: ['js-cookie'], logLevel: 'silent' })
  const { output } = await bundle.generate({ format: 'es' })
  await bundle.close()
  const code = output.map((chunk) => (chunk.type === 'chunk' ? chunk.code : '')).join('\n')
  const min = await minify(code, { ecma: 2020, module: true, compress: { passes: 3 }, format: { comments: false } })
  const minBuffer = Buffer.from(min.code ?? '')
  return {
    name: 'ESM build (js-cookie external)',
    file,
    rawBytes: Buffer.byteLength(code),
    minBytes: minBuffer.length,
    ...compressed(minBuffer),
    note: 'index.mjs + shared chunk, minified here with terser (CDN bundle options)',
  }
}

async function measureSizes(): Promise<SizeRow[]> {
  return [
    await asShipped('CDN bundle (IIFE, js-cookie inside)', 'dist/impact-partnership-cloud.min.js'),
    await esmSize(),
    await asShipped('js-cookie alone (reference)', 'node_modules/js-cookie/dist/js.cookie.min.js'),
    {
      ...(await asShipped(
        'analytics-next UMD index.js (reference)',
        'node_modules/@segment/analytics-next/dist/umd/index.js',
      )),
      note: 'minified as shipped; entry only, its lazy chunks not counted',
    },
  ]
}

// ---------------------------------------------------------------------------------------------
// 2. Mapping cost in Node

const SHOP = 'https://shop.example.com'

function orderCompleted(products: number): SegmentEvent {
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
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
      library: { name: 'analytics.js', version: 'next-1.84.3' },
    },
    properties: {
      checkout_id: 'fksdjfsdjfisjf9sdfjsd9f',
      order_id: 'BENCH-ORDER-1',
      affiliation: 'Google Store',
      total: 327.5,
      subtotal: 322.5,
      revenue: 325.0,
      shipping: 3,
      tax: 2,
      discount: 2.5,
      coupon: 'hasbros',
      currency: 'usd',
      products: Array.from({ length: products }, (_, i) => ({
        product_id: `507f1f77bcf86cd7994390${10 + i}`,
        sku: `45790-${32 + i}`,
        name: `Board Game ${i + 1}: Deluxe Edition`,
        price: 19 + i * 1.25,
        quantity: 1 + (i % 3),
        category: 'Games',
        brand: 'Acme',
        ...(i % 4 === 0 ? { coupon: 'SPRING' } : {}),
        url: `${SHOP}/product/${i}`,
        image_url: `${SHOP}/product/${i}.jpg`,
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
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
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

function measureMapping(): MappingRow[] {
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
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  }
  return [
    timeCalls(
      'conversionFields (Order Completed, 10 products)',
      () => Object.keys(conversionFields(order, settings, identity, false, now, note)).length,
      MAP_SECONDS,
    ),
    timeCalls(
      'pageLoadFields (page event)',
      () => Object.keys(pageLoadFields(page, settings, identity, view, now)).length,
      MAP_SECONDS,
    ),
  ]
}

// ---------------------------------------------------------------------------------------------
// Bench pages: a tiny server of our own for pages A and B, with the same files as the demo.

interface BenchServer {
  url: string
  /** The script that runs before analytics-next: `_cdn` and the plugin's settings. */
  setConfig(settings: Record<string, unknown>): void
  close(): Promise<void>
}

const UMD_DIR = 'node_modules/@segment/analytics-next/dist/umd/'
const PLUGIN_TAG = '<script src="/dist/impact-partnership-cloud.min.js"></script>'

async function startBenchServer(): Promise<BenchServer> {
  const template = await readFile(at('bench/pages/bench.html'), 'utf8')
  if (!template.includes('<!--PLUGIN-->')) throw new Error('bench/pages/bench.html lost its <!--PLUGIN--> marker')
  const html: Record<string, string> = {
    '/a': template.replace('<!--PLUGIN-->', ''),
    '/b': template.replace('<!--PLUGIN-->', PLUGIN_TAG),
  }
  // Files are read once and served from memory, so disk reads add no noise to the timings.
  const cache = new Map<string, Promise<Buffer | undefined>>()
  const load = (rel: string): Promise<Buffer | undefined> => {
    let hit = cache.get(rel)
    if (!hit) cache.set(rel, (hit = readFile(at(rel)).catch(() => undefined)))
    return hit
  }
  let config = ''
  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer): void => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
    res.end(body)
  }
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const { pathname } = new URL(req.url ?? '/', 'http://bench')
    const page = html[pathname]
    if (page) return send(res, 200, 'text/html; charset=utf-8', page)
    if (pathname === '/bench-config.js') return send(res, 200, 'text/javascript; charset=utf-8', config)
    let rel: string | undefined
    // analytics-next asks `<_cdn>/analytics-next/bundles/<chunk>` for its lazy chunks.
    const umd = /^\/analytics-next\/(?:bundles\/)?([\w.-]+\.js)$/.exec(pathname)?.[1]
    if (umd) rel = UMD_DIR + umd
    if (pathname === '/dist/impact-partnership-cloud.min.js') rel = 'dist/impact-partnership-cloud.min.js'
    if (!rel) return send(res, 404, 'text/plain', 'not found')
    void load(rel).then((body) =>
      body ? send(res, 200, 'text/javascript; charset=utf-8', body) : send(res, 404, 'text/plain', 'not found'),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    setConfig(settings) {
      config =
        `window.analytics = { _cdn: location.origin };\n` +
        `window.BENCH = ${JSON.stringify({ writeKey: WRITE_KEY, settings })};\n`
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

// ---------------------------------------------------------------------------------------------
// The internet guard

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])
const foreign: string[] = []

function checkLocal(url: string): void {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return
  }
  if (/^(?:https?|wss?):$/.test(parsed.protocol) && !LOCAL_HOSTS.has(parsed.hostname)) foreign.push(url)
}

function guard(context: BrowserContext): void {
  context.on('request', (request) => checkLocal(request.url()))
}

/** Throws (and so fails the whole run, loudly) once any request to a non-local host was seen. */
function assertLocalOnly(): void {
  if (foreign.length === 0) return
  const list = [...new Set(foreign)].map((u) => `  ${u}`).join('\n')
  throw new Error(`BENCH ABORTED: the browser asked for a non-local host (nothing may reach the internet):\n${list}`)
}

// ---------------------------------------------------------------------------------------------
// 3. Page impact

interface Done {
  plugin: boolean
  tagMs: number
  readyMs: number
  pageMs: number
}

/** Resolves with what the bench page logs once analytics.ready() and its page() settled. */
async function benchDone(page: Page): Promise<Done> {
  const message = await page.waitForEvent('console', {
    predicate: (m) => m.text().startsWith('bench:'),
    timeout: 20_000,
  })
  const text = message.text()
  if (!text.startsWith('bench:done ')) throw new Error(`bench page failed: ${text}`)
  return JSON.parse(text.slice('bench:done '.length)) as Done
}

async function pageRun(browser: Browser, base: string, variant: Variant, index: number): Promise<RunSample> {
  const context = await browser.newContext()
  guard(context)
  try {
    const page = await context.newPage()
    let requests = 0
    page.on('request', () => requests++)
    const cdp = await context.newCDPSession(page)
    await cdp.send('Performance.enable')
    const done = benchDone(page)
    done.catch(() => {}) // a failed goto below is the error to report, not this wait's
    await page.goto(`${base}/${variant.toLowerCase()}`)
    const result = await done
    if (result.plugin !== (variant === 'B')) throw new Error(`page ${variant} ran with plugin=${result.plugin}`)
    const { metrics } = await cdp.send('Performance.getMetrics')
    const value = (name: string): number => metrics.find((m) => m.name === name)?.value ?? NaN
    const metric = (name: string): number => value(name) * 1000
    return {
      variant,
      index,
      scriptMs: metric('ScriptDuration'),
      taskMs: metric('TaskDuration'),
      threadMs: metric('ThreadTime'),
      heapKiB: value('JSHeapUsedSize') / 1024,
      tagMs: result.tagMs,
      readyMs: result.readyMs,
      pageMs: result.pageMs,
      requests,
    }
  } finally {
    await context.close()
  }
}

const IMPACT_MEASURES: ReadonlyArray<[ImpactRow['key'], string]> = [
  ['scriptMs', 'script evaluation (CDP ScriptDuration), ms'],
  ['taskMs', 'main-thread tasks (CDP TaskDuration), ms'],
  ['threadMs', 'main-thread CPU time (CDP ThreadTime), ms'],
  ['tagMs', 'plugin <script> tag, parser blocked, ms'],
  ['readyMs', 'time to analytics.ready(), ms'],
  ['pageMs', 'time to first page() resolved, ms'],
  ['heapKiB', 'JS heap used after page(), KiB'],
  ['requests', 'requests per page load'],
]

async function measurePageImpact(browser: Browser, base: string): Promise<BenchResult['pageImpact']> {
  for (let i = 0; i < WARMUP_RUNS; i++) {
    await pageRun(browser, base, 'A', -1)
    await pageRun(browser, base, 'B', -1)
  }
  const runs: RunSample[] = []
  for (let i = 0; i < RUNS; i++) {
    runs.push(await pageRun(browser, base, 'A', i))
    runs.push(await pageRun(browser, base, 'B', i))
    assertLocalOnly()
  }
  const summary = IMPACT_MEASURES.map(([key, name]): ImpactRow => {
    const as = runs.filter((r) => r.variant === 'A').map((r) => r[key])
    const bs = runs.filter((r) => r.variant === 'B').map((r) => r[key])
    const [a, b] = [median(as), median(bs)]
    const iqr = (v: number[]): number => percentile(v, 75) - percentile(v, 25)
    return { name, key, a, b, added: b - a, ratio: b / a, aIqr: iqr(as), bIqr: iqr(bs) }
  })
  return { summary, runs }
}

// ---------------------------------------------------------------------------------------------
// 4. Requests and preflights per event

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Counts what the page sends beyond its own origin, and every preflight CDP reports. */
class TrafficCounter {
  readonly requests: string[] = []
  readonly playwrightPreflights: string[] = []
  readonly preflights: string[] = []

  constructor(page: Page, cdp: CDPSession, ownOrigin: string) {
    page.on('request', (request) => {
      const line = `${request.method()} ${request.url()}`
      if (request.method() === 'OPTIONS') this.playwrightPreflights.push(line)
      else if (new URL(request.url()).origin !== ownOrigin) this.requests.push(line)
    })
    cdp.on('Network.requestWillBeSent', (event) => {
      checkLocal(event.request.url)
      if (event.request.method === 'OPTIONS') this.preflights.push(`OPTIONS ${event.request.url}`)
    })
  }

  mark(): [number, number, number] {
    return [this.requests.length, this.preflights.length, this.playwrightPreflights.length]
  }
}

async function measureRequests(browser: Browser, base: string, demo: Demo): Promise<BenchResult['requests']> {
  const context = await browser.newContext()
  guard(context)
  try {
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    const counter = new TrafficCounter(page, cdp, base)
    demo.impact.reset()
    const events: EventTraffic[] = []

    /** Runs `action`, lets late requests land, and records what happened since it started. */
    const step = async (event: string, action: () => Promise<unknown>): Promise<void> => {
      const [r0, p0, q0] = counter.mark()
      const logged0 = demo.impact.entries().length
      await action()
      await sleep(400)
      const logged = demo.impact
        .entries()
        .slice(logged0)
        .filter((e) => e.endpoint !== 'preflight')
      events.push({
        event,
        requests: counter.requests.length - r0,
        preflights: counter.preflights.length - p0,
        preflightsViaPlaywright: counter.playwrightPreflights.length - q0,
        impactReceived: logged.length,
        impactValid: logged.filter((e) => e.valid).length,
        urls: [...counter.requests.slice(r0), ...counter.preflights.slice(p0)],
      })
    }

    await step('page view (unique click)', async () => {
      const done = benchDone(page)
      done.catch(() => {})
      await page.goto(`${base}/b?irclickid=BenchClick-1a2b3c`)
      await done
    })
    await step('identify (with email)', () =>
      page.evaluate(() => {
        const analytics = (
          window as unknown as { benchAnalytics: { identify(id: string, traits: object): Promise<unknown> } }
        ).benchAnalytics
        return analytics.identify('bench-user-42', { email: 'Bench.User@Example.com' }).then(() => true)
      }),
    )
    await step('Order Completed (via demo relay)', () =>
      page.evaluate((order) => {
        const analytics = (
          window as unknown as { benchAnalytics: { track(name: string, props: object): Promise<unknown> } }
        ).benchAnalytics
        return analytics
          .track('Order Completed', { ...order, order_id: `BENCH-${Date.now().toString(36).toUpperCase()}` })
          .then(() => true)
      }, SEGMENT_ORDER_COMPLETED),
    )

    // Self-check: a JSON-typed keepalive fetch must be preflighted; the counter has to see it.
    const [, before] = counter.mark()
    await page.evaluate(
      (url) =>
        fetch(`${url}/__log`, { keepalive: true, headers: { 'content-type': 'application/json' } }).then(
          (r) => r.status,
          () => 0,
        ),
      demo.impact.url,
    )
    await sleep(200)
    const preflightSelfCheck = { expected: 1, seen: counter.preflights.length - before }
    return { events, preflightSelfCheck }
  } finally {
    await context.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length))
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s)
const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a')
const signed = (n: number, digits = 1): string => (n >= 0 ? '+' : '') + fmt(n, digits)

function table(headers: string[], rows: string[][], firstWidth: number): string {
  const widths = headers.map((h, i) =>
    Math.max(i === 0 ? firstWidth : 0, h.length, ...rows.map((r) => (r[i] ?? '').length)),
  )
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? pad(c, widths[0]!) : lpad(c, widths[i]!))).join('  ')
  return [line(headers), ...rows.map(line)].join('\n')
}

/** The printed report of a {@link BenchResult}. */
export function formatReport(r: BenchResult): string {
  const w = 50
  const out: string[] = []
  const e = r.environment
  out.push(
    `analytics-plugin-impact bench · node ${e.node} · Chromium ${e.chromium} · ${e.cpus} CPU (${e.cpuModel}) · ` +
      `load ${fmt(e.loadAverage[0], 2)}→${fmt(e.loadAverage[1], 2)} · ${r.config.runsPerVariant} A/B runs ` +
      `(+${r.config.warmupRunsPerVariant} warm-up) · ${fmt(r.durationSeconds, 0)} s`,
    '',
  )
  out.push(
    table(
      ['Size (bytes)', 'raw', 'min', 'gzip', 'brotli'],
      r.sizes.map((s) => [s.name, String(s.rawBytes), String(s.minBytes), String(s.gzipBytes), String(s.brotliBytes)]),
      w,
    ),
    '',
  )
  out.push(
    table(
      ['Mapping in Node, warm (µs per call)', 'median', 'p95', 'calls', 'fields'],
      r.mapping.map((m) => [m.name, fmt(m.medianUs, 2), fmt(m.p95Us, 2), String(m.calls), String(m.fields)]),
      w,
    ),
    '',
  )
  out.push(
    table(
      ['Page impact, headless Chromium (medians)', 'A: AJS', 'B: +plugin', 'B−A', 'B/A', 'IQR A|B'],
      r.pageImpact.summary.map((s) => [
        s.name,
        fmt(s.a),
        fmt(s.b),
        signed(s.added),
        s.key === 'tagMs' ? '—' : fmt(s.ratio, 2) + '×',
        `${fmt(s.aIqr)}|${fmt(s.bIqr)}`,
      ]),
      w,
    ),
    '',
  )
  out.push(
    table(
      ['Per event, from the browser', 'requests', 'preflights', 'Impact got', 'valid'],
      r.requests.events.map((t) => [
        t.event,
        String(t.requests),
        String(t.preflights),
        String(t.impactReceived),
        String(t.impactValid),
      ]),
      w,
    ),
  )
  const check = r.requests.preflightSelfCheck
  out.push(
    `(preflights counted with CDP Network events; Playwright's request event shows ` +
      `${r.requests.events.reduce((n, t) => n + t.preflightsViaPlaywright, 0)}. Self-check: a forced preflight was ` +
      `${check.seen === check.expected ? 'seen' : `NOT seen (${check.seen}/${check.expected}), so preflight counts are unreliable`})`,
  )
  return out.join('\n')
}

// ---------------------------------------------------------------------------------------------
// Main

/** Runs every measurement, prints the report and writes bench/results/latest.json and a dated copy. */
export async function runBench(): Promise<BenchResult> {
  const started = performance.now()
  const loadAtStart = os.loadavg()[0] ?? NaN
  const createdAt = new Date().toISOString()
  console.log('bench: sizes…')
  const sizes = await measureSizes()
  console.log('bench: mapping in Node…')
  const mapping = measureMapping()

  const executablePath =
    process.env.CHROMIUM_PATH ?? ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p))
  if (!executablePath) throw new Error('no Chromium found (set CHROMIUM_PATH); never download one')
  const bench = await startBenchServer()
  let demo: Demo | undefined
  let browser: Browser | undefined
  try {
    // Free ports for the demo and its fake Impact; the relay also accepts the bench pages' origin.
    demo = await startDemo(0, 0, [bench.url])
    bench.setConfig({
      accountSid: DEMO_ACCOUNT.accountSid,
      campaignId: DEMO_ACCOUNT.campaignId,
      pageLoadEndpoint: `${demo.impact.url}/PageLoad`,
      conversionEndpoint: `${demo.url}/impact/conversions`,
      enablePageEvents: true,
      enableIdentifyEvents: true,
    })
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS })
    console.log(`bench: page impact, ${RUNS} runs each of A and B…`)
    const pageImpact = await measurePageImpact(browser, bench.url)
    console.log('bench: requests per event…')
    const requests = await measureRequests(browser, bench.url, demo)
    assertLocalOnly()

    const result: BenchResult = {
      createdAt,
      environment: {
        node: process.version,
        chromium: browser.version(),
        platform: `${os.platform()} ${os.arch()}`,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
        loadAverage: [loadAtStart, os.loadavg()[0] ?? NaN],
      },
      config: { runsPerVariant: RUNS, warmupRunsPerVariant: WARMUP_RUNS, mappingSeconds: MAP_SECONDS },
      sizes,
      mapping,
      pageImpact,
      requests,
      durationSeconds: (performance.now() - started) / 1000,
    }
    const dir = at('bench/results')
    await mkdir(dir, { recursive: true })
    const json = JSON.stringify(result, null, 2) + '\n'
    const dated = path.join(dir, `bench-${createdAt.replace(/[:.]/g, '-')}.json`)
    await writeFile(path.join(dir, 'latest.json'), json)
    await writeFile(dated, json)
    console.log('\n' + formatReport(result))
    console.log(`\nJSON: ${path.relative(root, path.join(dir, 'latest.json'))} (copy: ${path.relative(root, dated)})`)
    return result
  } finally {
    await browser?.close()
    await demo?.close()
    await bench.close()
  }
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  runBench().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error)
      process.exit(1)
    },
  )
}

/**
 * The demo shop: `npm run demo`. One Node process serves
 *  - the shop pages (demo/pages, in the layout of demo/layout.ts) running real analytics-next from
 *    node_modules and the plugin's CDN bundle from dist/, with no request leaving this machine;
 *  - the real relay on /impact/conversions and /impact/pageload: the shop runs in first-party mode,
 *    so the browser talks to this origin only and the click cookie is set by this server;
 *  - a strict fake Impact (PageLoad + Conversions) on its own port, where the relay forwards; its
 *    log, which the page's panel shows, is also readable here under /fake-impact/ (same origin).
 */
import './package-version'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { build } from 'esbuild'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createImpactRelay, toNodeListener } from '../src/relay/index'
import { startFakeImpact, type RunningFakeImpact } from './fake-impact/index'
import { PAGES, renderPage } from './layout'
import { SEGMENT_ORDER_COMPLETED } from './segment-order-example'
import { serveSnippet } from './segment-snippet'
import { createShopBackend, DEMO_EVENT_TYPE_ID } from './shop-backend'

/** Demo credentials: fake, only meaningful to the fake Impact. */
export const DEMO_ACCOUNT = { accountSid: 'IRdemoAccountSid1', authToken: 'demo-token-not-a-secret', campaignId: 12345 }

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const files: Record<string, string> = {
  '/analytics-next/': 'node_modules/@segment/analytics-next/dist/umd/',
  '/dist/': 'dist/',
  '/': 'demo/public/',
}
const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
}

/** A running demo. */
export interface Demo {
  url: string
  impact: RunningFakeImpact
  close(): Promise<void>
}

/**
 * Starts the demo on `port` (0: any), the fake Impact on `impactPort`. `extraOrigins` are further
 * origins the relay accepts (e.g. `http://www.shop.example.test:4173` in the subdomain tests).
 * `pages` are further HTML pages by path (the bench's), served beside the shop's own files.
 */
export async function startDemo(
  port: number,
  impactPort: number,
  extraOrigins: string[] = [],
  pages: Record<string, string> = {},
  consent: ConsentMode = 'off',
): Promise<Demo> {
  const impact = await startFakeImpact({ ...DEMO_ACCOUNT, port: impactPort, host: '127.0.0.1' })
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const actualPort = (server.address() as { port: number }).port
  /** The relay as the shop configured it; the e2e tests reconfigure it through /__demo/relay. */
  const relayFor = (campaignIds: Array<string | number>) =>
    toNodeListener(
      createImpactRelay({
        accountSid: DEMO_ACCOUNT.accountSid,
        authToken: DEMO_ACCOUNT.authToken,
        campaignIds,
        allowedOrigins: [`http://127.0.0.1:${actualPort}`, `http://localhost:${actualPort}`, ...extraOrigins],
        impactBaseUrl: impact.url,
        impactPageLoadUrl: `${impact.url}/PageLoad`,
        // The demo shop keeps no order store, so it vouches for every sale; a real shop checks each
        // one against its orders (docs/relay.md, "Forged sales").
        verifyConversion: () => true,
      }),
    )
  let relay = relayFor([DEMO_ACCOUNT.campaignId])
  const backend = createShopBackend(DEMO_ACCOUNT, impact.url)
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://demo')
    if (url.pathname.startsWith('/api/'))
      return void backend(req, res, url.pathname).then(
        (served) => served || notFound(res),
        () => res.writeHead(500).end(),
      )
    if (url.pathname === '/impact/conversions' || url.pathname === '/impact/pageload') return relay(req, res)
    // A misconfigured relay, for the tests: `POST /__demo/relay?campaignIds=1,2` (none: the shop's own).
    if (url.pathname === '/__demo/relay' && req.method === 'POST') {
      const ids = url.searchParams.get('campaignIds')
      relay = relayFor(ids ? ids.split(',') : [DEMO_ACCOUNT.campaignId])
      return void res.writeHead(204).end()
    }
    // Another site framing a shop page in a hidden 1x1 frame, for the tests: `/__demo/frame?src=URL`
    // (served on localhost, a different site from 127.0.0.1).
    if (url.pathname === '/__demo/frame') return html(res, framingPage(url.searchParams.get('src') ?? ''))
    if (url.pathname.startsWith(`${PANEL_BASE}/__`)) {
      // The panel reads the fake's log through the shop's own origin, like everything else here.
      req.url = url.pathname.slice(PANEL_BASE.length) + url.search
      return impact.listener(req, res)
    }
    if (url.pathname === '/config.js') return config(res, consentMode(req, consent))
    if (url.pathname === '/consent-tools.js') return void serveConsentTools(res)
    if (serveSnippet(url.pathname, res, `127.0.0.1:${actualPort}`, path.join(root, files['/analytics-next/']!))) return
    const extra = pages[url.pathname]
    if (extra !== undefined) return html(res, extra)
    void serveFile(url.pathname, res, consentMode(req, consent))
  })
  return { url: `http://127.0.0.1:${actualPort}`, impact, close: () => closeBoth(server, impact) }
}

/** A page that frames `src` (an http(s) URL) in a hidden 1x1 frame: click stuffing, or an embed. */
function framingPage(src: string): string {
  const safe = /^https?:\/\//.test(src) ? src.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`) : 'about:blank'
  return `<!doctype html><title>Framing page</title><iframe width="1" height="1" src="${safe}"></iframe>`
}

/** Where the panel reads the fake Impact's control routes (`/__log`, `/__reset`) on the shop's origin. */
const PANEL_BASE = '/fake-impact'

/**
 * The shop's consent setup. A `demo_consent_mode` cookie overrides the server's default for one
 * browser (the e2e tests use it).
 * - `off`: no banner, no consent gating.
 * - `banner` (the demo's default): a OneTrust-shaped platform in its opt-out model, wrapped as
 *   Segment's OneTrust wrapper does: every event reports every group, advertising (C0004) `false`
 *   until Accept. The plugin gates on `consentCategories: ['C0004']`.
 * - `send-without-consent`: the same, with the plugin's sendWithoutConsent.
 * - `opt-in-cdn`: the same platform in its opt-in model, the categories from the CDN settings
 *   (Segment's consent management on; the plugin has no consentCategories).
 * - `uncategorized`: the `banner` platform, but no category known to the plugin (fails closed).
 * - `custom-banner`: a hand-wired banner that reports `{}` until the visitor answers, gated on
 *   `consentCategories: ['Advertising']`.
 */
export type ConsentMode = 'off' | 'banner' | 'send-without-consent' | 'opt-in-cdn' | 'uncategorized' | 'custom-banner'
const CONSENT_MODES: readonly ConsentMode[] = [
  'off',
  'banner',
  'send-without-consent',
  'opt-in-cdn',
  'uncategorized',
  'custom-banner',
]

function consentMode(req: IncomingMessage, fallback: ConsentMode): ConsentMode {
  const chosen = /(?:^|;\s*)demo_consent_mode=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1]
  return CONSENT_MODES.find((m) => m === chosen) ?? fallback
}

/** How a consent mode sets up the page: its consent platform, plugin settings and CDN settings. */
interface ConsentSetup {
  /** Which consent platform script the page loads, and its consent model; none: no banner. */
  consent?: { style: 'onetrust' | 'custom'; model: 'opt-out' | 'opt-in' }
  settings?: Record<string, unknown>
  cdnSettings?: Record<string, unknown>
}

const PLUGIN_NAME = 'Impact Partnership Cloud'
const ONETRUST = { style: 'onetrust', model: 'opt-out' } as const
const CONSENT_SETUPS: Record<ConsentMode, ConsentSetup> = {
  off: {},
  banner: { consent: ONETRUST, settings: { consentCategories: ['C0004'] } },
  'send-without-consent': { consent: ONETRUST, settings: { consentCategories: ['C0004'], sendWithoutConsent: true } },
  'opt-in-cdn': {
    consent: { style: 'onetrust', model: 'opt-in' },
    // As Segment's CDN serves them with consent management on: the destination's categories on its
    // entry, and every category in use (Segment.io itself is unmapped, so analytics still loads).
    cdnSettings: {
      integrations: { [PLUGIN_NAME]: { consentSettings: { categories: ['C0004'] } } },
      consentSettings: { allCategories: ['C0002', 'C0004'], hasUnmappedDestinations: true },
    },
  },
  uncategorized: { consent: ONETRUST },
  'custom-banner': { consent: { style: 'custom', model: 'opt-in' }, settings: { consentCategories: ['Advertising'] } },
}

let consentTools: Promise<string> | undefined
/** Segment's consent tools from node_modules, bundled once for the page (global SegmentConsentTools). */
async function serveConsentTools(res: ServerResponse): Promise<void> {
  consentTools ??= build({
    entryPoints: ['@segment/analytics-consent-tools'],
    absWorkingDir: root,
    bundle: true,
    format: 'iife',
    globalName: 'SegmentConsentTools',
    platform: 'browser',
    write: false,
    logLevel: 'error',
  }).then((result) => result.outputFiles[0]!.text)
  res.writeHead(200, { 'content-type': types['.js'], 'cache-control': 'no-store' })
  res.end(await consentTools)
}

/** The page's settings, written where the page can read them before analytics-next loads. */
function config(res: ServerResponse, mode: ConsentMode): void {
  const setup = CONSENT_SETUPS[mode]
  const settings = {
    accountSid: DEMO_ACCOUNT.accountSid,
    campaignId: DEMO_ACCOUNT.campaignId,
    // First-party mode: both go to the relay on this origin, which forwards them to (the fake) Impact.
    conversionEndpoint: '/impact/conversions',
    pageLoadEndpoint: '/impact/pageload',
    enablePageEvents: true,
    enableIdentifyEvents: true,
    // The event type the shop set up in Impact: its actions can then be refunded from the server.
    eventTypeId: DEMO_EVENT_TYPE_ID,
    debug: true,
    ...setup.settings,
  }
  // Inline, so nothing is fetched from Segment's CDN; sampleRate 0 sends no metrics.
  const cdn = setup.cdnSettings ?? {}
  const cdnSettings = {
    ...cdn,
    integrations: { 'Segment.io': { apiKey: 'demo-write-key' }, ...(cdn.integrations as object) },
    metrics: { sampleRate: 0 },
  }
  const demo = { panelUrl: PANEL_BASE, settings, cdnSettings, consent: setup.consent ?? null }
  res.writeHead(200, { 'content-type': types['.js'], 'cache-control': 'no-store' })
  // analytics-next lazy-loads its chunks from `_cdn`: point it at this server, never Segment's CDN.
  res.end(
    `window.analytics = { _cdn: location.origin };\n` +
      `window.DEMO = ${JSON.stringify(demo)};\n` +
      `window.ORDER_EXAMPLE = ${JSON.stringify(SEGMENT_ORDER_COMPLETED)};\n`,
  )
}

async function serveFile(pathname: string, res: ServerResponse, mode: ConsentMode): Promise<void> {
  const page = PAGES[pathname]
  if (page) {
    const fragment = await readFile(path.join(root, 'demo/pages', page.file), 'utf8')
    return html(res, renderPage(page.title, fragment, CONSENT_SETUPS[mode].consent?.style))
  }
  const prefix = Object.keys(files).find((p) => pathname.startsWith(p))
  const rel = prefix ? pathname.slice(prefix.length) : ''
  // analytics-next asks `<_cdn>/analytics-next/bundles/<chunk>` for its lazy chunks.
  const file = path.resolve(root, files[prefix ?? '/'] ?? '', rel.replace(/^bundles\//, ''))
  if (!prefix || !file.startsWith(root + path.sep) || rel.includes('..')) return notFound(res)
  try {
    const body = await readFile(file)
    res.writeHead(200, {
      'content-type': types[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    })
    res.end(body)
  } catch {
    notFound(res)
  }
}

function html(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': types['.html'], 'cache-control': 'no-store' })
  res.end(body)
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain' })
  res.end('not found')
}

function closeBoth(server: Server, impact: RunningFakeImpact): Promise<void> {
  server.closeAllConnections()
  return new Promise<void>((resolve) => server.close(() => resolve())).then(() => impact.close())
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  const port = Number(process.env.PORT ?? 4173)
  const impactPort = Number(process.env.IMPACT_PORT ?? port + 1)
  const extra = (process.env.DEMO_EXTRA_ORIGINS ?? '').split(',').filter(Boolean)
  const consent = CONSENT_MODES.find((m) => m === process.env.DEMO_CONSENT) ?? 'banner'
  startDemo(port, impactPort, extra, {}, consent).then(
    (demo) => {
      console.log(`Demo shop:   ${demo.url}/`)
      console.log(`Fake Impact: ${demo.impact.url} (log: ${demo.impact.url}/__log)`)
      console.log('Click "Arrive from a partner", browse, and buy: the panel shows what Impact received.')
    },
    (error: unknown) => {
      console.error('demo failed to start:', error)
      process.exit(1)
    },
  )
}

/**
 * The relay on the server runtimes shops deploy, from the packed package: Node's http server,
 * Express, Hono, Bun, Deno, Cloudflare's workerd (through Miniflare's API) and Next.js route
 * handlers (built with `next build` without the secrets, then `next start`). Each runs the recipe
 * in test/runtimes/servers (or next-app), the same relay checks go to it over real HTTP, and it
 * forwards to a local strict fake Impact. The runtimes install from test/runtimes' lockfile into a
 * cache folder (test/support/runtimes.ts); nothing here reaches the internet.
 */
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeImpact, type RunningFakeImpact } from '../demo/fake-impact/index'
import { prepareRuntimes, runToEnd, startServer, type RunningServer, type Runtimes } from './support/runtimes'

const ACCOUNT = { accountSid: 'IRruntimeSid1', authToken: 'runtime-token-not-a-secret', campaignId: 4321 }
const SHOP = 'https://shop.example.com'
const CLICK = 'RuntimeClick-1'
/** Tools that call home unless told not to. */
const QUIET = { NEXT_TELEMETRY_DISABLED: '1', DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1' }

let runtimes: Runtimes
let impact: RunningFakeImpact
let secrets: Record<string, string>

beforeAll(async () => {
  runtimes = prepareRuntimes()
  impact = await startFakeImpact({ accountSid: ACCOUNT.accountSid, authToken: ACCOUNT.authToken })
  secrets = {
    IMPACT_ACCOUNT_SID: ACCOUNT.accountSid,
    IMPACT_AUTH_TOKEN: ACCOUNT.authToken,
    IMPACT_CAMPAIGN_ID: String(ACCOUNT.campaignId),
    SHOP_ORIGIN: SHOP,
    IMPACT_BASE_URL: impact.url,
    IMPACT_PAGELOAD_URL: `${impact.url}/PageLoad`,
  }
}, 600_000)
afterAll(async () => {
  await impact?.close()
})

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

const post = (url: string, fields: Record<string, string> | string, origin = SHOP): Promise<Response> =>
  fetch(url, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'RuntimeTest/1' },
    body: typeof fields === 'string' ? fields : new URLSearchParams(fields),
  })

const EVENT_DATE = '2026-12-01T10:00:00.000Z'
const LANDING = {
  CampaignId: String(ACCOUNT.campaignId),
  EventDate: EVENT_DATE,
  PageUrl: `${SHOP}/?irclickid=${CLICK}`,
  ClickId: CLICK,
  CustomProfileId: 'anon-runtime-1',
}
/** A sale as a visitor's browser could send it: the order's id in another case, an inflated amount. */
const SALE = {
  CampaignId: String(ACCOUNT.campaignId),
  EventTypeCode: 'Order Completed',
  EventDate: EVENT_DATE,
  OrderId: ' order-1',
  ClickId: CLICK,
  OrderSubTotalPostDiscount: '99999',
  CurrencyCode: 'USD',
}

/** The same checks on every runtime. */
async function relayChecks(server: RunningServer): Promise<void> {
  impact.reset()
  const conversions = `${server.url}/impact/conversions`
  const pageload = `${server.url}/impact/pageload`
  // A CORS preflight, for an allowed origin.
  const preflight = await fetch(conversions, {
    method: 'OPTIONS',
    headers: { origin: SHOP, 'access-control-request-method': 'POST' },
  })
  expect(preflight.status).toBe(204)
  expect(preflight.headers.get('access-control-allow-origin')).toBe(SHOP)
  // A landing PageLoad, forwarded, its click cookie set by the server.
  const landing = await post(pageload, LANDING)
  expect(landing.status).toBe(200)
  expect(landing.headers.get('set-cookie')).toMatch(new RegExp(`^impact_click_id=${CLICK}; Max-Age=2592000; Path=/`))
  // A conversion: verified against the shop's orders, forwarded with Basic auth and the order's own values.
  const sale = await post(conversions, SALE)
  expect(sale.status).toBe(202)
  const forwarded = impact.entries().filter((e) => e.endpoint === 'Conversions')
  expect(forwarded).toHaveLength(1)
  expect(forwarded[0]).toMatchObject({ valid: true, status: 200, hasAuthorization: true })
  expect(forwarded[0]!.fields).toMatchObject({ OrderId: 'ORDER-1', OrderSubTotalPostDiscount: '25', ClickId: CLICK })
  // A forged sale (no such order), a foreign page, an oversize body, another method: nothing forwarded.
  expect((await post(conversions, { ...SALE, OrderId: 'ORDER-999' })).status).toBe(422)
  expect((await post(conversions, SALE, 'https://evil.example')).status).toBe(403)
  const huge = `${new URLSearchParams(SALE).toString()}&Note=${'n'.repeat(70_000)}`
  expect((await post(conversions, huge)).status).toBe(413)
  expect((await fetch(conversions, { method: 'PUT', headers: { origin: SHOP } })).status).toBe(405)
  expect(impact.entries().filter((e) => e.endpoint === 'Conversions')).toHaveLength(1)
  expect(impact.entries().every((e) => e.valid)).toBe(true)
}

/** How each runtime starts its recipe, in the prepared folder. */
const RUNTIMES: Array<[name: string, start: (port: number) => { command: string; args: string[] }]> = [
  ["Node's http server", () => ({ command: process.execPath, args: ['servers/node-http.mjs'] })],
  ['Express 5', () => ({ command: process.execPath, args: ['servers/express.mjs'] })],
  ['Hono on @hono/node-server', () => ({ command: process.execPath, args: ['servers/hono.mjs'] })],
  ['Bun', () => ({ command: runtimes.bin('bun'), args: ['run', '--no-install', 'servers/bun.ts'] })],
  [
    'Deno',
    () => ({
      command: runtimes.bin('deno'),
      args: ['run', '--allow-net', '--allow-env', '--allow-read', 'servers/deno.ts'],
    }),
  ],
  ["Cloudflare's workerd (Miniflare)", () => ({ command: process.execPath, args: ['servers/workerd.mjs'] })],
]

describe('the relay on the runtimes shops deploy (packed package, real HTTP, strict fake Impact)', () => {
  it.each(RUNTIMES)(
    '%s',
    async (_name, start) => {
      const port = await freePort()
      const server = await startServer({ ...start(port), cwd: runtimes.dir, env: { ...QUIET, ...secrets }, port })
      try {
        await relayChecks(server)
      } catch (error) {
        throw new Error(`${String(error)}\n--- server output ---\n${server.output()}`, { cause: error })
      } finally {
        await server.stop()
      }
    },
    90_000,
  )

  it('Next.js route handlers: `next build` without the secrets, then `next start`', async () => {
    const next = runtimes.bin('next')
    // The build has no secrets (a Docker or CI build): the relay must not be created at load.
    const built = await runToEnd({
      command: next,
      args: ['build', 'next-app'],
      cwd: runtimes.dir,
      env: QUIET,
      timeoutMs: 300_000,
    })
    expect(built).toMatch(/impact\/conversions/)
    const port = await freePort()
    const server = await startServer({
      command: next,
      args: ['start', 'next-app', '-p', String(port), '-H', '127.0.0.1'],
      cwd: runtimes.dir,
      env: { ...QUIET, ...secrets },
      port,
    })
    try {
      await relayChecks(server)
    } finally {
      await server.stop()
    }
  }, 420_000)
})

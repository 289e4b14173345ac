/**
 * Fuzz of the relay over real loopback HTTP, in front of the strict fake Impact: random and
 * malformed methods, paths, headers and bodies, seeded so a failure replays exactly
 * (`FUZZ_SEED=<seed> npx vitest run test/relay-fuzz.test.ts`), bounded in count and time.
 *
 * What the relay owns is the envelope: which requests go on, which parameters, the observed
 * IpAddress and UserAgent, the credentials. So the fuzz starts from valid PageLoads and
 * conversions and attacks everything around their values (unknown, repeated, spoofed or missing
 * parameters, other campaigns, broken encodings, oversize bodies, hostile headers), plus pure
 * noise. It asserts: the relay never answers 5xx and keeps serving; every request it forwards is
 * one the fake judges valid; it forwards exactly when it answers success; and IpAddress is never
 * one the client wrote.
 */
import { request as httpRequest, createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeImpact, type RunningFakeImpact } from '../demo/fake-impact/index'
import { createImpactRelay, toNodeListener } from '../src/relay'
import { close, listen } from './support/impact-stub'

const SEED = Number(process.env.FUZZ_SEED ?? 20261130)
const CASES = 400
const TIME_BUDGET_MS = 20_000
const ACCOUNT = { accountSid: 'IRfuzzSid1', authToken: 'fuzz-token' }
const SHOP = 'https://shop.example.com'

/** Addresses the trusted proxy appends (valid), and addresses clients write to spoof (never forwarded). */
const PROXY_SEEN = ['203.0.113.7', '198.51.100.23', '2001:db8::42']
const SPOOFED = ['6.6.6.6', '10.6.6.6', '2001:db8::666']
const SPOOFED_AGENT = 'Forged-Agent/6.6'

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

type Random = ReturnType<typeof tools>
function tools(next: () => number) {
  const int = (max: number): number => Math.floor(next() * max)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T
  const chance = (p: number): boolean => next() < p
  const text = (length: number, alphabet: string): string =>
    Array.from({ length }, () => alphabet[int(alphabet.length)]).join('')
  return { int, pick, chance, text }
}
const PRINTABLE = ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~'

const CONVERSION: Array<[string, string]> = [
  ['CampaignId', '1234'],
  ['EventTypeCode', 'Order Completed'],
  ['EventDate', '2026-11-30T10:00:00Z'],
  ['OrderId', 'FUZZ-1'],
  ['ClickId', 'FuzzClick-1'],
  ['CustomProfileId', 'a1b2c3d4-0000-4000-8000-000000000000'],
  ['CurrencyCode', 'EUR'],
  ['ItemSku1', 'SKU-1'],
  ['ItemQuantity1', '2'],
  ['ItemSubTotal1', '39.98'],
]
const PAGE_LOAD: Array<[string, string]> = [
  ['CampaignId', '1234'],
  ['EventDate', '2026-11-30T10:00:00Z'],
  ['PageUrl', `${SHOP}/?irclickid=FuzzClick-1`],
  ['ReferringUrl', 'https://partner.example/'],
  ['CustomProfileId', 'a1b2c3d4-0000-4000-8000-000000000000'],
  ['ClickId', 'FuzzClick-1'],
]
const RELAY_REQUIRED = {
  conversions: ['CampaignId', 'OrderId', 'EventDate'],
  pageload: ['CampaignId', 'EventDate', 'PageUrl'],
}

type Fields = Array<[string, string]>
const MUTATIONS: Array<(fields: Fields, r: Random, route: 'conversions' | 'pageload') => Fields> = [
  (f, r) => [
    ...f,
    [
      r.pick(['Evil', '__proto__', 'constructor', 'Authorization', 'ItemSku0', 'Text51', 'ünï', '']),
      r.text(r.int(20), PRINTABLE),
    ],
  ],
  (f, r) => [...f, ['IpAddress', r.pick(SPOOFED)]],
  (f) => [...f, ['UserAgent', SPOOFED_AGENT]],
  (f, r) => [...f, r.pick(f)],
  (f, r, route) => f.filter(([name]) => name !== r.pick(RELAY_REQUIRED[route])),
  (f, r) =>
    f.map(([n, v]): [string, string] =>
      n === 'CampaignId' ? [n, r.pick(['999', '0', '', '1234 ', 'abc', '12345'])] : [n, v],
    ),
  // A plain page view: the click in ClickId only, not in the URL; or a referral: no ClickId at all.
  (f) => f.map(([n, v]): [string, string] => (n === 'PageUrl' ? [n, `${SHOP}/cart`] : [n, v])),
  (f) => f.filter(([name]) => name !== 'ClickId'),
  (f) => [...f].reverse(),
]

/** A body from a valid base with random mutations, possibly broken at the byte level afterwards. */
function mutatedBody(r: Random, route: 'conversions' | 'pageload'): Buffer {
  let fields: Fields = route === 'conversions' ? [...CONVERSION] : [...PAGE_LOAD]
  for (let n = r.int(4); n > 0; n--) fields = r.pick(MUTATIONS)(fields, r, route)
  let body = Buffer.from(new URLSearchParams(fields).toString())
  if (r.chance(0.25)) {
    // Each starts a parameter of its own: corrupting a valid value is the browser's concern, not the relay's.
    const tail = r.pick(['&%zz', '&%E0%A4%A', '&&&', '&=x', '&a', '&%', '&ItemSku1=%FF', '&x=\u00e9'])
    body = Buffer.concat([body, Buffer.from(tail)])
  }
  if (r.chance(0.05)) body = Buffer.concat([body, Buffer.from([0x26, 0xc3, 0x28, 0xff])])
  return body
}

function randomBody(r: Random, route: 'conversions' | 'pageload'): Buffer {
  const kind = r.int(10)
  if (kind < 6) return mutatedBody(r, route === 'conversions' && r.chance(0.1) ? 'pageload' : route)
  if (kind < 7) return Buffer.from(Array.from({ length: r.int(2000) }, () => r.int(256)))
  if (kind < 8) return Buffer.from(r.text(r.int(500), PRINTABLE + '=&%'))
  if (kind < 9) return Buffer.alloc(r.pick([16_385, 20_000, 65_537, 70_000]), 'a')
  return Buffer.alloc(0)
}

interface Case {
  method: string
  path: string
  headers: Record<string, string>
  body: Buffer
}

function randomCase(r: Random): Case {
  const route = r.pick(['conversions', 'pageload'] as const)
  const path = r.chance(0.85)
    ? r.pick([`/impact/${route}`, `/api/impact/${route}/`, `/impact/${route}?x=1`])
    : r.pick([
        '/',
        '/impact',
        '/impact/conversions/x',
        '/impact/%00',
        '//impact//pageload/..',
        '/Impact/PageLoad',
        `/${r.text(8, 'abc%2F.')}`,
      ])
  const method = r.chance(0.85) ? 'POST' : r.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'FOO'])
  const headers: Record<string, string> = {}
  const origin = r.pick([SHOP, SHOP, SHOP, 'https://evil.example', 'null', undefined])
  if (origin) headers.origin = origin
  const type = r.pick([
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded',
    'APPLICATION/X-WWW-FORM-URLENCODED; charset=utf-8',
    'application/json',
    'text/plain',
    'multipart/form-data; boundary=x',
    undefined,
  ])
  if (type) headers['content-type'] = type
  const agent = r.pick(['Mozilla/5.0 (Fuzz)', r.text(r.int(300), PRINTABLE).trim(), undefined])
  if (agent) headers['user-agent'] = agent
  const proxy = r.chance(0.8) ? r.pick(PROXY_SEEN) : r.pick(['garbage', '999.1.1.1', '', 'unknown', '1.2.3.4/8'])
  const written = Array.from({ length: r.int(3) }, () => r.pick([...SPOOFED, 'x', '']))
  if (r.chance(0.9)) headers['x-forwarded-for'] = [...written, proxy].join(r.pick([', ', ',']))
  if (r.chance(0.3)) headers.cookie = `impact_click_id=${r.text(10, 'abc;= ')}`
  if (r.chance(0.1)) headers['access-control-request-method'] = 'POST'
  return { method, path, headers, body: method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : randomBody(r, route) }
}

/** Sends one case over HTTP; resolves to the status (0 when the connection failed). */
function send(base: string, c: Case): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const url = new URL(base)
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: c.method, path: c.path, headers: c.headers },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }))
        res.on('error', () => resolve({ status: res.statusCode ?? 0, body: '' }))
      },
    )
    // The relay may close a connection once it has refused an oversize body: the answer counts.
    req.on('error', () => resolve({ status: 0, body: '' }))
    req.end(c.body)
  })
}

let impact: RunningFakeImpact
const relays: Array<{ name: string; server: Server; url: string }> = []
beforeAll(async () => {
  impact = await startFakeImpact({ ...ACCOUNT, port: 0, host: '127.0.0.1' })
  const common = {
    ...ACCOUNT,
    campaignIds: [1234],
    allowedOrigins: [SHOP],
    impactBaseUrl: impact.url,
    impactPageLoadUrl: `${impact.url}/PageLoad`,
  }
  for (const [name, extra] of [
    ['direct', {}],
    ['behind a proxy', { clientIpHeader: 'x-forwarded-for' }],
  ] as const) {
    const server = createServer(toNodeListener(createImpactRelay({ ...common, ...extra })))
    relays.push({ name, server, url: await listen(server) })
  }
})
afterAll(async () => {
  await Promise.all(relays.map((relay) => close(relay.server)))
  await impact.close()
})

describe('relay fuzz', () => {
  it(`survives ${CASES} random requests and forwards only valid ones (seed ${SEED})`, async () => {
    const r = tools(prng(SEED))
    const started = Date.now()
    const failures: string[] = []
    let successes = 0
    let sent = 0
    for (; sent < CASES && Date.now() - started < TIME_BUDGET_MS; sent++) {
      const relay = relays[sent % relays.length]!
      const c = randomCase(r)
      const answer = await send(relay.url, c)
      const where = `case ${sent} (seed ${SEED}, ${relay.name}): ${c.method} ${c.path}`
      if (answer.status >= 500) failures.push(`${where} answered ${answer.status} ${answer.body}`)
      if (answer.status === 0 && c.body.length <= 16_384) failures.push(`${where}: connection failed`)
      if (answer.status === 202 || (answer.status === 200 && c.path.includes('pageload'))) successes++
    }
    expect(failures).toEqual([])
    expect(sent).toBeGreaterThanOrEqual(100) // the time budget must not hollow the test out

    const forwarded = impact.entries()
    const invalid = forwarded.filter((e) => !e.valid).map((e) => ({ fields: e.fields, errors: e.errors }))
    expect(invalid, `requests the fake judged invalid (seed ${SEED})`).toEqual([])
    expect(forwarded.filter((e) => e.endpoint !== 'PageLoad' && e.endpoint !== 'Conversions')).toEqual([])
    // Forwarded exactly when the relay answered success: nothing slips through a refusal.
    expect(forwarded).toHaveLength(successes)
    expect(successes).toBeGreaterThanOrEqual(10) // enough valid traffic to mean something
    for (const entry of forwarded) {
      expect(['127.0.0.1', ...PROXY_SEEN]).toContain(entry.fields.IpAddress ?? '127.0.0.1')
      expect(entry.fields.UserAgent).not.toBe(SPOOFED_AGENT)
      expect(entry.hasAuthorization).toBe(entry.endpoint === 'Conversions')
    }

    // Still serving, as new.
    const health = await send(relays[0]!.url, {
      method: 'POST',
      path: '/impact/conversions',
      headers: { origin: SHOP, 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(new URLSearchParams(CONVERSION).toString()),
    })
    expect(health.status).toBe(202)
  }, 60_000)
})

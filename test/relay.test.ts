import { createServer, request, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createImpactRelay, toNodeListener, type ImpactRelayOptions } from '../src/relay'

// A tiny stand-in for Impact's Conversions API, over real HTTP: it records what it receives and
// answers whatever the current test sets.
interface Received {
  method: string
  url: string
  headers: IncomingHttpHeaders
  fields: Record<string, string>
}
let received: Received[] = []
let answer: (res: ServerResponse) => void
const upstream: Server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8')
    received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      fields: Object.fromEntries(new URLSearchParams(body)),
    })
    answer(res)
  })
})
const reply =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (res: ServerResponse) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers })
    res.end(text)
  }
const QUEUED = reply(200, { Status: 'QUEUED', QueuedUri: '/Advertisers/X/APISubmissions/1' })

let baseUrl = ''
const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  )
beforeAll(async () => {
  baseUrl = await listen(upstream)
})
afterAll(() => {
  upstream.closeAllConnections()
  upstream.close()
})
beforeEach(() => {
  received = []
  answer = QUEUED
})

const SHOP = 'https://shop.example.com'
const options = (extra: Partial<ImpactRelayOptions> = {}): ImpactRelayOptions => ({
  accountSid: 'IRsid123',
  authToken: 'secret-token',
  campaignIds: [1234, '5678'],
  allowedOrigins: [SHOP],
  impactBaseUrl: baseUrl,
  ...extra,
})
const CONVERSION = {
  CampaignId: '1234',
  EventTypeCode: 'Order Completed',
  EventDate: '2024-05-01T10:00:00.000Z',
  OrderId: 'O-1',
  ClickId: 'abc123',
  ItemSku1: 'SKU-1',
  ItemSubTotal1: '19.99',
  CurrencyCode: 'USD',
}
function post(
  body: string | Uint8Array<ArrayBuffer> | Record<string, string> = CONVERSION,
  headers: Record<string, string> = {},
  init: RequestInit = {},
): Request {
  return new Request(`${SHOP}/impact/conversions`, {
    method: 'POST',
    headers: {
      origin: SHOP,
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'TestBrowser/1.0',
      ...headers,
    },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : new URLSearchParams(body).toString(),
    ...init,
  })
}
const streamOf = (bytes: number) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (let sent = 0; sent < bytes; sent += 1024) controller.enqueue(new TextEncoder().encode('a'.repeat(1024)))
      controller.close()
    },
  })

describe('createImpactRelay', () => {
  it('1. answers preflights for allowed origins only', async () => {
    const relay = createImpactRelay(options())
    const preflight = (origin?: string) =>
      relay(new Request(`${SHOP}/impact/conversions`, { method: 'OPTIONS', headers: origin ? { origin } : {} }))
    const ok = await preflight(SHOP)
    expect(ok.status).toBe(204)
    expect(ok.headers.get('access-control-allow-origin')).toBe(SHOP)
    expect(ok.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS')
    expect(ok.headers.get('access-control-allow-headers')).toBe('content-type')
    expect(ok.headers.get('access-control-max-age')).toBe('600')
    expect(ok.headers.get('vary')).toBe('Origin')
    for (const origin of ['https://evil.example', 'https://shop.example.com.evil.example', 'null', undefined]) {
      const refused = await preflight(origin)
      expect(refused.status).toBe(403)
      expect(refused.headers.get('access-control-allow-origin')).toBeNull()
    }
  })

  it('2. refuses other methods with 405 and Allow', async () => {
    const relay = createImpactRelay(options())
    for (const method of ['GET', 'HEAD', 'PUT', 'DELETE']) {
      const response = await relay(new Request(`${SHOP}/impact/conversions`, { method, headers: { origin: SHOP } }))
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toBe('POST, OPTIONS')
    }
    expect(received).toHaveLength(0)
  })

  it('3. refuses POSTs from other origins, accepts none, and sends CORS headers to allowed ones', async () => {
    const relay = createImpactRelay(options())
    const evil = await relay(post(CONVERSION, { origin: 'https://evil.example' }))
    expect(evil.status).toBe(403)
    expect(evil.headers.get('access-control-allow-origin')).toBeNull()
    expect(received).toHaveLength(0)

    const allowed = await relay(post())
    expect(allowed.status).toBe(202)
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP)
    expect(allowed.headers.get('access-control-expose-headers')).toBe('Retry-After')
    expect(allowed.headers.get('vary')).toBe('Origin')

    const noOrigin = await relay(
      new Request(`${SHOP}/impact/conversions`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(CONVERSION),
      }),
    )
    expect(noOrigin.status).toBe(202)
    expect(noOrigin.headers.get('access-control-allow-origin')).toBeNull()
    expect(received).toHaveLength(2)
  })

  it('4. requires a form content type (parameters allowed)', async () => {
    const relay = createImpactRelay(options())
    for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x']) {
      const response = await relay(post(CONVERSION, { 'content-type': type }))
      expect(response.status).toBe(415)
      expect(response.headers.get('content-type')).toBe('application/json')
      expect((await response.json()).error).toMatch(/application\/x-www-form-urlencoded/)
    }
    const missing = await relay(
      new Request(`${SHOP}/impact/conversions`, {
        method: 'POST',
        headers: { origin: SHOP },
        body: new Blob(['OrderId=1']),
      }),
    )
    expect(missing.status).toBe(415)
    expect(received).toHaveLength(0)
    const charset = await relay(
      post(CONVERSION, { 'content-type': 'Application/X-WWW-Form-URLEncoded; charset=UTF-8' }),
    )
    expect(charset.status).toBe(202)
  })

  it('5. takes conversions up to 64 KiB (an order of 150 lines), refusing more by Content-Length and while reading', async () => {
    const relay = createImpactRelay(options())
    const declared = await relay(post(`OrderId=${'x'.repeat(66_000)}`))
    expect(declared.status).toBe(413)
    const lying = await relay(
      post('', { 'content-length': '10' }, { body: streamOf(70_000), duplex: 'half' } as RequestInit),
    )
    expect(lying.status).toBe(413)
    const undeclared = await relay(post('', {}, { body: streamOf(65_537), duplex: 'half' } as RequestInit))
    expect(undeclared.status).toBe(413)
    expect((await undeclared.json()).error).toMatch(/65536 bytes/)
    expect(received).toHaveLength(0)

    const order: Record<string, string> = { ...CONVERSION }
    for (let i = 1; i <= 150; i++) {
      Object.assign(order, {
        [`ItemSku${i}`]: `SKU-${i}`,
        [`ItemName${i}`]: `Trail tent, two person, line ${i}`,
        [`ItemCategory${i}`]: 'Outdoor > Camping > Tents',
        [`ItemQuantity${i}`]: '1',
        [`ItemSubTotal${i}`]: '19.99',
      })
    }
    const body = new URLSearchParams(order).toString()
    expect(body.length).toBeGreaterThan(16_384)
    expect((await relay(post(body))).status).toBe(202)
    expect(received[0]?.fields.ItemName150).toBe('Trail tent, two person, line 150')
    const atLimit = new URLSearchParams(CONVERSION).toString()
    const filler = 65_536 - atLimit.length - '&Note='.length
    expect((await relay(post(`${atLimit}&Note=${'n'.repeat(filler)}`))).status).toBe(202)
  })

  it('6. parses the form: repeats refused, unknown dropped, IpAddress and UserAgent observed', async () => {
    const relay = createImpactRelay(options({ clientIpHeader: 'X-Forwarded-For' }))
    const repeated = await relay(post('CampaignId=1234&OrderId=1&OrderId=2&EventDate=x'))
    expect(repeated.status).toBe(400)
    expect((await repeated.json()).error).toMatch(/"OrderId" appears more than once/)
    const notUtf8 = await relay(post(new Uint8Array([0x4f, 0x3d, 0xff])))
    expect(notUtf8.status).toBe(400)
    expect((await notUtf8.json()).error).toBe('Request body is not valid UTF-8')
    expect(received).toHaveLength(0)

    const sent = {
      ...CONVERSION,
      IpAddress: '6.6.6.6',
      UserAgent: 'Forged',
      Evil: '1',
      __proto__x: 'y',
      ItemSku0: 'bad',
    }
    // The last entry is the one the trusted proxy appended; the first was written by the client.
    const response = await relay(post(sent, { 'x-forwarded-for': '6.6.6.6, 203.0.113.7' }), {
      clientAddress: '10.9.9.9',
    })
    expect(response.status).toBe(202)
    expect(await response.json()).toEqual({
      status: 'queued',
      queuedUri: '/Advertisers/X/APISubmissions/1',
      ignored: ['Evil', '__proto__x', 'ItemSku0'],
    })
    expect(received[0]?.fields).toEqual({ ...CONVERSION, IpAddress: '203.0.113.7', UserAgent: 'TestBrowser/1.0' })

    // Without a trusted header: the connection address (IPv4-mapped form normalised).
    const direct = createImpactRelay(options())
    await direct(post(sent), { clientAddress: '::ffff:198.51.100.2' })
    expect(received[1]?.fields.IpAddress).toBe('198.51.100.2')
    // Unknown address and no User-Agent: both left out, never the client's claims.
    await direct(
      new Request(`${SHOP}/impact/conversions`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(sent),
      }),
    )
    expect(received[2]?.fields).toEqual(CONVERSION)
    // A trusted header configured but absent: left out, not the proxy's socket address.
    await relay(post(sent), { clientAddress: '10.9.9.9' })
    expect(received[3]?.fields.IpAddress).toBeUndefined()
  })

  it('7. requires a served CampaignId, an OrderId and an EventDate', async () => {
    const relay = createImpactRelay(options())
    // The relay's own configuration refuses it: 403, so the browser keeps the sale until it is fixed.
    const wrong = await relay(post({ ...CONVERSION, CampaignId: '999' }))
    expect(wrong.status).toBe(403)
    expect((await wrong.json()).error).toBe('CampaignId 999 is not accepted: this relay serves CampaignId 1234, 5678')
    const { CampaignId: _c, ...noCampaign } = CONVERSION
    const missingCampaign = await relay(post(noCampaign))
    expect(missingCampaign.status).toBe(400)
    expect((await missingCampaign.json()).error).toMatch(
      /Missing required parameter: CampaignId.*serves CampaignId 1234, 5678/,
    )
    const { OrderId: _o, EventDate: _e, ...noOrder } = CONVERSION
    const missing = await relay(post({ ...noOrder, OrderId: '' }))
    expect(missing.status).toBe(400)
    expect((await missing.json()).error).toBe('Missing required parameters: OrderId, EventDate')
    expect(received).toHaveLength(0)
    expect((await relay(post({ ...CONVERSION, CampaignId: '5678' }))).status).toBe(202)
  })

  it('8. lets verifyConversion refuse (422) or fail (503) before anything is forwarded', async () => {
    const seen: Array<[Readonly<Record<string, string>>, Request]> = []
    let verdict: () => unknown = () => false
    const relay = createImpactRelay(
      options({
        verifyConversion: (fields, request) => {
          seen.push([fields, request])
          return verdict() as boolean
        },
      }),
    )
    const refused = await relay(post(), { clientAddress: '198.51.100.2' })
    expect(refused.status).toBe(422)
    expect(seen[0]?.[0]).toEqual({ ...CONVERSION, IpAddress: '198.51.100.2', UserAgent: 'TestBrowser/1.0' })
    expect(Object.isFrozen(seen[0]?.[0])).toBe(true)
    expect(seen[0]?.[1].headers.get('origin')).toBe(SHOP)
    verdict = () => undefined // a hook that forgets to return must not let forgeries through
    expect((await relay(post())).status).toBe(422)
    verdict = () => {
      throw new Error('orders database down')
    }
    const failed = await relay(post())
    expect(failed.status).toBe(503)
    expect(received).toHaveLength(0)
    verdict = async () => true
    expect((await relay(post())).status).toBe(202)
    expect(received).toHaveLength(1)
  })

  it('8b. bounds verifyConversion by timeoutMs: a check that never settles answers 503, forwarding nothing', async () => {
    const relay = createImpactRelay(options({ timeoutMs: 150, verifyConversion: () => new Promise<boolean>(() => {}) }))
    const started = Date.now()
    const response = await relay(post())
    expect(response.status).toBe(503)
    expect((await response.json()).error).toMatch(/took too long/)
    expect(Date.now() - started).toBeLessThan(5000)
    expect(received).toHaveLength(0)
  })

  it("8c. verifyConversion may return the order as the shop knows it: its values are forwarded, not the browser's", async () => {
    const orders = new Map([['ORD-77', { id: 'ORD-77', total: 42.5, currency: 'EUR' }]])
    const relay = createImpactRelay(
      options({
        // A lookup that ignores case and spaces, as MySQL's default collations do.
        verifyConversion: (fields) => {
          const order = orders.get(fields.OrderId!.replace(/\s/g, '').toUpperCase())
          return order
            ? { OrderId: order.id, OrderSubTotalPostDiscount: order.total, CurrencyCode: order.currency }
            : false
        },
      }),
    )
    const forged = { ...CONVERSION, OrderId: 'ord-77 ', Amount: '99999', ItemPrice1: '5000', ItemQuantity1: '9' }
    expect((await relay(post(forged))).status).toBe(202)
    for (const variant of ['ORD-77', 'Ord-77', ' ord-77'])
      expect((await relay(post({ ...forged, OrderId: variant }))).status).toBe(202)
    expect(new Set(received.map((r) => r.fields.OrderId))).toEqual(new Set(['ORD-77']))
    const sent = received[0]!.fields
    expect(sent).toMatchObject({
      OrderId: 'ORD-77',
      OrderSubTotalPostDiscount: '42.5',
      CurrencyCode: 'EUR',
      ClickId: 'abc123',
    })
    // Nothing the browser wrote about money or items survives.
    for (const name of ['Amount', 'ItemPrice1', 'ItemQuantity1', 'ItemSku1', 'ItemSubTotal1'])
      expect(sent).not.toHaveProperty(name)
    expect((await relay(post({ ...CONVERSION, OrderId: 'NOPE-1' }))).status).toBe(422)
    expect(received).toHaveLength(4)
  })

  it("8d. verifyConversion returning items replaces the browser's items; a value Impact does not take is the shop's bug: 503", async () => {
    let stated: Record<string, unknown> = { ItemSku1: 'SKU-1', ItemQuantity1: 1, ItemSubTotal1: 19.99 }
    const relay = createImpactRelay(options({ verifyConversion: () => stated as Record<string, string> }))
    const browser = { ...CONVERSION, ItemSku2: 'EXTRA', ItemQuantity2: '5', ItemSubTotal2: '500' }
    expect((await relay(post(browser))).status).toBe(202)
    expect(received[0]!.fields).toMatchObject({ ItemSku1: 'SKU-1', ItemQuantity1: '1', ItemSubTotal1: '19.99' })
    expect(received[0]!.fields).not.toHaveProperty('ItemSku2')
    stated = { OrderId: 'O-1', Bogus: 'x' }
    expect((await relay(post())).status).toBe(503)
    stated = { OrderSubTotalPostDiscount: Number.NaN }
    expect((await relay(post())).status).toBe(503)
    expect(received).toHaveLength(1)
  })

  it('8e. a relay created without verifyConversion warns once, at creation, naming forged sales', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const relay = createImpactRelay(options())
    await relay(post())
    await relay(post())
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]![0])).toMatch(/verifyConversion.*forged sales/)
    warn.mockClear()
    createImpactRelay(options({ verifyConversion: () => true }))
    expect(warn).not.toHaveBeenCalled()
    warn.mockRestore()
  })

  it('8f. bounds reading the body by timeoutMs: a body that trickles in is answered 408, nothing forwarded', async () => {
    const relay = createImpactRelay(options({ timeoutMs: 300 }))
    let timer: ReturnType<typeof setInterval> | undefined
    const trickle = new ReadableStream<Uint8Array>({
      start(controller) {
        timer = setInterval(() => controller.enqueue(new TextEncoder().encode('a')), 100)
      },
      cancel: () => clearInterval(timer),
    })
    const started = Date.now()
    const response = await relay(post('', {}, { body: trickle, duplex: 'half' } as RequestInit))
    clearInterval(timer)
    expect(response.status).toBe(408)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(received).toHaveLength(0)
  })

  it('8g. a body a framework already read answers 500 at once, saying to mount the relay before body parsers', async () => {
    const relay = createImpactRelay(options())
    const request = post()
    await request.text()
    const response = await relay(request)
    expect(response.status).toBe(500)
    expect((await response.json()).error).toMatch(/mount the relay before any body parser/)
    expect(received).toHaveLength(0)
  })

  it('9. forwards with Basic auth, form body, encoded account SID and a timeout', async () => {
    const relay = createImpactRelay(options({ accountSid: 'IR#1?é', authToken: 'tök:en' }))
    expect((await relay(post())).status).toBe(202)
    const [request] = received
    expect(request?.method).toBe('POST')
    expect(request?.url).toBe('/Advertisers/IR%231%3F%C3%A9/Conversions')
    const authorization = request?.headers.authorization ?? ''
    expect(authorization.startsWith('Basic ')).toBe(true)
    expect(Buffer.from(authorization.slice(6), 'base64').toString('utf8')).toBe('IR#1?é:tök:en')
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(request?.headers.accept).toBe('application/json')
    expect(request?.fields).toEqual({ ...CONVERSION, UserAgent: 'TestBrowser/1.0' })

    answer = () => undefined // hang
    const slow = createImpactRelay(options({ timeoutMs: 200 }))
    const started = Date.now()
    const timedOut = await slow(post())
    expect(timedOut.status).toBe(503)
    expect((await timedOut.json()).error).toMatch(/in time/)
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it("10. maps Impact's answers to what the browser should do", async () => {
    const relay = createImpactRelay(options())
    const answerWith = async (respond: (res: ServerResponse) => void) => {
      answer = respond
      const response = await relay(post())
      expect(response.headers.get('content-type')).toBe('application/json')
      return { status: response.status, headers: response.headers, body: await response.json() }
    }
    expect(await answerWith(QUEUED)).toMatchObject({
      status: 202,
      body: { status: 'queued', queuedUri: '/Advertisers/X/APISubmissions/1' },
    })

    const limited = await answerWith(reply(429, { Status: 'ERROR' }, { 'retry-after': '7' }))
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('7')

    for (const status of [401, 403]) {
      const auth = await answerWith(reply(status, { Status: 'ERROR' }))
      expect(auth.status).toBe(502)
      expect(auth.body.error).toMatch(/accountSid and authToken/)
    }

    const errors = [{ field: 'OrderId', level: 'ERROR', message: 'OrderId is invalid' }]
    expect(await answerWith(reply(400, { Status: 'ERROR', errors }))).toMatchObject({ status: 400, body: { errors } })
    for (const status of [413, 422]) {
      expect(await answerWith(reply(status, { Status: 'ERROR', errors }))).toMatchObject({ status: 400 })
    }
    // Not JSON: never echoed.
    expect(await answerWith(reply(400, '<html>bad</html>'))).toEqual(
      expect.objectContaining({ status: 400, body: { error: 'Impact rejected the conversion', errors: [] } }),
    )
    // Answers about the relay's setup, not the sale: retryable, so fixing the relay recovers the sale.
    for (const status of [404, 405, 409, 415]) {
      const misconfigured = await answerWith(reply(status, 'Not Found'))
      expect(misconfigured.status).toBe(502)
      expect(JSON.stringify(misconfigured.body)).not.toContain('Not Found')
    }
    expect((await answerWith(reply(302, '', { location: 'https://elsewhere.example/' }))).status).toBe(503)

    const down = await answerWith(reply(500, 'oops', { 'retry-after': '30' }))
    expect(down.status).toBe(503)
    expect(down.headers.get('retry-after')).toBe('30')
    expect((await answerWith(reply(408, ''))).status).toBe(503)

    const closed = createServer()
    const closedUrl = await listen(closed)
    await new Promise((resolve) => closed.close(resolve))
    const unreachable = await createImpactRelay(options({ impactBaseUrl: closedUrl }))(post())
    expect(unreachable.status).toBe(503)
  })

  it("10b. reads at most 64 KiB of Impact's answer: a huge one is cut off, not buffered", async () => {
    const relay = createImpactRelay(options())
    const total = 32 * 1024 * 1024
    let written = 0
    let closed: Promise<void> = Promise.resolve()
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      closed = new Promise((resolve) => res.on('close', resolve))
      const pump = (): void => {
        while (written < total && !res.destroyed) {
          written += chunk.length
          if (!res.write(chunk)) return void res.once('drain', pump)
        }
        res.end()
      }
      pump()
    }
    const response = await relay(post())
    // The answer is not JSON the relay could read: the sale is still queued, with no queuedUri.
    expect([response.status, await response.json()]).toEqual([202, { status: 'queued' }])
    await closed
    expect(written).toBeLessThan(total / 2)
  })

  it('11. never throws: unexpected errors answer 500, malformed input 400', async () => {
    const relay = createImpactRelay(options())
    const broken = {
      method: 'POST',
      headers: {
        get: () => {
          throw new Error('boom')
        },
      },
    } as unknown as Request
    const response = await relay(broken)
    expect(response.status).toBe(500)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.json()).toEqual({ error: 'Internal relay error' })
    const failing = new ReadableStream({ pull: (controller) => controller.error(new Error('reset')) })
    const aborted = await relay(post('', {}, { body: failing, duplex: 'half' } as RequestInit))
    expect(aborted.status).toBe(400)
    expect((await aborted.json()).error).toMatch(/request body/)
  })

  it('mounts as a Next.js route handler (second argument { params })', async () => {
    const relay = createImpactRelay(options({ clientIpHeader: 'x-forwarded-for' }))
    // Type-level: `export const POST = relay` must satisfy Next's route handler signature.
    const POST: (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response> = relay
    const response = await POST(post(CONVERSION, { 'x-forwarded-for': '203.0.113.9' }), { params: Promise.resolve({}) })
    expect(response.status).toBe(202)
    expect(received[0]?.fields.IpAddress).toBe('203.0.113.9')
  })

  it('validates options at creation: one TypeError listing every problem', () => {
    const bad = {
      accountSid: '',
      authToken: 42,
      campaignIds: [0, 'abc'],
      allowedOrigins: ['*', 'https://shop.example.com/', 'shop.example.com'],
      verifyConversion: 'yes',
      impactBaseUrl: 'http://api.impact.com',
      clientIpHeader: 'bad header',
      timeoutMs: -1,
      apiKey: 'secret-value',
    } as unknown as ImpactRelayOptions
    let error: unknown
    try {
      createImpactRelay(bad)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(TypeError)
    const message = (error as TypeError).message
    for (const key of [
      'accountSid',
      'authToken',
      'campaignIds',
      'verifyConversion',
      'impactBaseUrl',
      'clientIpHeader',
      'timeoutMs',
      'apiKey',
    ]) {
      expect(message).toContain(`- ${key}: `)
    }
    expect(message).toMatch(/'\*' is not allowed: any website could then submit conversions/)
    expect(message).toContain('"https://shop.example.com/" is not an exact origin')
    expect(message).toContain('"shop.example.com" is not an exact origin')
    expect(message).not.toContain('secret-value')
    expect(message.split('\n')).toHaveLength(12)
    expect(() => createImpactRelay(undefined as unknown as ImpactRelayOptions)).toThrow(/options: pass an object/)
    expect(() => createImpactRelay(options({ impactBaseUrl: 'https://api.impact.com/' }))).not.toThrow()
  })
})

describe('toNodeListener', () => {
  let relayServer: Server
  let relayUrl = ''
  beforeAll(async () => {
    relayServer = createServer(toNodeListener(createImpactRelay(options())))
    relayUrl = `${await listen(relayServer)}/impact/conversions`
  })
  afterAll(() => {
    relayServer.closeAllConnections()
    relayServer.close()
  })
  const headers = { origin: SHOP, 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'NodeTest/2' }

  it('forwards a valid conversion with the socket address as IpAddress', async () => {
    const response = await fetch(relayUrl, { method: 'POST', headers, body: new URLSearchParams(CONVERSION) })
    expect(response.status).toBe(202)
    expect(response.headers.get('access-control-allow-origin')).toBe(SHOP)
    expect(await response.json()).toEqual({ status: 'queued', queuedUri: '/Advertisers/X/APISubmissions/1' })
    // The server listens on IPv4 127.0.0.1; an IPv4-mapped ::ffff:127.0.0.1 would be normalised too.
    expect(received[0]?.fields).toEqual({ ...CONVERSION, IpAddress: '127.0.0.1', UserAgent: 'NodeTest/2' })
  })

  it('cuts bodies at the limit of the route: 16 KiB for a PageLoad, 64 KiB for a conversion', async () => {
    const pageLoadUrl = relayUrl.replace(/conversions$/, 'pageload')
    const declared = await fetch(pageLoadUrl, { method: 'POST', headers, body: `PageUrl=${'x'.repeat(20_480)}` })
    expect(declared.status).toBe(413)
    const streamed = await fetch(pageLoadUrl, {
      method: 'POST',
      headers,
      body: streamOf(20_480),
      duplex: 'half',
    } as RequestInit)
    expect(streamed.status).toBe(413)
    expect(await streamed.json()).toEqual({ error: 'Request body is larger than 16384 bytes' })
    // A 40 KiB conversion passes the adapter (it cut everything at 16 KiB before) ...
    const big = `${new URLSearchParams(CONVERSION).toString()}&Note=${'n'.repeat(40_000)}`
    expect((await fetch(relayUrl, { method: 'POST', headers, body: big })).status).toBe(202)
    expect(received[0]?.fields.Note).toHaveLength(40_000)
    // ... and more than 64 KiB does not, declared or streamed.
    const huge = await fetch(relayUrl, {
      method: 'POST',
      headers,
      body: streamOf(70_000),
      duplex: 'half',
    } as RequestInit)
    expect(huge.status).toBe(413)
    expect(await huge.json()).toEqual({ error: 'Request body is larger than 65536 bytes' })
    expect(received).toHaveLength(1)
    // The server is still healthy afterwards.
    expect((await fetch(relayUrl, { method: 'POST', headers, body: new URLSearchParams(CONVERSION) })).status).toBe(202)
  })

  it('routes on the path even when the Host header is no host', async () => {
    const status = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(relayUrl)
        const req = request(
          { host: url.hostname, port: url.port, path, method: 'POST', headers: { ...headers, host: 'bad host' } },
          (res) => resolve(res.statusCode ?? 0),
        )
        req.on('error', reject)
        req.end(new URLSearchParams(CONVERSION).toString())
      })
    expect(await status('/impact/conversions')).toBe(202)
    expect(await status('/impact/elsewhere')).toBe(404)
  })

  it('answers a body that trickles in (a byte every 150 ms) with 408 within timeoutMs, and closes', async () => {
    const slow = createServer(
      toNodeListener(createImpactRelay(options({ timeoutMs: 400, verifyConversion: () => true }))),
    )
    const url = new URL(`${await listen(slow)}/impact/conversions`)
    const started = Date.now()
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) =>
        resolve(res.statusCode ?? 0),
      )
      req.on('error', reject)
      const timer = setInterval(() => req.write('a'), 150)
      req.on('close', () => clearInterval(timer))
    })
    expect(status).toBe(408)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(received).toHaveLength(0)
    slow.closeAllConnections()
    slow.close()
  })

  it('answers 500 at once when a body parser mounted before it already read the body (nothing hangs)', async () => {
    const listener = toNodeListener(createImpactRelay(options({ verifyConversion: () => true })))
    // What express.urlencoded() does before the next handler: read the whole stream, keep the result.
    const parsedFirst = createServer((req, res) => {
      let text = ''
      req.on('data', (chunk: Buffer) => (text += chunk.toString()))
      req.on('end', () => {
        Object.assign(req, { _body: true, body: Object.fromEntries(new URLSearchParams(text)) })
        listener(req, res)
      })
    })
    const url = `${await listen(parsedFirst)}/impact/conversions`
    const response = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(CONVERSION) })
    expect(response.status).toBe(500)
    expect((await response.json()).error).toMatch(/mount the relay before any body parser/)
    expect(received).toHaveLength(0)
    parsedFirst.closeAllConnections()
    parsedFirst.close()
  })

  it('answers preflights', async () => {
    const ok = await fetch(relayUrl, {
      method: 'OPTIONS',
      headers: { origin: SHOP, 'access-control-request-method': 'POST' },
    })
    expect(ok.status).toBe(204)
    expect(ok.headers.get('access-control-allow-origin')).toBe(SHOP)
    expect(ok.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS')
    expect((await fetch(relayUrl, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } })).status).toBe(403)
  })
})

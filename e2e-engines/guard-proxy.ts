/**
 * The browsers' only way out: a small forward proxy on loopback. Requests for this machine
 * (127.0.0.1, localhost, and the shop's *.example.test names, which it maps to 127.0.0.1) are passed
 * on; every other host is refused and recorded, so a test can fail on it. Classic WebDriver (WebKit)
 * has no network events, so the proxy is also where a test reads what a page sent, and where it
 * breaks (resets) or slows down a request as a flaky network would.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTcpServer, type Socket } from 'node:net'

/** One request a browser sent through the proxy. */
export interface ProxiedRequest {
  method: string
  url: string
  body: string
}

/** What the proxy does to matching requests, until the rule is removed. */
export interface ProxyRule {
  /** Matches on the request's URL path. */
  path: string
  /** `reset`: the connection is dropped before any answer (a network error in the page). */
  action: 'reset' | { delayMs: number }
}

/** A running guard proxy. */
export interface GuardProxy {
  /** `host:port`, as browsers' proxy settings want it. */
  address: string
  port: number
  /** Requests for non-local hosts (refused, never forwarded) since the last call, which forgets them. */
  takeForeign(): string[]
  /** Local requests since the last `clear()`, with their bodies. */
  requests(): ProxiedRequest[]
  /** Forgets recorded local requests and rules. */
  clear(): void
  /** Adds a rule; returns its removal. */
  rule(rule: ProxyRule): () => void
  close(): Promise<void>
}

const TLS_HANDSHAKE = 0x16
/** How an https request whose host the proxy cannot see is recorded. */
export const HIDDEN_HTTPS = 'https://?'

/** Whether `hostname` is this machine for the tests: loopback, or one of the shop's test names. */
export function isLocalHost(hostname: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(hostname) || hostname.endsWith('.example.test')
}

/** Starts the guard proxy on 127.0.0.1:`port`. */
export async function startGuardProxy(port: number): Promise<GuardProxy> {
  const foreign: string[] = []
  let requests: ProxiedRequest[] = []
  let rules: ProxyRule[] = []
  const server = createServer((req, res) => void forward(req, res))

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = URL.canParse(req.url ?? '') ? new URL(req.url!) : undefined
    if (!target || !isLocalHost(target.hostname)) return refuse(req.url ?? '?', res)
    const body = await readAll(req)
    requests.push({ method: req.method ?? 'GET', url: target.href, body: body.toString('utf8') })
    const rule = rules.find((r) => r.path === target.pathname)
    if (rule?.action === 'reset') return void req.socket.destroy()
    if (rule) await new Promise((resolve) => setTimeout(resolve, rule.action === 'reset' ? 0 : rule.action.delayMs))
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: target.port || 80,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => res.destroy())
    upstream.end(body)
  }

  function refuse(url: string, res: ServerResponse | Socket): void {
    foreign.push(url)
    if ('writeHead' in res) res.writeHead(403, { 'content-type': 'text/plain' }).end('non-local host refused')
    else res.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n')
  }

  // HTTPS (and WebSocket over TLS) asks for a tunnel: nothing in these tests is local and TLS.
  server.on('connect', (req: IncomingMessage, socket: Socket) => refuse(`CONNECT ${req.url ?? '?'}`, socket))
  // WPE WebKit 2.38 speaks TLS to its `sslProxy` instead of asking for a tunnel, so the host it
  // wants stays hidden; nothing local in these tests speaks TLS, so it is a foreign request.
  const door = createTcpServer((socket) => {
    socket.once('data', (first: Buffer) => {
      if (first[0] !== TLS_HANDSHAKE) {
        socket.unshift(first)
        return void server.emit('connection', socket)
      }
      foreign.push(`${HIDDEN_HTTPS} (TLS spoken to the proxy: the host is not known)`)
      socket.destroy()
    })
    socket.on('error', () => socket.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    door.once('error', reject)
    door.listen(port, '127.0.0.1', resolve)
  })
  return {
    address: `127.0.0.1:${port}`,
    port,
    takeForeign: () => foreign.splice(0),
    requests: () => [...requests],
    clear() {
      requests = []
      rules = []
    },
    rule(rule) {
      rules.push(rule)
      return () => void (rules = rules.filter((r) => r !== rule))
    },
    close() {
      server.closeAllConnections()
      return new Promise((resolve) => door.close(() => resolve()))
    },
  }
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

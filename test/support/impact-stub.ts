/**
 * A tiny stand-in for Impact over real loopback HTTP, for relay tests: it records what it receives
 * and answers whatever the current test sets.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request as the stub received it. */
export interface Received {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
  fields: Record<string, string>
}

/** A running stub. */
export interface ImpactStub {
  url: string
  received: Received[]
  /** How the next requests are answered (default: 200 with `{}`). */
  answer: (res: ServerResponse, request: Received) => void
  close(): Promise<void>
}

/** An answer with `status` and a JSON (or, for a string, plain text) body. */
export const reply =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (res: ServerResponse): void => {
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers })
    res.end(text)
  }

/** Starts a stub on a free loopback port. */
export async function startImpactStub(): Promise<ImpactStub> {
  const stub: ImpactStub = {
    url: '',
    received: [],
    answer: reply(200, {}),
    close: () => close(server),
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        fields: Object.fromEntries(new URLSearchParams(body)),
      }
      stub.received.push(request)
      stub.answer(res, request)
    })
  })
  stub.url = await listen(server)
  return stub
}

/** Listens on a free loopback port; resolves to the base URL. */
export function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  )
}

/** Closes a server and its keep-alive connections. */
export function close(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}

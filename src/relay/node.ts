/** Adapter that mounts the Fetch-standard relay on Node's `http` server, Express or Connect. */

import type { IncomingMessage, ServerResponse } from 'node:http'
import { BODY_CONSUMED } from './body'
import type { ImpactRelayHandler } from './relay'
import { bodyLimit, routeOf } from './routes'

function requestUrl(req: IncomingMessage): string {
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'
  const target = req.url ?? '/'
  // A Host header that is not a host: keep the path (the relay routes on it) on a neutral host.
  for (const base of [`${scheme}://${req.headers.host ?? 'localhost'}`, `${scheme}://localhost`]) {
    if (URL.canParse(target, base)) return new URL(target, base).href
  }
  return `${scheme}://localhost/`
}

function requestHeaders(req: IncomingMessage): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    // HTTP/2 pseudo-headers (:path, :authority ...) are not valid Fetch header names.
    if (value === undefined || name.startsWith(':')) continue
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item)
  }
  return headers
}

/**
 * The Node request body as a web stream, read only as fast as the handler pulls, and ended after
 * `maxBytes + 1` bytes: enough for the handler to answer 413, without buffering a huge upload.
 */
function requestBody(req: IncomingMessage, maxBytes: number): ReadableStream<Uint8Array> {
  let received = 0
  let stop = (): void => undefined
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const onData = (chunk: Buffer): void => {
        const room = maxBytes + 1 - received
        received += chunk.length
        // Copied: Node may reuse the chunk's memory once this callback returns.
        controller.enqueue(new Uint8Array(chunk.subarray(0, Math.max(room, 0))))
        if (received > maxBytes) end()
        else if ((controller.desiredSize ?? 1) <= 0) req.pause()
      }
      const onError = (error: Error): void => end(error)
      const end = (error?: Error): void => {
        stop()
        if (error) controller.error(error)
        else controller.close()
      }
      stop = () => {
        req.pause().off('data', onData).off('end', end).off('error', onError)
      }
      req.on('data', onData).on('end', end).on('error', onError).pause()
    },
    pull() {
      req.resume()
    },
    cancel() {
      stop()
    },
  })
}

async function writeResponse(req: IncomingMessage, res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value)
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) res.setHeader('set-cookie', cookies)
  // A body left unread (refused early, or cut at the limit): close the connection rather than
  // let the client keep streaming the rest at us.
  if (!req.complete) res.setHeader('connection', 'close')
  res.end(new Uint8Array(await response.arrayBuffer()))
}

/**
 * Wraps the relay as a Node request listener, for `http.createServer(listener)` or Express
 * (`app.all(['/impact/conversions', '/impact/pageload'], listener)`, so OPTIONS preflights reach
 * it too). Mount it before
 * any body-parsing middleware: the relay reads the raw body itself (a body already read answers
 * 500 saying so). The connection's address is passed as `clientAddress`.
 */
export function toNodeListener(handler: ImpactRelayHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // A body parser mounted first read the stream: waiting for it would hang until the client gives up.
    if (req.readableEnded || (req as { _body?: unknown })._body === true) {
      res.writeHead(500, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      return void res.end(JSON.stringify({ error: BODY_CONSUMED }))
    }
    void (async () => {
      const method = req.method ?? 'GET'
      const url = requestUrl(req)
      const init = {
        method,
        headers: requestHeaders(req),
        // Cut at the limit of the route the handler will pick: 16 KiB for PageLoads, 64 KiB for conversions.
        body:
          method === 'GET' || method === 'HEAD' ? null : requestBody(req, bodyLimit(routeOf(new URL(url).pathname))),
        duplex: 'half', // required by Node's fetch for a streamed request body
      }
      const response = await handler(new Request(url, init as RequestInit), {
        clientAddress: req.socket.remoteAddress,
      })
      await writeResponse(req, res, response)
    })().catch(() => {
      if (res.headersSent) return res.destroy()
      res
        .writeHead(500, { 'content-type': 'application/json', connection: 'close' })
        .end('{"error":"Internal relay error"}')
    })
  }
}

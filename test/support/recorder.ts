/**
 * A stand-in for the conversion relay over real HTTP: it records every POST (form fields and
 * headers) and answers 202, with the CORS headers a cross-origin browser page needs.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedPost {
  path: string
  headers: IncomingHttpHeaders
  body: string
  fields: Record<string, string>
}

export interface Recorder {
  /** Base URL without a trailing slash. */
  url: string
  /** POSTs received, oldest first (preflights are not recorded). */
  posts: RecordedPost[]
  close(): Promise<void>
}

/** What a cross-origin browser page needs to POST a form to a test server. */
export const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST',
  'Access-Control-Allow-Headers': 'content-type',
}

export async function startRecorder(): Promise<Recorder> {
  const posts: RecordedPost[] = []
  const cors = CORS_HEADERS
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, cors).end()
        return
      }
      const body = Buffer.concat(chunks).toString('utf8')
      posts.push({
        path: (req.url ?? '/').split('?')[0] ?? '/',
        headers: req.headers,
        body,
        fields: Object.fromEntries(new URLSearchParams(body)),
      })
      res.writeHead(202, { ...cors, 'Content-Type': 'application/json' }).end('{"status":"accepted"}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()))
        server.closeAllConnections()
      }),
  }
}

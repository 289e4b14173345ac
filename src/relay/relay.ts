/** The Fetch-standard conversion relay: checks a browser's conversion and forwards it with credentials. */

import { isConversionParameter } from '../fields'
import { readForm } from './body'
import { resolveRelayOptions, type ImpactRelayOptions, type RelayConfig } from './options'
import { forwardToImpact } from './upstream'

/**
 * Per-request facts the runtime knows but a Fetch `Request` does not carry. Other properties are
 * ignored; the index signature lets frameworks pass their own context (Next.js's `{ params }`).
 */
export interface ImpactRelayContext {
  /** The peer's IP address (Node socket, Deno `info.remoteAddr.hostname`, Bun `server.requestIP`). */
  clientAddress?: string
  [key: string]: unknown
}

/**
 * A Fetch-standard handler: mount it as a Next.js route handler, a Workers/Deno/Bun `fetch`, or on
 * Node through {@link toNodeListener}. It answers every request and never throws.
 */
export type ImpactRelayHandler = (request: Request, context?: ImpactRelayContext) => Promise<Response>

const ALLOW = 'POST, OPTIONS'

const json = (status: number, body: unknown, headers: Record<string, string>): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store' },
  })

/** Dual-stack sockets report IPv4 peers as `::ffff:1.2.3.4`; Impact expects the plain IPv4 form. */
function normaliseIp(address: unknown): string | undefined {
  const ip = typeof address === 'string' ? address.trim() : ''
  return /^::ffff:\d{1,3}(?:\.\d{1,3}){3}$/i.test(ip) ? ip.slice(7) : ip || undefined
}

/**
 * The visitor's address as the relay observes it. With a trusted header configured, that header
 * alone: the connection's address would then be the proxy's.
 */
function clientIp(config: RelayConfig, request: Request, context: ImpactRelayContext | undefined): string | undefined {
  if (config.clientIpHeader) return normaliseIp(request.headers.get(config.clientIpHeader)?.split(',')[0])
  return normaliseIp(context?.clientAddress)
}

async function handle(
  config: RelayConfig,
  request: Request,
  context: ImpactRelayContext | undefined,
): Promise<Response> {
  const origin = request.headers.get('origin')
  const allowed = origin !== null && config.allowedOrigins.has(origin)
  // Vary on every answer so caches never serve one origin's CORS answer to another.
  const headers: Record<string, string> = allowed
    ? { 'access-control-allow-origin': origin, 'access-control-expose-headers': 'Retry-After', vary: 'Origin' }
    : { vary: 'Origin' }

  if (request.method === 'OPTIONS') {
    if (!allowed) return json(403, { error: 'Origin not allowed' }, headers)
    const preflight = {
      'access-control-allow-methods': ALLOW,
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '600',
    }
    return new Response(null, { status: 204, headers: { ...headers, ...preflight } })
  }
  if (request.method !== 'POST') return json(405, { error: 'Use POST' }, { ...headers, allow: ALLOW })
  // A missing Origin is accepted: only browsers send it, and any other client can forge it anyway.
  // This check stops other websites' pages; verifyConversion is the real defence against forgery.
  if (origin !== null && !allowed) return json(403, { error: 'Origin not allowed' }, headers)

  const mediaType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
  if (mediaType !== 'application/x-www-form-urlencoded') {
    return json(415, { error: 'Send the conversion as application/x-www-form-urlencoded' }, headers)
  }
  const form = await readForm(request)
  if (!form.ok) return json(form.status, { error: form.error }, headers)

  const fields: Record<string, string> = {}
  const ignored: string[] = []
  for (const [name, value] of form.fields) {
    // IpAddress and UserAgent are whatever the relay observes, never what the client claims.
    if (name === 'IpAddress' || name === 'UserAgent') continue
    if (isConversionParameter(name)) fields[name] = value
    else ignored.push(name)
  }
  const ip = clientIp(config, request, context)
  if (ip) fields.IpAddress = ip
  const userAgent = request.headers.get('user-agent')
  if (userAgent) fields.UserAgent = userAgent

  const served = `this relay serves CampaignId ${config.campaignIds.join(', ')}`
  const missing = ['CampaignId', 'OrderId', 'EventDate'].filter((name) => !fields[name])
  if (missing.length > 0) {
    const hint = missing.includes('CampaignId') ? ` (${served})` : ''
    return json(
      400,
      { error: `Missing required parameter${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}${hint}` },
      headers,
    )
  }
  if (!config.campaignIds.includes(fields.CampaignId as string)) {
    return json(400, { error: `CampaignId ${fields.CampaignId} is not accepted: ${served}` }, headers)
  }

  if (config.verifyConversion) {
    let verified: unknown
    try {
      verified = await config.verifyConversion(Object.freeze({ ...fields }), request)
    } catch {
      // The shop's check failed, not the conversion: 503 keeps it in the browser's outbox.
      return json(503, { error: 'Could not verify the conversion; retry later' }, headers)
    }
    // Only an explicit true passes: a hook that forgets to return must not let forgeries through.
    if (verified !== true) return json(422, { error: 'Conversion not verified; not forwarded' }, headers)
  }

  const outcome = await forwardToImpact(config, fields)
  const body = outcome.status === 202 && ignored.length > 0 ? { ...outcome.body, ignored } : outcome.body
  return json(outcome.status, body, outcome.retryAfter ? { ...headers, 'retry-after': outcome.retryAfter } : headers)
}

/**
 * Creates the conversion relay. Throws a TypeError listing every problem when `options` are invalid,
 * so a misconfigured server fails at boot. The returned handler never throws: unexpected errors
 * answer 500.
 */
export function createImpactRelay(options: ImpactRelayOptions): ImpactRelayHandler {
  const config = resolveRelayOptions(options)
  return async (request, context) => {
    try {
      return await handle(config, request, context)
    } catch {
      // No CORS headers (the request itself may be what broke): a cross-origin browser then sees a
      // network error, which it retries just like a 500.
      return json(500, { error: 'Internal relay error' }, { vary: 'Origin' })
    }
  }
}

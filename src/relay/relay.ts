/**
 * The Fetch-standard relay: one handler for the shop's first-party endpoints, `.../conversions`
 * and `.../pageload`. Checks what is common to both here; each route lives in its own module.
 */

import { readForm } from './body'
import { observedClientIp } from './client-ip'
import { relayConversion } from './conversions'
import { resolveRelayOptions, type ImpactRelayOptions, type RelayConfig } from './options'
import { relayPageLoad } from './pageload'
import { corsHeaders, json } from './respond'
import { bodyLimit, routeOf } from './routes'

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

async function handle(
  config: RelayConfig,
  request: Request,
  context: ImpactRelayContext | undefined,
): Promise<Response> {
  const origin = request.headers.get('origin')
  const headers = corsHeaders(origin, config.allowedOrigins)
  const route = routeOf(new URL(request.url).pathname)
  if (!route) return json(404, { error: 'Not found: the relay serves .../conversions and .../pageload' }, headers)

  if (request.method === 'OPTIONS') {
    if (!headers['access-control-allow-origin']) return json(403, { error: 'Origin not allowed' }, headers)
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
  if (origin !== null && !headers['access-control-allow-origin'])
    return json(403, { error: 'Origin not allowed' }, headers)

  const mediaType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
  if (mediaType !== 'application/x-www-form-urlencoded') {
    return json(415, { error: 'Send the form as application/x-www-form-urlencoded' }, headers)
  }
  const form = await readForm(request, bodyLimit(route), config.timeoutMs)
  if (!form.ok) return json(form.status, { error: form.error }, headers)

  const observed = {
    ip: observedClientIp(config, request, context?.clientAddress),
    userAgent: request.headers.get('user-agent') || undefined,
  }
  const input = { form: form.fields, request, observed, headers }
  return route === 'conversions' ? relayConversion(config, input) : relayPageLoad(config, input)
}

/**
 * Creates the relay. Throws a TypeError listing every problem when `options` are invalid, so a
 * misconfigured server fails at boot; warns once when it has no `verifyConversion`. The returned
 * handler never throws: unexpected errors answer 500. Where builds load modules without the
 * secrets (`next build`), create it on the first request, not when the module loads.
 */
export function createImpactRelay(options: ImpactRelayOptions): ImpactRelayHandler {
  const config = resolveRelayOptions(options)
  if (!config.verifyConversion)
    console.warn(
      '[Impact relay] no verifyConversion: anyone can POST forged sales (any ClickId, any amount) and this relay ' +
        'forwards them with your credentials. Check each OrderId, amount and currency against your orders.',
    )
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

/** Building the relay's answers: JSON bodies and the CORS headers every answer carries. */

/** Headers for one answer. */
export type HeaderMap = Record<string, string>

/** Statuses that must not carry a body (a Response with one would throw). */
const NO_BODY = new Set([204, 205, 304])

/** A JSON answer that no cache keeps. */
export function json(status: number, body: unknown, headers: HeaderMap): Response {
  return new Response(NO_BODY.has(status) ? null : JSON.stringify(body), {
    status,
    headers: { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store' },
  })
}

/**
 * CORS headers for `origin`: allowed origins may read the answer (and its Retry-After). Vary on
 * every answer so caches never serve one origin's CORS answer to another.
 */
export function corsHeaders(origin: string | null, allowedOrigins: ReadonlySet<string>): HeaderMap {
  return origin !== null && allowedOrigins.has(origin)
    ? { 'access-control-allow-origin': origin, 'access-control-expose-headers': 'Retry-After', vary: 'Origin' }
    : { vary: 'Origin' }
}

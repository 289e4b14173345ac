import { KEEPALIVE_MAX_BYTES } from '../impact-api'

/** What an attempt got back. `status` 0 means the request never got an HTTP answer. */
export interface Answer {
  status: number
  /** Parsed JSON body, when the answer had one. */
  body?: unknown
  /** Retry-After in ms, when the answer carried one. */
  retryAfterMs?: number
}

/** Whether `body` goes with `keepalive`, so that its request outlives the page that sent it. */
export const outlivesPage = (body: string): boolean => body.length <= KEEPALIVE_MAX_BYTES

/**
 * Credentials for a request to `url`: a same-origin endpoint (the relay in first-party mode) gets
 * the site's cookies and may set the click cookie from the server; any other gets none, so that
 * no cookie leaks to another host. Neither costs a CORS preflight.
 */
export function credentialsFor(url: string, pageOrigin = globalThis.location?.origin): RequestCredentials {
  try {
    return new URL(url, pageOrigin).origin === pageOrigin ? 'same-origin' : 'omit'
  } catch {
    return 'omit'
  }
}

/**
 * POSTs a form body. The content type is CORS-safelisted and, cross-origin, no credentials go
 * along, so a PageLoad needs no preflight; `keepalive` lets the request outlive the page.
 * Never throws: network errors, aborts and timeouts come back as status 0.
 */
export async function postForm(
  fetchFn: typeof fetch,
  url: string,
  body: string,
  authorization: string | undefined,
  timeoutMs: number,
): Promise<Answer> {
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), timeoutMs)
  try {
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' }
    if (authorization) headers.Authorization = authorization
    const response = await fetchFn(url, {
      method: 'POST',
      body,
      headers,
      credentials: credentialsFor(url),
      keepalive: outlivesPage(body),
      signal: abort.signal,
    })
    let parsed: unknown
    try {
      parsed = await response.json()
    } catch {
      // Not JSON (or no body): the status says enough.
    }
    return { status: response.status, body: parsed, retryAfterMs: retryAfterMs(response.headers.get('Retry-After')) }
  } catch {
    return { status: 0 }
  } finally {
    clearTimeout(timer)
  }
}

/** Retry-After as delay-seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined
  const ms = /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - now
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined
}

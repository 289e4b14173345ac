import { KEEPALIVE_MAX_BYTES } from '../impact-api'
import { parseUrl } from '../parse-url'

/** What an attempt got back. `status` 0 means the request never got an HTTP answer. */
export interface Answer {
  status: number
  /** Parsed JSON body, when the answer had one. */
  body?: unknown
  /** Retry-After in ms, when the answer carried one. */
  retryAfterMs?: number
}

/** The clock and timers everything in delivery runs on, injected so tests control time. */
export interface Clock {
  now: () => number
  setTimeout: (run: () => void, ms: number) => unknown
}

/** What the transport needs from outside. */
export interface TransportDeps extends Clock {
  fetch: typeof fetch
}

/** One form POST. */
export interface FormPost {
  url: string
  body: string
  /** An Authorization header (Basic auth, opted-in direct sends only). */
  authorization?: string | undefined
}

/**
 * How long a conversion whose request is under way stays held from other tabs and later pages.
 * Answers usually come well within it; a request may take longer (the relay alone may wait
 * `timeoutMs` for the shop's check and as long again for Impact), and its own page then waits for
 * it: see {@link postForm}.
 */
export const IN_FLIGHT_MS = 10_000

/** Whether `body` goes with `keepalive`, so that its request outlives the page that sent it. */
export const outlivesPage = (body: string): boolean => body.length <= KEEPALIVE_MAX_BYTES

/**
 * Credentials for a request to `url`: a same-origin endpoint (the relay in first-party mode) gets
 * the site's cookies and may set the click cookie from the server; any other gets none, so that
 * no cookie leaks to another host. Neither costs a CORS preflight.
 */
export function credentialsFor(url: string, pageOrigin = globalThis.location?.origin): RequestCredentials {
  // No page origin (no location): nothing is this page's own.
  return pageOrigin && parseUrl(url, pageOrigin)?.origin === pageOrigin ? 'same-origin' : 'omit'
}

/**
 * POSTs a form body. The content type is CORS-safelisted and, cross-origin, no credentials go
 * along, so a PageLoad needs no preflight; `keepalive` lets the request outlive the page.
 * Never throws: network errors come back as status 0. No request is ever given up on: Chromium
 * still delivers a keepalive request its page aborted (queued or already sent), and a relay that
 * has read a body forwards it anyway, so abandoning a slow request and retrying it would pay the
 * partner twice. The browser's own outcome is awaited; the relay bounds its time (then 503).
 */
export async function postForm(deps: TransportDeps, post: FormPost): Promise<Answer> {
  try {
    const response = await deps.fetch(post.url, {
      method: 'POST',
      // The browser labels it application/x-www-form-urlencoded (CORS-safelisted: no preflight).
      body: new URLSearchParams(post.body),
      headers: post.authorization ? { Authorization: post.authorization } : {},
      credentials: credentialsFor(post.url),
      keepalive: outlivesPage(post.body),
    })
    // Not JSON (or no body): the status says enough.
    const body: unknown = await response.json().catch(() => undefined)
    return {
      status: response.status,
      body,
      // Read only where a retry will follow: a delivered answer's header decides nothing.
      retryAfterMs: response.ok ? undefined : retryAfterMs(response.headers.get('Retry-After'), deps.now()),
    }
  } catch {
    return { status: 0 }
  }
}

/** Retry-After as delay-seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  // Absent (null) or empty, it reads as neither: NaN, so undefined.
  const ms = /^\s*\d+\s*$/.test(header!) ? Number(header) * 1000 : Date.parse(header!) - now
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined
}

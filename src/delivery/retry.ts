/** At most this many attempts per PageLoad, the first included. Conversions have no such cap. */
export const MAX_ATTEMPTS = 10
const BASE_MS = 500
/** No wait between attempts is longer, Retry-After included. */
export const MAX_DELAY_MS = 60_000

/** Network errors (0), 408, 429 and 5xx may succeed later: a PageLoad is retried for these. */
export function isRetryable(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500
}

/**
 * Answers that say the sale itself is wrong (400, 413, 422): resending it cannot help. Any other
 * failure keeps a conversion, misconfigurations included (401, 403, 404), so fixing the relay
 * recovers it.
 */
export function dropsSale(status: number): boolean {
  return status === 400 || status === 413 || status === 422
}

/** True for an answer that means "delivered". */
export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300
}

/**
 * Wait before the attempt after `attempt` (1-based): 0.5 s doubling up to 60 s, with "equal
 * jitter" (half fixed, half random) so many browsers recovering at once do not retry in lockstep.
 * A server's Retry-After is honoured as the least wait; every wait is capped at 60 s.
 */
export function retryDelay(attempt: number, random: () => number, retryAfterMs = 0): number {
  const exp = Math.min(MAX_DELAY_MS, BASE_MS * 2 ** (attempt - 1))
  return Math.min(MAX_DELAY_MS, Math.max(retryAfterMs, exp / 2 + (random() * exp) / 2))
}

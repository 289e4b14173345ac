import { isRetryable, isSuccess, retryDelay } from '../delivery/retry'
import { jsonProperty, postToImpact, type ImpactAnswer, type ImpactRequest } from '../relay/upstream'

/** Attempts per request: a few minutes of backoff, then the failure is reported. */
export const MAX_ATTEMPTS = 6

/** How one request to Impact ended. */
export interface SendOutcome {
  ok: boolean
  /** Impact's last status; 0 when it never answered. */
  status: number
  attempts: number
  /** Why it failed, from Impact's answer (its Message or errors); never a credential. */
  error?: string | undefined
}

/** What a retry waits with; injectable for tests. */
export interface SendClock {
  sleep(ms: number): Promise<void>
  random(): number
}

const realClock: SendClock = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
}

/** Impact's reason for refusing, from its JSON answer. */
function refusal(answer: ImpactAnswer): string {
  if (!answer.reached) return answer.timedOut ? 'no answer in time' : 'Impact not reachable'
  const message = jsonProperty(answer.json, 'Message')
  const errors = jsonProperty(answer.json, 'errors')
  return `HTTP ${answer.status}${typeof message === 'string' ? `: ${message}` : errors ? `: ${JSON.stringify(errors).slice(0, 300)}` : ''}`
}

/**
 * Sends one request to Impact, retrying network errors, 408, 429 (Retry-After honoured) and 5xx
 * with backoff, at most MAX_ATTEMPTS times. Any other answer (the action is unknown or locked, the
 * request is wrong) is final: retrying cannot change it.
 */
export async function sendWithRetries(request: ImpactRequest, clock: SendClock = realClock): Promise<SendOutcome> {
  for (let attempts = 1; ; attempts++) {
    const answer = await postToImpact(request)
    const status = answer.reached ? answer.status : 0
    if (isSuccess(status)) return { ok: true, status, attempts }
    if (!isRetryable(status) || attempts >= MAX_ATTEMPTS) return { ok: false, status, attempts, error: refusal(answer) }
    const retryAfterMs = answer.reached && answer.retryAfter ? Number(answer.retryAfter) * 1000 || undefined : undefined
    await clock.sleep(retryDelay(attempts, clock.random, retryAfterMs))
  }
}

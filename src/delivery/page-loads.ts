import type { Logger } from '../log'
import { isRetryable, isSuccess, MAX_ATTEMPTS, retryDelay } from './retry'
import { postForm, type Answer, type TransportDeps } from './transport'

/** Sends a PageLoad; resolves with the first attempt's answer, retries in memory after that. */
export type SendPageLoad = (body: string, onDelivered: (answer: Answer) => void) => Promise<Answer>

/**
 * PageLoads to `url` retry in memory only, at most MAX_ATTEMPTS times: a lost page view is
 * tolerable, and never storing them keeps the visitor's pages out of localStorage.
 */
export function createPageLoadSender(
  url: string,
  deps: TransportDeps & { random: () => number },
  log: Logger,
): SendPageLoad {
  return (body, onDelivered) => {
    const run = async (attempts: number): Promise<Answer> => {
      const answer = await postForm(deps, { url, body })
      const { status } = answer
      if (isSuccess(status)) onDelivered(answer)
      else if (isRetryable(status) && attempts < MAX_ATTEMPTS)
        deps.setTimeout(() => void run(attempts + 1), retryDelay(attempts, deps.random, answer.retryAfterMs))
      // HTTP 0: no answer (network error, timeout).
      else log.warn(`page load dropped: HTTP ${status}`)
      return answer
    }
    return run(1)
  }
}

/** Forwarding a conversion to Impact's Conversions API and translating its answer for the browser. */

import type { RelayConfig } from './options'

/** What the relay answers the browser, decided from Impact's answer. */
export interface RelayOutcome {
  /** Status for the browser, chosen by what its retry logic should do. */
  status: number
  /** JSON body. */
  body: Record<string, unknown>
  /** Retry-After to pass on, if Impact sent one. */
  retryAfter?: string
}

/** A top-level property of a JSON text, or undefined when the text is not a JSON object. */
function jsonProperty(text: string, key: string): unknown {
  try {
    return (JSON.parse(text) as Record<string, unknown> | null)?.[key]
  } catch {
    return undefined
  }
}

/**
 * POSTs `fields` to Impact with the relay's credentials. Never throws. The browser retries 429
 * and 5xx and drops other 4xx, so every status here is chosen for that: only a problem with the
 * conversion itself becomes a 400; anything that could succeed later stays retryable.
 */
export async function forwardToImpact(config: RelayConfig, fields: Record<string, string>): Promise<RelayOutcome> {
  let response: Response
  let text: string
  try {
    response = await fetch(config.conversionsUrl, {
      method: 'POST',
      headers: {
        authorization: config.authorization,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams(fields).toString(),
      // Never replay the credentials to wherever a redirect points ('error' is not supported everywhere).
      redirect: 'manual',
      signal: AbortSignal.timeout(config.timeoutMs),
    })
    text = await response.text()
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError'
    return {
      status: 503,
      body: { error: timedOut ? 'Impact did not answer in time; retry later' : 'Could not reach Impact; retry later' },
    }
  }
  const retryAfter = response.headers.get('retry-after') ?? undefined
  const { status } = response
  if (status >= 200 && status < 300) {
    const queuedUri = jsonProperty(text, 'QueuedUri')
    return { status: 202, body: { status: 'queued', ...(typeof queuedUri === 'string' ? { queuedUri } : {}) } }
  }
  if (status === 429) return { status: 429, body: { error: 'Impact is rate limiting; retry later' }, retryAfter }
  if (status === 401 || status === 403) {
    // The relay's own credentials are wrong, not the conversion: 502 keeps it in the browser's outbox.
    return {
      status: 502,
      body: {
        error: "Impact refused the relay's credentials: the operator should check the relay's accountSid and authToken",
      },
    }
  }
  // 408 is Impact timing out reading us: as retryable as a 5xx.
  if (status >= 400 && status < 500 && status !== 408) {
    const errors = jsonProperty(text, 'errors')
    return {
      status: 400,
      body: { error: 'Impact rejected the conversion', errors: Array.isArray(errors) ? errors : text },
    }
  }
  const redirected = status >= 300 && status < 400
  const error = redirected
    ? 'Impact answered with a redirect: the operator should check impactBaseUrl'
    : `Impact answered ${status}; retry later`
  return { status: 503, body: { error }, retryAfter }
}

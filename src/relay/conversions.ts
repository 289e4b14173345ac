/** The `.../conversions` route: checks a browser's conversion and forwards it with credentials. */

import { isConversionParameter } from '../fields'
import { withVerifiedOrder } from './verified-order'
import { fieldsProblem, forwardedFields, type Observed } from './forwarded-fields'
import type { RelayConfig } from './options'
import { json, type HeaderMap } from './respond'
import { jsonProperty, postToImpact, type ImpactAnswer } from './upstream'

/** One conversion request, its form already read. */
export interface ConversionRequest {
  form: ReadonlyMap<string, string>
  request: Request
  observed: Observed
  /** CORS headers for the answer. */
  headers: HeaderMap
}

/** What the relay answers the browser, decided from Impact's answer. */
export interface RelayOutcome {
  /** Status for the browser, chosen by what its retry logic should do. */
  status: number
  body: Record<string, unknown>
  /** Retry-After to pass on, if Impact sent one. */
  retryAfter?: string | undefined
}

const REQUIRED = ['CampaignId', 'OrderId', 'EventDate']
/** Impact's answers that say the conversion itself is wrong: retrying the same sale cannot help. */
const SALE_REJECTED = new Set([400, 413, 422])

/**
 * Translates Impact's answer for the browser, whose outbox drops a sale only on 400, 413 and 422
 * and retries everything else. So only an answer that says the sale itself is wrong becomes a
 * 400; one that could succeed later (after the operator fixes the relay, or Impact recovers)
 * stays retryable:
 *
 * | Impact | relay answers |
 * |---|---|
 * | 2xx | 202 `{ status: 'queued', queuedUri }` |
 * | 400, 413, 422 | 400 `{ error, errors }` with Impact's `errors` (JSON only, never raw text) |
 * | 401, 403 | 502: the relay's credentials are wrong |
 * | 429 | 429, with Impact's Retry-After |
 * | 408, 5xx, no answer, timeout | 503 (Retry-After passed on) |
 * | 3xx, any other 4xx (404 ...) | 502 or 503: the relay is misconfigured (impactBaseUrl, accountSid) |
 */
function conversionOutcome(answer: ImpactAnswer): RelayOutcome {
  if (!answer.reached) {
    const error = answer.timedOut ? 'Impact did not answer in time; retry later' : 'Could not reach Impact; retry later'
    return { status: 503, body: { error } }
  }
  const { status, json: body, retryAfter } = answer
  if (status >= 200 && status < 300) {
    const queuedUri = jsonProperty(body, 'QueuedUri')
    return { status: 202, body: { status: 'queued', ...(typeof queuedUri === 'string' ? { queuedUri } : {}) } }
  }
  if (SALE_REJECTED.has(status)) {
    const errors = jsonProperty(body, 'errors')
    return {
      status: 400,
      body: { error: 'Impact rejected the conversion', errors: Array.isArray(errors) ? errors : [] },
    }
  }
  if (status === 429) return { status: 429, body: { error: 'Impact is rate limiting; retry later' }, retryAfter }
  if (status === 401 || status === 403) {
    const error =
      "Impact refused the relay's credentials: the operator should check the relay's accountSid and authToken"
    return { status: 502, body: { error } }
  }
  if (status >= 400 && status < 500 && status !== 408) {
    const error = `Impact answered ${status}: the operator should check the relay's impactBaseUrl and accountSid`
    return { status: 502, body: { error } }
  }
  const error =
    status >= 300 && status < 400
      ? 'Impact answered with a redirect: the operator should check impactBaseUrl'
      : `Impact answered ${status}; retry later`
  return { status: 503, body: { error }, retryAfter }
}

/** What the shop's check said: forward these fields, or why not. */
type Verdict = { fields: Record<string, string> } | 'refused' | 'failed' | 'timed out'

/**
 * Runs the shop's check, bounded by timeoutMs. Only an explicit `true`, or the order's own values,
 * verifies; the values then replace the browser's ({@link withVerifiedOrder}).
 */
async function verify(config: RelayConfig, fields: Record<string, string>, request: Request): Promise<Verdict> {
  const check = config.verifyConversion
  if (!check) return { fields }
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<Verdict>((resolve) => (timer = setTimeout(() => resolve('timed out'), config.timeoutMs)))
  const run = Promise.resolve()
    .then(() => check(Object.freeze({ ...fields }), request))
    // A hook that forgets to return must not let forgeries through.
    .then((verdict): Verdict => {
      if (verdict === true) return { fields }
      return typeof verdict === 'object' && verdict !== null
        ? { fields: withVerifiedOrder(fields, verdict) }
        : 'refused'
    })
    .catch((): Verdict => 'failed')
  try {
    return await Promise.race([run, late])
  } finally {
    clearTimeout(timer)
  }
}

/** Answers one conversion: 4xx for what is wrong with it, else Impact's answer translated. */
export async function relayConversion(config: RelayConfig, input: ConversionRequest): Promise<Response> {
  const { headers } = input
  const { fields, ignored } = forwardedFields(input.form, isConversionParameter, input.observed)
  const problem = fieldsProblem(config, fields, REQUIRED)
  if (problem) return json(problem.status, { error: problem.error }, headers)

  const verdict = await verify(config, fields, input.request)
  // The shop's check failed or hung, not the conversion: 503 keeps it in the browser's outbox.
  if (verdict === 'failed') return json(503, { error: 'Could not verify the conversion; retry later' }, headers)
  if (verdict === 'timed out')
    return json(503, { error: 'Verifying the conversion took too long; retry later' }, headers)
  if (verdict === 'refused') return json(422, { error: 'Conversion not verified; not forwarded' }, headers)

  const answer = await postToImpact({
    url: config.conversionsUrl,
    fields: verdict.fields,
    authorization: config.authorization,
    timeoutMs: config.timeoutMs,
  })
  const outcome = conversionOutcome(answer)
  const body = outcome.status === 202 && ignored.length > 0 ? { ...outcome.body, ignored } : outcome.body
  return json(outcome.status, body, outcome.retryAfter ? { ...headers, 'retry-after': outcome.retryAfter } : headers)
}

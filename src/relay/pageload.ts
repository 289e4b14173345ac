/** The `.../pageload` route: forwards a browser's PageLoad to Impact and keeps its click in a server-set cookie. */

import { isPageLoadParameter } from '../fields'
import { clickCookie, establishedClick } from './click-cookie'
import { fieldsProblem, forwardedFields, type Observed } from './forwarded-fields'
import type { RelayConfig } from './options'
import { json, type HeaderMap } from './respond'
import { postToImpact, type ImpactAnswer } from './upstream'

/** One PageLoad request, its form already read. */
export interface PageLoadRequest {
  form: ReadonlyMap<string, string>
  request: Request
  observed: Observed
  /** CORS headers for the answer. */
  headers: HeaderMap
}

const REQUIRED = ['CampaignId', 'EventDate', 'PageUrl']

/**
 * Impact's answer for the browser: its status and JSON as they are (a 4xx tells the plugin the
 * PageLoad is wrong), except what the browser should retry: 5xx, a redirect (never followed) or
 * no answer in time become 503. A body that is not JSON is never echoed.
 */
function pageLoadOutcome(answer: ImpactAnswer): { status: number; body: unknown; retryAfter?: string } {
  if (!answer.reached) {
    const error = answer.timedOut ? 'Impact did not answer in time; retry later' : 'Could not reach Impact; retry later'
    return { status: 503, body: { error } }
  }
  const { status, json: body, retryAfter } = answer
  const retry = retryAfter === undefined ? {} : { retryAfter }
  if (status >= 500) return { status: 503, body: { error: `Impact answered ${status}; retry later` }, ...retry }
  if (status < 200 || status >= 300) {
    if (status < 400) return { status: 503, body: { error: 'Impact answered with a redirect; retry later' } }
    return { status, body: body ?? { error: `Impact answered ${status}` }, ...retry }
  }
  return { status, body: body ?? {} }
}

/** Answers one PageLoad: 4xx for what is wrong with it, else Impact's answer, with the click cookie when one is established. */
export async function relayPageLoad(config: RelayConfig, input: PageLoadRequest): Promise<Response> {
  const { headers, request } = input
  // No credentials of any kind go to PageLoad: only the documented fields, on a fresh request.
  const { fields } = forwardedFields(input.form, isPageLoadParameter, input.observed)
  const problem = fieldsProblem(config, fields, REQUIRED)
  if (problem) return json(problem.status, { error: problem.error }, headers)

  const answer = await postToImpact({ url: config.pageLoadUrl, fields, timeoutMs: config.timeoutMs })
  const outcome = pageLoadOutcome(answer)
  const clickId = establishedClick(fields, answer)
  const extra: HeaderMap = {
    ...(outcome.retryAfter ? { 'retry-after': outcome.retryAfter } : {}),
    ...(clickId ? { 'set-cookie': clickCookie(config, clickId, request) } : {}),
  }
  return json(outcome.status, outcome.body, { ...headers, ...extra })
}

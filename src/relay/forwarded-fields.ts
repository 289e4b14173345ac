/** The fields the relay forwards: documented parameters only, with what the relay itself observes. */

import type { RelayConfig } from './options'

/** What the relay observed about the visitor, never what the client claims. */
export interface Observed {
  /** The visitor's IP address, when known and valid. */
  ip?: string | undefined
  /** The request's User-Agent header, when sent. */
  userAgent?: string | undefined
}

/** The fields to forward, and the names dropped as undocumented (reported back to the browser). */
export interface ForwardedFields {
  fields: Record<string, string>
  ignored: string[]
}

/**
 * Keeps the parameters `isParameter` documents, and sets IpAddress and UserAgent from what the
 * relay observes: a client can claim any address or agent, so both are always the relay's own.
 */
export function forwardedFields(
  form: ReadonlyMap<string, string>,
  isParameter: (name: string) => boolean,
  observed: Observed,
): ForwardedFields {
  const fields: Record<string, string> = {}
  const ignored: string[] = []
  for (const [name, value] of form) {
    if (name === 'IpAddress' || name === 'UserAgent') continue
    if (isParameter(name)) fields[name] = value
    else ignored.push(name)
  }
  if (observed.ip) fields.IpAddress = observed.ip
  if (observed.userAgent) fields.UserAgent = observed.userAgent
  return { fields, ignored }
}

/**
 * What is wrong with `fields` before anything is forwarded: a missing required parameter (400), or
 * a CampaignId this relay does not serve (403: the relay's own configuration refuses it, so the
 * browser keeps the sale until the relay is fixed). Undefined when they may go.
 */
export function fieldsProblem(
  config: Pick<RelayConfig, 'campaignIds'>,
  fields: Readonly<Record<string, string>>,
  required: readonly string[],
): { status: 400 | 403; error: string } | undefined {
  const served = `this relay serves CampaignId ${config.campaignIds.join(', ')}`
  const missing = required.filter((name) => !fields[name])
  if (missing.length > 0) {
    const hint = missing.includes('CampaignId') ? ` (${served})` : ''
    return {
      status: 400,
      error: `Missing required parameter${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}${hint}`,
    }
  }
  if (!config.campaignIds.includes(fields.CampaignId as string)) {
    return { status: 403, error: `CampaignId ${fields.CampaignId} is not accepted: ${served}` }
  }
  return undefined
}

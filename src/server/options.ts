/** Options of the server plugin and their validation (the only server code that sees raw options). */

import { DISPOSITION_CODES, REASON_CODES } from '../fields/actions'
import { actionsUrl, basicAuth, conversionsUrl, IMPACT_API_BASE } from '../impact-api'
import { impactUrlOf } from '../relay/options'
import { ImpactSettingsError, resolveSettings, type ResolvedSettings } from '../settings'
import type { ImpactSettings } from '../types'

/**
 * Options of {@link impactServer}: the browser plugin's settings (same keys, same checks), plus
 * what only a server has.
 */
export interface ImpactServerOptions extends ImpactSettings {
  /** Impact Auth Token: the Basic auth password. A secret that stays on the server. Required. */
  authToken: string
  /**
   * Impact's event type id: the reversals' and changes' `ActionTrackerId`, and the conversions'
   * `EventTypeId`. Required here.
   */
  eventTypeId: string
  /** Track event names that reverse the action as a cancellation. Default `['Order Cancelled']`. */
  cancelEventNames?: string[]
  /** Track event names that refund items or the whole order. Default `['Order Refunded']`. */
  refundEventNames?: string[]
  /** `DispositionCode` of a cancellation's reversal. Default `'ORDER_ERROR'`. */
  cancelDispositionCode?: string
  /**
   * `DispositionCode` of a full refund's reversal, and `Reason` of a partial refund's change (so
   * one of Impact's codes valid as both). Default `'ITEM_RETURNED'`.
   */
  refundDispositionCode?: string
  /** How long one request to Impact may take, in milliseconds. Default 10000. */
  timeoutMs?: number
  /** Base URL of Impact's API. Default `https://api.impact.com`; plain http only for loopback hosts (tests). */
  impactBaseUrl?: string
}

/** Validated options, as the plugin uses them. */
export interface ServerConfig {
  settings: ResolvedSettings & { eventTypeId: string }
  /** The Basic auth header value: never logged. */
  authorization: string
  actionsUrl: string
  conversionsUrl: string
  cancelEventNames: string[]
  refundEventNames: string[]
  cancelDispositionCode: string
  refundDispositionCode: string
  timeoutMs: number
}

const SERVER_KEYS = [
  'authToken',
  'cancelEventNames',
  'refundEventNames',
  'cancelDispositionCode',
  'refundDispositionCode',
  'timeoutMs',
  'impactBaseUrl',
] as const

const names = (value: unknown, fallback: string[], key: string, problems: string[]): string[] => {
  if (value === undefined) return fallback
  if (Array.isArray(value) && value.length && value.every((n) => typeof n === 'string' && n)) return [...value]
  problems.push(`${key}: expected a list of event names, e.g. ${JSON.stringify(fallback)}`)
  return fallback
}

const code = (value: unknown, fallback: string, key: string, problems: string[], reason: boolean): string => {
  const chosen = value ?? fallback
  const valid = (list: readonly string[]) => typeof chosen === 'string' && list.includes(chosen)
  if (valid(DISPOSITION_CODES) && (!reason || valid(REASON_CODES))) return chosen as string
  problems.push(
    `${key}: expected one of Impact's disposition codes${reason ? ' that is a reason code too' : ''}, e.g. '${fallback}'`,
  )
  return fallback
}

/**
 * Checks `options` and returns the config. Throws one TypeError listing every problem, each with
 * its key and the fix; the Auth Token's value never appears in it.
 */
export function resolveServerOptions(options: ImpactServerOptions): ServerConfig {
  const raw = (typeof options === 'object' && options !== null ? options : {}) as unknown as Record<string, unknown>
  const browser = Object.fromEntries(
    Object.entries(raw).filter(([key]) => !(SERVER_KEYS as readonly string[]).includes(key)),
  )
  const resolved = resolveSettings(browser)
  const problems = resolved instanceof ImpactSettingsError ? [...resolved.problems] : []
  const settings = resolved instanceof ImpactSettingsError ? undefined : resolved
  if (settings && !settings.eventTypeId)
    problems.push("eventTypeId: required on the server: Impact's event type id, the actions' ActionTrackerId")
  const { authToken, timeoutMs, impactBaseUrl } = raw
  if (typeof authToken !== 'string' || !authToken.trim())
    problems.push('authToken: set your Impact Auth Token (a non-empty string)')
  if (
    timeoutMs !== undefined &&
    !(Number.isInteger(timeoutMs) && (timeoutMs as number) >= 1 && (timeoutMs as number) <= 120_000)
  )
    problems.push('timeoutMs: use a whole number of milliseconds from 1 to 120000, or leave it out (default 10000)')
  const base = impactBaseUrl === undefined ? IMPACT_API_BASE : impactUrlOf(impactBaseUrl)
  if (!base)
    problems.push(
      'impactBaseUrl: use an https URL without query or fragment (plain http only for localhost), or leave it out',
    )
  const config = {
    cancelEventNames: names(raw.cancelEventNames, ['Order Cancelled'], 'cancelEventNames', problems),
    refundEventNames: names(raw.refundEventNames, ['Order Refunded'], 'refundEventNames', problems),
    cancelDispositionCode: code(raw.cancelDispositionCode, 'ORDER_ERROR', 'cancelDispositionCode', problems, false),
    refundDispositionCode: code(raw.refundDispositionCode, 'ITEM_RETURNED', 'refundDispositionCode', problems, true),
  }
  if (problems.length || !settings)
    throw new TypeError(`Invalid Impact server options:\n${problems.map((p) => `- ${p}`).join('\n')}`)
  return {
    ...config,
    settings: settings as ServerConfig['settings'],
    authorization: basicAuth(settings.accountSid, authToken as string),
    actionsUrl: actionsUrl(settings.accountSid, base),
    conversionsUrl: conversionsUrl(settings.accountSid, base),
    timeoutMs: (timeoutMs as number | undefined) ?? 10_000,
  }
}

import type { SegmentEvent } from '@segment/analytics-next'
import type { Context, Plugin } from '@segment/analytics-node'
import { conversionFields } from '../plugin/conversion-fields'
import { consentOf, withTrackingConsent, type Sending } from '../plugin/consent'
import { hashIdentity, visitorEmail } from '../plugin/hash-email'
import { valueAt } from '../plugin/values'
import { createLogger, type Logger } from '../log'
import { isValidClickId } from '../impact-api'
import { PLUGIN_NAME, VERSION } from '../version'
import { actionChange } from './action-changes'
import { resolveServerOptions, type ImpactServerOptions, type ServerConfig } from './options'
import { sendWithRetries } from './send'

/** How one request to Impact for one event ended. */
export interface ImpactServerReport {
  /** A server-side conversion, an action reversed (DELETE), or an action's items changed (PUT). */
  kind: 'conversion' | 'reversal' | 'change'
  /** The Segment event's name. */
  event: string
  orderId: string | undefined
  ok: boolean
  /** Impact's last status; 0 when it never answered. */
  status: number
  attempts: number
  /** Why it failed (Impact's message: the action is unknown or locked, ...). */
  error?: string | undefined
}

/** The server plugin: a destination plugin for `@segment/analytics-node`. */
export interface ImpactServerPlugin extends Plugin {
  /**
   * Resolves once every request started so far has ended, retries included, with their reports
   * since the last call. Events are never held up waiting for Impact: call this after
   * `analytics.closeAndFlush()` when the process is about to exit, so no refund is left unsent.
   */
  settled(): Promise<ImpactServerReport[]>
}

/**
 * Creates the Impact destination for `@segment/analytics-node`:
 * `analytics.register(impactServer({ accountSid, campaignId, eventTypeId, authToken }))`.
 * `Order Cancelled` and `Order Refunded` reverse or change the order's action in Impact (until it
 * locks); `Order Completed` (the `actionEventNames`) goes out as a Conversion with the browser's
 * mapping, its click id from `context.referrer` (see {@link impactReferrer}). Throws one TypeError
 * listing every problem when `options` are invalid.
 */
export function impactServer(options: ImpactServerOptions): ImpactServerPlugin {
  const config = resolveServerOptions(options)
  const log = createLogger(config.settings.debug)
  const running = new Set<Promise<void>>()
  const reports: ImpactServerReport[] = []
  const start = (work: Promise<ImpactServerReport | undefined>): void => {
    const done: Promise<void> = work
      .then((report) => {
        if (!report) return
        reports.push(report)
        if (!report.ok) log.warn(`${report.kind} of order ${report.orderId} not delivered: ${report.error}`)
      })
      .catch((error: unknown) => log.error('server plugin error: ' + String(error)))
      .finally(() => running.delete(done))
    running.add(done)
  }
  return {
    name: PLUGIN_NAME,
    type: 'destination',
    version: VERSION,
    isLoaded: () => true,
    load: () => Promise.resolve(),
    track(ctx: Context) {
      try {
        const work = handle(ctx.event, config, log)
        if (work) start(work)
      } catch (error) {
        // A bug or a hostile event must not fail analytics-node's delivery to other destinations.
        log.error('server plugin error: ' + String(error))
      }
      return Promise.resolve(ctx)
    },
    async settled() {
      while (running.size) await Promise.all([...running])
      return reports.splice(0)
    },
  }
}

/** The request one event makes, if any. */
function handle(event: Context['event'], config: ServerConfig, log: Logger): Promise<ImpactServerReport> | undefined {
  const name = event.event ?? ''
  const orderId = valueAt(event, 'properties.order_id') as string | undefined
  const report = (
    kind: ImpactServerReport['kind'],
    sent: Promise<Omit<ImpactServerReport, 'kind' | 'event' | 'orderId'>>,
  ) => sent.then((outcome) => ({ kind, event: name, orderId, ...outcome }))
  const change = actionChange(event, config)
  if (typeof change === 'string') return void log.warn(change)
  if (change) {
    const request = {
      method: change.method,
      url: config.actionsUrl,
      fields: change.fields,
      authorization: config.authorization,
      timeoutMs: config.timeoutMs,
    }
    return report(change.method === 'DELETE' ? 'reversal' : 'change', sendWithRetries(request))
  }
  const install = config.settings.installEventNames.includes(name)
  if (!install && !config.settings.actionEventNames.includes(name)) return undefined
  return report('conversion', conversion(event as unknown as SegmentEvent, config, install, log))
}

/** A server-side conversion: the browser's mapping and consent rules, the click from `context.referrer`. */
async function conversion(event: SegmentEvent, config: ServerConfig, install: boolean, log: Logger) {
  const { settings } = config
  const sending = serverSending(event, settings.consentCategories, settings.sendWithoutConsent)
  if (sending === undefined) return { ok: false, status: 0, attempts: 0, error: 'consent not granted: not sent' }
  const referrer = valueAt(event, 'context.referrer') as { type?: unknown; id?: unknown } | undefined
  // Cookieless (refused, sendWithoutConsent): the click came from a cookie, so it stays out too.
  const clickId =
    referrer?.type === 'impact' && isValidClickId(referrer.id) && sending !== 'false' ? referrer.id : undefined
  const fields = withTrackingConsent(conversionFields(event, settings, { clickId }, install, Date.now(), log), sending)
  if (!fields) return { ok: false, status: 0, attempts: 0, error: 'cookieless and nothing attributes it: not sent' }
  const email = sending === 'false' ? undefined : visitorEmail(event, () => undefined)
  const body = await hashIdentity(fields, email).finalBody
  const request = {
    url: config.conversionsUrl,
    fields: Object.fromEntries(new URLSearchParams(body)),
    authorization: config.authorization,
    timeoutMs: config.timeoutMs,
  }
  return sendWithRetries(request)
}

/**
 * How the event may go under the browser's consent rules: `''` without consent management,
 * `'true'` granted, `'false'` refused with sendWithoutConsent; undefined: not at all (refused, or
 * not known: a server event has no later choice to wait for).
 */
function serverSending(event: SegmentEvent, categories: string[], sendWithoutConsent: boolean): Sending | undefined {
  const consent = consentOf(event, categories, categories.length > 0)
  if (consent === 'off') return ''
  if (consent === 'granted') return 'true'
  return consent === 'refused' && sendWithoutConsent ? 'false' : undefined
}

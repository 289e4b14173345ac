import type { Analytics, Context, Plugin, SegmentEvent } from '@segment/analytics-next'
import { createClickTracker, type ClickTracker } from '../click-id/click-tracker'
import type { ClickDecision } from '../click-id/unique-click'
import { createDelivery, type Delivery } from '../delivery/delivery'
import { isSuccess } from '../delivery/retry'
import type { Answer } from '../delivery/transport'
import type { ImpactFields } from '../fields'
import { createLogger, type Logger } from '../log'
import { ImpactSettingsError, resolveSettings, type ResolvedSettings } from '../settings'
import type { ImpactSettings } from '../types'
import { VERSION } from '../version'
import { conversionFields } from './conversion-fields'
import { conversionTarget } from './conversion-target'
import { hashEmail } from './hash-email'
import { pageLoadFields } from './page-load-fields'
import { routeEvent } from './route'
import { valueAt } from './values'

/** The destination's name: what `integrations: { 'Impact Partnership Cloud': false }` refers to. */
export const PLUGIN_NAME = 'Impact Partnership Cloud'

/**
 * A handler waits this long at most for its request's first attempt, so `analytics.track()`
 * promises are not held up by a slow or blocked Impact; retries carry on in the background.
 */
export const FIRST_ATTEMPT_WAIT_MS = 3000

/** The plugin factory, carrying its destination name like Segment's own destination factories. */
export interface ImpactPluginFactory {
  (settings: ImpactSettings): Plugin
  /** Always `'Impact Partnership Cloud'`. */
  readonly pluginName: typeof PLUGIN_NAME
}

/** What a loaded plugin holds for the page's life. */
interface Page {
  settings: ResolvedSettings
  log: Logger
  tracker: ClickTracker
  delivery: Delivery
  canConvert: boolean
  analytics: Analytics
  /** The unique-click decision for the document's landing, used by its first page event. */
  landing: ClickDecision | undefined
  /** URL of the previous page event: the referrer of in-app navigations. */
  previousUrl: string | undefined
}

/**
 * Creates the Impact Partnership Cloud destination for analytics-next:
 * `analytics.register(impactPartnershipCloud({ accountSid, campaignId, conversionEndpoint }))`.
 * Invalid settings never break analytics: they are reported once, as one error listing every
 * problem, and the plugin then does nothing.
 */
export const impactPartnershipCloud: ImpactPluginFactory = Object.assign(
  (rawSettings: ImpactSettings): Plugin => {
    const resolved = resolveSettings(rawSettings)
    let page: Page | undefined
    let markReady: () => void = () => {}
    const ready = new Promise<void>((resolve) => (markReady = resolve))

    const handle = async (ctx: Context): Promise<Context> => {
      await ready
      if (!page) return ctx
      const p = page
      try {
        const answer = await route(p, ctx.event)
        if (answer && answer !== 'duplicate' && !isSuccess(answer.status)) {
          ctx.log('warn', 'Impact request not delivered yet', { plugin: PLUGIN_NAME, status: answer.status })
        }
      } catch (error) {
        // A bug here must not become a failed delivery for analytics or the other destinations.
        ctx.log('error', 'Impact plugin error', { plugin: PLUGIN_NAME, error })
        p.log.debug('event not sent: unexpected error', error)
      }
      return ctx
    }

    return {
      name: PLUGIN_NAME,
      type: 'destination',
      version: VERSION,
      isLoaded: () => page !== undefined,
      ready: () => ready,
      load(_ctx, analytics) {
        try {
          if (resolved instanceof ImpactSettingsError) createLogger(true).error(resolved.message)
          else if (typeof window === 'object') page = start(resolved, analytics)
        } catch (error) {
          createLogger(true).error('could not start; events are not sent to Impact: ' + String(error))
        }
        markReady()
        return Promise.resolve()
      },
      page: handle,
      screen: handle,
      identify: handle,
      track: handle,
    }
  },
  { pluginName: PLUGIN_NAME } as const,
)

/** Sets the page up: click capture from the landing URL (no network), delivery, outbox replay. */
function start(settings: ResolvedSettings, analytics: Analytics): Page {
  const log = createLogger(settings.debug)
  const tracker = createClickTracker(settings, location, log)
  const target = conversionTarget(settings, log)
  const delivery = createDelivery(settings.pageLoadEndpoint, target, log)
  // Capture now: events buffered before a late register() never reach this plugin, the click must not be lost.
  const landing = tracker.pageLoad(location.href, document.referrer, Date.now())
  const replay = (): void => void delivery.flush()
  // Replay after load() has returned, so loading makes no request itself.
  setTimeout(replay, 0)
  addEventListener('online', replay)
  return { settings, log, tracker, delivery, canConvert: !!target, analytics, landing, previousUrl: undefined }
}

/** Sends one event where its route says; resolves with the first attempt's answer (capped in time). */
async function route(p: Page, event: SegmentEvent): Promise<Answer | 'duplicate' | undefined> {
  const kind = routeEvent(event, p.settings)
  if (!kind) {
    p.log.debug(`${event.type} ${event.event ?? ''} not sent: no Impact route for it`)
    return undefined
  }
  const now = Date.now()
  const customerEmail = await hashEmail(emailOf(event, p.analytics))
  let sending: Promise<Answer | 'duplicate'>
  if (kind === 'pageLoad') {
    const view = viewOf(p, event, now)
    const fields = pageLoadFields(event, p.settings, { clickId: view.clickId, customerEmail }, view, now)
    sending = p.delivery.sendPageLoad(encode(fields), (answer) =>
      p.tracker.adopt(valueAt(answer.body, 'clickId')),
    )
  } else {
    if (!p.canConvert) return undefined
    const note = (message: string): void => p.log.debug(message)
    const identity = { clickId: p.tracker.clickId(), customerEmail }
    const fields = conversionFields(event, p.settings, identity, kind === 'install', now, note)
    const type = fields.EventTypeId ?? fields.EventTypeCode
    sending = p.delivery.sendConversion(`${type}|${fields.OrderId}`, encode(fields))
  }
  let timer: number | undefined
  const timeout = new Promise<undefined>((resolve) => (timer = +setTimeout(resolve, FIRST_ATTEMPT_WAIT_MS)))
  return Promise.race([sending, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Where a page event happened and which click it belongs to. The document's first page event
 * takes the landing decision made at load; later (in-app) page events are decided afresh with the
 * previous page as referrer, never the stale external `document.referrer`.
 */
function viewOf(p: Page, event: SegmentEvent, now: number) {
  const url = String(valueAt(event.properties, 'url') ?? valueAt(event.context, 'page.url') ?? location.href)
  let clickId = p.tracker.clickId()
  let referrer = p.previousUrl ?? document.referrer
  if (event.type === 'page') {
    const decision = p.landing ?? p.tracker.pageLoad(url, referrer, now)
    p.landing = undefined
    p.previousUrl = url
    clickId = decision.unique ? decision.clickId : clickId
  }
  const userAgent = String(valueAt(event.context, 'userAgent') ?? navigator.userAgent)
  return { url, referrer, clickId, userAgent }
}

/** The visitor's email from the event, else the identified user's traits. */
function emailOf(event: SegmentEvent, analytics: Analytics): unknown {
  let traits: unknown
  try {
    traits = analytics.user().traits()
  } catch {
    // Storage-less user objects can throw; the event may still carry the email.
  }
  return (
    valueAt(event.properties, 'email') ??
    valueAt(event.traits, 'email') ??
    valueAt(event.context, 'traits.email') ??
    valueAt(traits, 'email')
  )
}

/** Impact's form encoding. */
function encode(fields: ImpactFields): string {
  return new URLSearchParams(fields).toString()
}

import type { Analytics, Context, Plugin, SegmentEvent } from '@segment/analytics-next'
import { createClickTracker, type ClickTracker } from '../click-id/click-tracker'
import { createCookieStore } from '../click-id/cookie-store'
import { trackedPage } from '../click-id/tracked-page'
import { createDelivery, type Delivery } from '../delivery/delivery'
import { isSuccess } from '../delivery/retry'
import type { Answer } from '../delivery/transport'
import { createLogger, type Logger } from '../log'
import { resolveSettings, type ResolvedSettings } from '../settings'
import type { ImpactSettings } from '../types'
import { PLUGIN_NAME, VERSION } from '../version'
import { claimCloudModeDestination } from './cloud-mode'
import { conversionTarget } from './conversion-target'
import { cdnConsent, withTrackingConsent, type Sending } from './consent'
import { createConsentGate, type ConsentGate } from './consent-gate'
import { buildConversion } from './conversions'
import { hashIdentity, visitorEmail } from './hash-email'
import { reportImpactWarnings } from './impact-warnings'
import { createPageLoads, type Landing, type PageLoads } from './page-loads'
import { routeEvent, type Route } from './route'
import { valueAt } from './values'

export { PLUGIN_NAME }

/**
 * Where a page keeps its active plugin: one per page, whichever build it comes from (an npm build
 * next to the CDN bundle, two register calls), or every click and sale would count twice.
 */
export const ACTIVE_INSTANCE = Symbol.for('impact-partnership-cloud')

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

/** What a started plugin holds for the document's life. */
interface StartedPlugin {
  settings: ResolvedSettings
  log: Logger
  tracker: ClickTracker
  delivery: Delivery
  pageLoads: PageLoads
  gate: ConsentGate
  /** False when conversions have nowhere to go (no conversionEndpoint, no opt-in). */
  converts: boolean
  analytics: Analytics
}

/**
 * Creates the Impact Partnership Cloud destination for analytics-next:
 * `analytics.register(impactPartnershipCloud({ accountSid, campaignId, conversionEndpoint }))`.
 * Invalid settings never break analytics: they are reported once, as one error listing every
 * problem, and the plugin then sends nothing.
 */
export const impactPartnershipCloud: ImpactPluginFactory = Object.assign(
  (rawSettings: ImpactSettings): Plugin => {
    // Never throws: a getter that throws (a hostile Proxy) is one more listed problem.
    const settings = resolveSettings(rawSettings)
    let started: StartedPlugin | undefined
    let loaded!: () => void
    const ready = new Promise<void>((resolve) => (loaded = resolve))
    const handle = async (ctx: Context): Promise<Context> => {
      await ready
      try {
        if (started) await send(started, ctx)
      } catch (error) {
        // A bug here must not become a failed delivery for analytics or the other destinations.
        ctx.log('error', 'Impact plugin error', { error })
      }
      return ctx
    }
    return {
      name: PLUGIN_NAME,
      type: 'destination',
      version: VERSION,
      isLoaded: () => !!started,
      ready: () => ready,
      load(_ctx, analytics) {
        try {
          if (settings instanceof Error) throw settings
          const page = globalThis as { [ACTIVE_INSTANCE]?: unknown }
          if (!started && page[ACTIVE_INSTANCE]) createLogger(true).warn('already active: this copy stays inactive')
          // Loaded again: one set of listeners and one landing capture.
          else page[ACTIVE_INSTANCE] = started ??= start(settings, analytics)
        } catch (error) {
          // Invalid settings (one message listing every problem), or a page the plugin cannot run in.
          createLogger(true).error(error instanceof Error ? error.message : 'could not start: ' + error)
        }
        loaded()
        return ready
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
function start(settings: ResolvedSettings, analytics: Analytics): StartedPlugin {
  const log = createLogger(settings.debug)
  const cdn = cdnConsent(analytics, PLUGIN_NAME)
  const categories = settings.consentCategories.length ? settings.consentCategories : cdn.categories
  const page = trackedPage(window)
  const tracker = createClickTracker(settings, page, log)
  const target = conversionTarget(settings, log)
  const giveBackClaim = claimCloudModeDestination(analytics, PLUGIN_NAME, { log, settings, converts: !!target })
  // Sent keys fall back to a host-only cookie when no Web Storage takes them (full quota).
  const sentFallback = createCookieStore(() => undefined, page.protocol === 'https:')
  const delivery = createDelivery({ pageLoadUrl: settings.pageLoadEndpoint, target, log, deps: { sentFallback } })
  const replay = (): void => void delivery.flush()
  // Replayed after load() returns, so loading itself makes no request.
  setTimeout(replay, 0)
  addEventListener('online', replay)
  addEventListener('pagehide', () => delivery.leave())
  addEventListener('pageshow', (event) => event.persisted && delivery.back())
  // Captured now: events buffered before a late register() never reach this plugin. With consent
  // gating known to be on, the click is decided (and stored) only once an event shows a grant.
  const landing: Landing = { url: location.href, referrer: document.referrer, at: Date.now() }
  const gated = categories.length > 0 || cdn.managed
  if (!gated) landing.click = tracker.pageLoad(landing.url, landing.referrer, landing.at)
  const gate = createConsentGate({
    categories,
    gated,
    sendWithoutConsent: settings.sendWithoutConsent,
    tracker,
    landing,
    log,
    onLateGating: () => giveBackClaim?.(),
  })
  const pageLoads = createPageLoads(settings, tracker, landing)
  return { settings, log, tracker, delivery, pageLoads, gate, converts: !!target, analytics }
}

/**
 * Sends one event where its route says, after the events the consent gate released with it, and
 * waits for its first attempt at most FIRST_ATTEMPT_WAIT_MS.
 */
async function send(plugin: StartedPlugin, ctx: Context): Promise<void> {
  const event = ctx.event
  const route = routeEvent(event, plugin.settings)
  const sends = !!route && (route === 'pageLoad' || plugin.converts)
  const released = plugin.gate.admit(event, sends)
  if (released[released.length - 1]?.event !== event)
    plugin.log.debug('not sent', sends ? 'consent' : (event.event ?? event.type))
  // Nothing goes (most events): no request to wait for, no timer.
  if (!released.length) return
  // Withheld events go first; the handler waits for them too, as for its own event.
  const request = Promise.all(released.map((r) => dispatch(plugin, r.event, r.sending))).then((a) => a.pop())
  const answer = await Promise.race([
    request,
    new Promise<void>((resolve) => setTimeout(resolve, FIRST_ATTEMPT_WAIT_MS)),
  ])
  if (answer && answer !== 'duplicate' && !isSuccess(answer.status))
    ctx.log('warn', 'Impact: not delivered yet', answer)
}

/** One event to its route (known to route somewhere); undefined when it leaves nothing to send. */
function dispatch(
  plugin: StartedPlugin,
  event: SegmentEvent,
  sending: Sending,
): Promise<Answer | 'duplicate' | undefined> {
  const route = routeEvent(event, plugin.settings)
  return route === 'pageLoad' ? sendPageLoad(plugin, event, sending) : sendConversion(plugin, event, route, sending)
}

/** A PageLoad: its email hashed first (PageLoads are never stored, so nothing is lost waiting). */
async function sendPageLoad(plugin: StartedPlugin, event: SegmentEvent, sending: Sending): Promise<Answer | undefined> {
  const fields = withTrackingConsent(plugin.pageLoads.fields(event, Date.now(), sending === 'false'), sending)
  if (!fields) return unattributed(plugin)
  const { finalBody } = hashIdentity(fields, emailOf(plugin, event, sending))
  return plugin.delivery.sendPageLoad(await finalBody, (answer) => {
    // A referral's click id is kept only where cookies are allowed.
    if (sending !== 'false') plugin.tracker.adopt(valueAt(answer.body, 'clickId'))
    reportImpactWarnings(answer.body, plugin.log)
  })
}

/** A conversion: stored at once (in memory only when cookieless), sent once its email is hashed. */
async function sendConversion(
  plugin: StartedPlugin,
  event: SegmentEvent,
  route: Route,
  sending: Sending,
): Promise<Answer | 'duplicate' | undefined> {
  const now = Date.now()
  const { tracker, log } = plugin
  const cookieless = sending === 'false'
  const conversion = buildConversion(event, {
    settings: plugin.settings,
    // Cookieless: the click on this URL, else the landing's, held in memory by this document.
    clickId: cookieless ? plugin.pageLoads.heldClickId(now) : tracker.clickId(),
    email: emailOf(plugin, event, sending),
    install: route === 'install',
    sending,
    now,
    log,
  })
  if (!conversion) return unattributed(plugin)
  return plugin.delivery.sendConversion(conversion, { persist: !cookieless })
}

/** A cookieless event that nothing attributes (no click id on the URL) is not sent. */
function unattributed(plugin: StartedPlugin): undefined {
  plugin.log.debug('cookieless: no click id')
  return undefined
}

/** The visitor's email from the event, else the identified user's traits; none when cookieless. */
function emailOf(plugin: StartedPlugin, event: SegmentEvent, sending: Sending): unknown {
  return sending === 'false' ? undefined : visitorEmail(event, () => plugin.analytics.user().traits())
}

import type { Analytics, Context, Plugin, SegmentEvent } from '@segment/analytics-next'
import { withoutClickIds } from '../click-id/click-id'
import { createClickTracker, type ClickTracker } from '../click-id/click-tracker'
import type { ClickDecision } from '../click-id/unique-click'
import { createDelivery, type Delivery } from '../delivery/delivery'
import { conversionKey } from '../delivery/outbox'
import { isSuccess } from '../delivery/retry'
import type { Answer } from '../delivery/transport'
import type { ImpactFields } from '../fields'
import { createLogger, type Logger } from '../log'
import { resolveSettings, type ResolvedSettings } from '../settings'
import type { ImpactSettings } from '../types'
import { VERSION } from '../version'
import { conversionFields } from './conversion-fields'
import { claimCloudModeDestination } from './cloud-mode'
import { conversionTarget } from './conversion-target'
import type { Identity } from './identity-fields'
import { hashEmail } from './hash-email'
import { reportImpactWarnings } from './impact-warnings'
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
  converts: boolean
  analytics: Analytics
  /** The unique-click decision made at load and the landing URL, for the document's first page event. */
  landing?: [ClickDecision, string] | undefined
  /** URL of the previous page event: the referrer of in-app navigations. */
  previousUrl?: string
}

/**
 * Creates the Impact Partnership Cloud destination for analytics-next:
 * `analytics.register(impactPartnershipCloud({ accountSid, campaignId, conversionEndpoint }))`.
 * Invalid settings never break analytics: they are reported once, as one error listing every
 * problem, and the plugin then sends nothing.
 */
export const impactPartnershipCloud: ImpactPluginFactory = Object.assign(
  (rawSettings: ImpactSettings): Plugin => {
    const settings = resolveSettings(rawSettings)
    let page: Page | undefined
    let loaded!: () => void
    const ready = new Promise<void>((resolve) => (loaded = resolve))
    const handle = async (ctx: Context): Promise<Context> => {
      await ready
      try {
        if (page) await send(page, ctx)
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
      isLoaded: () => !!page,
      ready: () => ready,
      load(_ctx, analytics) {
        try {
          if (settings instanceof Error) throw settings
          // Registered twice (or loaded again): one set of listeners and one landing capture.
          page ??= start(settings, analytics)
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
function start(settings: ResolvedSettings, analytics: Analytics): Page {
  const log = createLogger(settings.debug)
  claimCloudModeDestination(analytics, PLUGIN_NAME, log)
  const tracker = createClickTracker(settings, location, log)
  const target = conversionTarget(settings, log)
  const delivery = createDelivery(settings.pageLoadEndpoint, target, log)
  const replay = (): void => void delivery.flush()
  // Replayed after load() returns, so loading itself makes no request.
  setTimeout(replay, 0)
  addEventListener('online', replay)
  addEventListener('pagehide', () => delivery.leave())
  // Captured now: events buffered before a late register() never reach this plugin.
  const landing: Page['landing'] = [tracker.pageLoad(location.href, document.referrer, Date.now()), location.href]
  return { settings, log, tracker, delivery, converts: !!target, analytics, landing }
}

/** Sends one event where its route says, waiting for the first attempt at most FIRST_ATTEMPT_WAIT_MS. */
async function send(p: Page, ctx: Context): Promise<void> {
  const event = ctx.event
  const kind = routeEvent(event, p.settings)
  const now = Date.now()
  if (!kind || (kind !== 'pageLoad' && !p.converts)) return p.log.debug('not sent: ' + (event.event ?? event.type))
  const identity: Identity = { clickId: p.tracker.clickId() }
  let sending: Promise<Answer | 'duplicate'>
  if (kind === 'pageLoad') {
    identity.customerEmail = await hashEmail(emailOf(event, p.analytics))
    let url = String(valueAt(event.properties, 'url') ?? valueAt(event.context, 'page.url') ?? location.href)
    // In-app navigations are referred by the previous page, never the stale external document.referrer.
    const referrer = p.previousUrl ?? document.referrer
    let unique = false
    if (event.type === 'page') {
      // A site may clean the click id out of the address bar before its first page(): a unique
      // click still reports the landing URL that carried it.
      const [decision, landingUrl] = p.landing ?? [p.tracker.pageLoad(url, referrer, now), url]
      p.landing = undefined
      p.previousUrl = url
      if ((unique = decision.unique)) {
        identity.clickId = decision.clickId
        url = landingUrl
      }
    }
    if (!unique) url = withoutClickIds(url, p.settings.clickIdParams)
    const userAgent = String(valueAt(event.context, 'userAgent') ?? navigator.userAgent)
    const fields = pageLoadFields(event, p.settings, identity, { url, referrer, userAgent }, now)
    sending = p.delivery.sendPageLoad(encode(fields), (answer) => {
      p.tracker.adopt(valueAt(answer.body, 'clickId'))
      reportImpactWarnings(answer.body, p.log)
    })
  } else {
    const fields = conversionFields(event, p.settings, identity, kind === 'install', now, p.log.debug)
    // WebCrypto answers in a later task, and a thank-you page may navigate away before that: the
    // conversion is stored now and gets its hashed CustomerEmail (also a custom-mapped one) after.
    const email = fields.CustomerEmail ?? emailOf(event, p.analytics)
    delete fields.CustomerEmail
    const body = encode(fields)
    const final = hashEmail(email).then((hash) => (hash ? body + '&CustomerEmail=' + hash : body))
    sending = p.delivery.sendConversion(conversionKey(fields), body, final)
  }
  const answer = await Promise.race([
    sending,
    new Promise<void>((resolve) => setTimeout(resolve, FIRST_ATTEMPT_WAIT_MS)),
  ])
  if (answer && answer !== 'duplicate' && !isSuccess(answer.status))
    ctx.log('warn', 'Impact: not delivered yet', answer)
}

/** The visitor's email from the event, else the identified user's traits. */
function emailOf(event: SegmentEvent, analytics: Analytics): unknown {
  let traits: unknown
  try {
    traits = analytics.user().traits()
  } catch {
    // a user object without storage can throw; the event may still carry the email
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

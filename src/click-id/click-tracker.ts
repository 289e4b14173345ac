import type { Logger } from '../log'
import type { ResolvedSettings } from '../settings'
import { clickIdFromUrl, isValidClickId } from './click-id'
import { createCookieStore } from './cookie-store'
import { registrableDomain } from './registrable-domain'
import { decideClick, type ClickDecision, type ClickSession } from './unique-click'
import { clickIdFromUttCookie } from './utt-cookie'

/** Cookie holding the newest valid click id (last click wins). */
export const CLICK_ID_COOKIE = 'impact_click_id'
/** Cookie holding the click session as `<startMs>.<lastMs>`; it expires with the rolling window. */
export const CLICK_SESSION_COOKIE = 'impact_click_session'

/** Click identity of one page: what the cookies say, and what each page load decides. */
export interface ClickTracker {
  /** Applies the unique-click rule to a page load at `url` and stores the outcome. */
  pageLoad(url: string, referrer: string | undefined, now: number): ClickDecision
  /** The stored click id: ours, else the one Impact's own tag (UTT) left behind. */
  clickId(): string | undefined
  /** Stores a click id Impact assigned (a referral click) when none is stored yet. */
  adopt(clickId: unknown): void
}

type Settings = Pick<
  ResolvedSettings,
  'campaignId' | 'clickIdParams' | 'cookieDomain' | 'cookieMaxAgeDays' | 'uniqueClickWindowMinutes'
>

/** Creates the tracker for a page at `hostname` over `protocol`. Never throws. */
export function createClickTracker(
  settings: Settings,
  page: { hostname: string; protocol: string },
  log: Logger,
): ClickTracker {
  const cookieDomain = settings.cookieDomain?.replace(/^\./, '') ?? registrableDomain(page.hostname)
  const siteDomain = cookieDomain ?? page.hostname
  const cookies = createCookieStore(cookieDomain, page.protocol === 'https:')
  const windowMs = settings.uniqueClickWindowMinutes * 60_000
  // With cookies refused, the page still keeps its click for its own later events.
  const memory: { clickId?: string; session?: string } = {}

  const read = (name: string, key: keyof typeof memory): string | undefined => cookies.get(name) ?? memory[key]
  const write = (name: string, key: keyof typeof memory, value: string, days: number): void => {
    memory[key] = value
    if (!cookies.set(name, value, days)) log.debug(`cookie ${name} could not be written; keeping it for this page only`)
  }
  const clickId = (): string | undefined => {
    const ours = read(CLICK_ID_COOKIE, 'clickId')
    if (isValidClickId(ours)) return ours
    return clickIdFromUttCookie(cookies.get('IR_' + settings.campaignId))
  }
  const storeClickId = (id: string): void => write(CLICK_ID_COOKIE, 'clickId', id, settings.cookieMaxAgeDays)

  return {
    clickId,
    adopt(id) {
      if (isValidClickId(id) && !clickId()) {
        log.debug('stored the click id Impact assigned to this visit', id)
        storeClickId(id)
      }
    },
    pageLoad(url, referrer, now) {
      const decision = decideClick({
        urlClickId: clickIdFromUrl(url, settings.clickIdParams, log),
        storedClickId: clickId(),
        referrerHost: hostOf(referrer),
        siteDomain,
        session: parseSession(read(CLICK_SESSION_COOKIE, 'session')),
        now,
        windowMs,
      })
      if (decision.reason === 'click-id' && decision.clickId) storeClickId(decision.clickId)
      if (decision.session) {
        write(CLICK_SESSION_COOKIE, 'session', `${decision.session.start}.${decision.session.last}`, windowMs / 86_400_000)
      }
      log.debug(`page load: ${decision.unique ? 'unique click' : 'plain'} (${decision.reason})`, decision.clickId)
      return decision
    },
  }
}

function parseSession(value: string | undefined): ClickSession | undefined {
  const m = value && /^(\d{1,15})\.(\d{1,15})$/.exec(value)
  return m ? { start: Number(m[1]), last: Number(m[2]) } : undefined
}

function hostOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).hostname || undefined : undefined
  } catch {
    return undefined
  }
}

import type { Logger } from '../log'
import type { ResolvedSettings } from '../settings'
import { clickIdFromUrl, isValidClickId } from './click-id'
import { createCookieStore } from './cookie-store'
import { registrableDomain } from './registrable-domain'
import { decideClick, type ClickDecision } from './unique-click'
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
  const cookies = createCookieStore(cookieDomain, page.protocol === 'https:')
  const windowMinutes = settings.uniqueClickWindowMinutes
  /** The click id last read: an answer carrying it again (the usual case) needs no cookie read. */
  let known: string | undefined
  const clickId = (): string | undefined => {
    const ours = cookies.get(CLICK_ID_COOKIE)
    return (known = isValidClickId(ours) ? ours : clickIdFromUttCookie(cookies.get('IR_' + settings.campaignId)))
  }
  const store = (id: string): void => {
    if (!cookies.set(CLICK_ID_COOKIE, id, settings.cookieMaxAgeDays))
      log.debug('cookies refused: click kept for this page only')
  }

  return {
    clickId,
    adopt(id) {
      if (isValidClickId(id) && id !== known && !clickId()) store(id)
    },
    pageLoad(url, referrer, now) {
      const [start, last] = (cookies.get(CLICK_SESSION_COOKIE) ?? '').split('.').map(Number)
      const decision = decideClick({
        urlClickId: clickIdFromUrl(url, settings.clickIdParams, log),
        storedClickId: clickId(),
        referrerHost: hostOf(referrer),
        siteDomain: cookieDomain ?? page.hostname,
        session: start! > 0 && last! > 0 ? { start: start!, last: last! } : undefined,
        now,
        windowMs: windowMinutes * 60_000,
      })
      if (decision.reason === 'click-id') store(decision.clickId!)
      if (decision.session) {
        cookies.set(CLICK_SESSION_COOKIE, decision.session.start + '.' + decision.session.last, windowMinutes / 1440)
      }
      log.debug(`page load: ${decision.reason}`, decision.clickId)
      return decision
    },
  }
}

/** The referrer's host; an empty or missing referrer (a direct visit) is not parsed at all. */
function hostOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).hostname : undefined
  } catch {
    return undefined
  }
}

import type { Logger } from '../log'
import type { ResolvedSettings } from '../settings'
import { clickIdFromUrl, isValidClickId } from './click-id'
import { CLICK_ID_COOKIE, CLICK_SESSION_COOKIE } from './cookie-names'
import { createCookieStore, removeEverywhere, type CookieStore } from './cookie-store'
import { parseUrl } from '../parse-url'
import { registrableDomain } from './registrable-domain'
import { decideClick, isSameSite, type ClickDecision, type ClickSession } from './unique-click'
import { clickIdFromUttCookie } from './utt-cookie'

export { CLICK_ID_COOKIE, CLICK_SESSION_COOKIE }

/** Click identity of one page: what the cookies say, and what each page load decides. */
export interface ClickTracker {
  /** Applies the unique-click rule to a page load at `url` and stores the outcome. */
  pageLoad(url: string, referrer: string | undefined, now: number): ClickDecision
  /** The stored click id: ours, else the one Impact's own tag (UTT) left behind. */
  clickId(): string | undefined
  /** Stores a click id Impact assigned (a referral click) when none is stored yet. */
  adopt(clickId: unknown): void
  /**
   * The unique-click rule for a visitor who refused tracking: only the click id in `url` counts;
   * no cookie is read or written, so there is no stored click and no session.
   */
  peek(url: string, referrer: string | undefined, now: number): ClickDecision
  /** Removes the click cookies, every copy (the relay's included): consent withdrawn. */
  forget(): void
}

type Settings = Pick<
  ResolvedSettings,
  'campaignId' | 'clickIdParams' | 'cookieDomain' | 'cookieMaxAgeDays' | 'uniqueClickWindowMinutes'
>

/** The page a tracker works for. */
export interface TrackedPage {
  hostname: string
  protocol: string
  /** The page framing this document when it is of another origin (see trackedPage). */
  framedBy?: string | undefined
}

/** Creates the tracker for a page at `hostname` over `protocol`. Never throws. */
export function createClickTracker(settings: Settings, page: TrackedPage, log: Logger): ClickTracker {
  const configuredDomain = settings.cookieDomain?.replace(/^\./, '')
  let cookieDomain: string | undefined
  /**
   * Where the click cookies go: the configured domain, else the registrable domain. Probing for it
   * costs three cookie accesses, so the session cookie remembers how many labels it has, and a page
   * view inside a session writes without probing. Asked only when a cookie is written or a referrer
   * from another host is judged: a visitor who has not consented yet never gets the probe cookie.
   */
  const domain = (): string | undefined =>
    (cookieDomain ??= configuredDomain ?? rememberedDomain() ?? registrableDomain(page.hostname))
  /** The session cookie's three numbers: start, last activity, labels of its domain. */
  const sessionCookie = (): number[] => (cookies().get(CLICK_SESSION_COOKIE) ?? '').split('.').map(Number)
  const rememberedDomain = (): string | undefined => {
    const count = sessionCookie()[2]!
    return count > 1 ? page.hostname.split('.').slice(-count).join('.') : undefined
  }
  let store: CookieStore | undefined
  const cookies = (): CookieStore => (store ??= createCookieStore(domain, page.protocol === 'https:'))
  const windowMinutes = settings.uniqueClickWindowMinutes
  /** The click id last read: an answer carrying it again (the usual case) needs no cookie read. */
  let known: string | undefined
  const clickId = (): string | undefined => {
    const ours = cookies().get(CLICK_ID_COOKIE)
    return (known = isValidClickId(ours) ? ours : clickIdFromUttCookie(cookies().get('IR_' + settings.campaignId)))
  }
  const keep = (id: string): void => {
    known = id
    if (!cookies().set(CLICK_ID_COOKIE, id, settings.cookieMaxAgeDays)) log.debug('cookies refused')
  }
  /**
   * Framed by a page of another site: a click id on the URL or a referral there is click stuffing,
   * so neither counts and nothing is stored. Settled once, so the probe runs once at most.
   */
  let foreign: boolean | undefined
  const framed = (): boolean =>
    (foreign ??= page.framedBy !== undefined && !isSameSite(hostOf(page.framedBy) ?? '', domain() ?? page.hostname))
  const decide = (url: string, referrer: string | undefined, now: number, stored?: Stored): ClickDecision => {
    if (framed()) url = referrer = ''
    const referrerHost = hostOf(referrer)
    return decideClick({
      urlClickId: clickIdFromUrl(url, settings.clickIdParams, log),
      storedClickId: stored?.clickId,
      referrerHost,
      // A referrer on this very host is this site whatever its registrable domain: no probe.
      siteDomain:
        (stored && referrerHost && referrerHost !== page.hostname ? domain() : configuredDomain) ?? page.hostname,
      session: stored?.session,
      now,
      windowMs: windowMinutes * 60_000,
    })
  }
  return {
    clickId,
    adopt(id) {
      if (isValidClickId(id) && id !== known && !clickId()) keep(id)
    },
    pageLoad(url, referrer, now) {
      if (framed()) return decide(url, referrer, now)
      const [start, last] = sessionCookie()
      const session = start! > 0 && last! > 0 ? { start: start!, last: last! } : undefined
      const decision = decide(url, referrer, now, { clickId: clickId(), session })
      if (decision.reason === 'click-id') keep(decision.clickId!)
      if (decision.session) {
        const { start, last } = decision.session
        const labels = domain()?.split('.').length ?? 0
        cookies().set(CLICK_SESSION_COOKIE, `${start}.${last}.${labels}`, windowMinutes / 1440)
      }
      log.debug(`page load: ${decision.reason}`, decision.clickId)
      return decision
    },
    peek: (url, referrer, now) => decide(url, referrer, now),
    forget() {
      for (const name of [CLICK_ID_COOKIE, CLICK_SESSION_COOKIE]) {
        cookies().remove(name)
        removeEverywhere(name, page.hostname)
      }
    },
  }
}

/** What the cookies hold, for the unique-click rule. */
interface Stored {
  clickId: string | undefined
  session: ClickSession | undefined
}

/** The referrer's host; an empty or missing referrer (a direct visit) is not parsed at all. */
function hostOf(url: string | undefined): string | undefined {
  return parseUrl(url)?.hostname
}

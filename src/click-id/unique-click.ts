/** A click session: the rolling window inside which repeat page loads are not new clicks. */
export interface ClickSession {
  /** When the session started (ms since epoch). */
  start: number
  /** The session's latest activity (ms since epoch); the window rolls from here. */
  last: number
}

/** Everything the unique-click rule looks at. */
export interface ClickInput {
  /** Valid click id carried by the page's URL, if any. */
  urlClickId: string | undefined
  /** Click id stored from an earlier click, if any. */
  storedClickId: string | undefined
  /** Host name of the page's referrer, when it is an external document referrer. */
  referrerHost: string | undefined
  /** The site's registrable domain (or host name on localhost and IP addresses). */
  siteDomain: string
  /** The stored click session, if any. */
  session: ClickSession | undefined
  /** Current time, ms since epoch. */
  now: number
  /** Length of the rolling window in ms. */
  windowMs: number
}

/** The rule's verdict for one page load. */
export interface ClickDecision {
  /** True when Impact should count this page load as a unique partner click. */
  unique: boolean
  /** Why: a new click id, an external referral, a repeat inside the session, or neither. */
  reason: 'click-id' | 'referral' | 'repeat' | 'none'
  /** The click id this page load belongs to (the new one, or the stored one). */
  clickId: string | undefined
  /** The session to store after this page load (undefined: leave storage as it is). */
  session: ClickSession | undefined
}

/**
 * The unique-click rule (IAB): a page load is a unique click when it carries a valid click id other
 * than the active session's, or when it comes from another site while no session is active. Any
 * other page load inside the rolling window is a repeat and extends the window.
 */
export function decideClick(input: ClickInput): ClickDecision {
  const { urlClickId, storedClickId, session, now } = input
  const active = session && now - session.last < input.windowMs ? session : undefined
  const fresh: ClickSession = { start: now, last: now }
  if (urlClickId && !(active && urlClickId === storedClickId)) {
    return { unique: true, reason: 'click-id', clickId: urlClickId, session: fresh }
  }
  // A return from a payment provider or an OAuth page arrives with an external referrer while the
  // session is active: that is the same visit, not a new referral.
  if (!active && input.referrerHost && !isSameSite(input.referrerHost, input.siteDomain)) {
    return { unique: true, reason: 'referral', clickId: undefined, session: fresh }
  }
  if (active) {
    return { unique: false, reason: 'repeat', clickId: storedClickId, session: { start: active.start, last: now } }
  }
  return { unique: false, reason: 'none', clickId: storedClickId, session: undefined }
}

/** True when `host` is `siteDomain` itself or one of its subdomains. */
export function isSameSite(host: string, siteDomain: string): boolean {
  const h = host.toLowerCase()
  const d = siteDomain.toLowerCase()
  return h === d || h.endsWith('.' + d)
}

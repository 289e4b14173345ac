// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { clickIdFromUrl, isValidClickId } from '../src/click-id/click-id'
import { CLICK_ID_COOKIE, CLICK_SESSION_COOKIE, createClickTracker } from '../src/click-id/click-tracker'
import { createCookieStore } from '../src/click-id/cookie-store'
import { trackedPage } from '../src/click-id/tracked-page'
import { registrableDomain } from '../src/click-id/registrable-domain'
import { decideClick, isSameSite, type ClickInput } from '../src/click-id/unique-click'
import { clickIdFromUttCookie } from '../src/click-id/utt-cookie'
import { breakCookies, clearCookies, cookieAttributes, cookies, setPage, watchCookieWrites } from './support/dom'
import { resolved, silentLog } from './support/settings'

const MINUTE = 60_000
const DAY = 86_400_000

describe('isValidClickId', () => {
  it.each([
    ['one character', 'a', true],
    ['64 characters', 'a'.repeat(64), true],
    ['a typical Impact click id', 'QzU0mVw2ZxyNUvk0MxwUKV8pUkH0C-VSJ30fyA0', true],
    ['- _ . ~', 'a-b_c.d~e', true],
    ['only punctuation', '-_.~', true],
    ['digits', '1234567890', true],
    ['65 characters', 'a'.repeat(65), false],
    ['empty', '', false],
    ['a semicolon (cookie injection)', 'abc;domain=evil.com', false],
    ['an equals sign', 'a=b', false],
    ['CR/LF (header injection)', 'abc\r\nSet-Cookie: x=1', false],
    ['LF alone', 'abc\n', false],
    ['a double quote', 'ab"c', false],
    ['a single quote', "ab'c", false],
    ['markup', '<script>alert(1)</script>', false],
    ['a space', 'abc 123', false],
    ['a tab', 'abc\t123', false],
    ['a percent sign', 'abc%20', false],
    ['a slash', 'abc/123', false],
    ['unicode é', 'caf\u00e9', false],
    ['an emoji', 'abc\u{1F600}', false],
    ['a number', 123, false],
    ['undefined', undefined, false],
    ['null', null, false],
  ])('%s -> %s', (_name, value, valid) => {
    expect(isValidClickId(value)).toBe(valid)
  })
})

describe('clickIdFromUrl', () => {
  const PARAMS = ['irclickid', 'im_ref']
  const SHOP = 'https://shop.example.com/landing'

  it.each([
    ['irclickid', `${SHOP}?irclickid=abc123`, 'abc123'],
    ['im_ref when irclickid is absent', `${SHOP}?im_ref=ref-456`, 'ref-456'],
    ['irclickid before im_ref, whatever the URL order', `${SHOP}?im_ref=second&irclickid=first`, 'first'],
    ['im_ref when irclickid is invalid', `${SHOP}?irclickid=%3Cscript%3E&im_ref=ref-456`, 'ref-456'],
    ['the first valid value of a repeated parameter', `${SHOP}?irclickid=bad%3Bvalue&irclickid=good`, 'good'],
    ['the first of two valid repeated values', `${SHOP}?irclickid=one&irclickid=two`, 'one'],
    ['a percent-encoded valid value, decoded', `${SHOP}?irclickid=abc%2D123`, 'abc-123'],
    ['a click id among other parameters', `${SHOP}?utm_source=x&irclickid=abc123&q=shoes#top`, 'abc123'],
    ['nothing when no parameter is present', `${SHOP}?utm_source=partner`, undefined],
    ['nothing for a 65-character value', `${SHOP}?irclickid=${'a'.repeat(65)}`, undefined],
    ['nothing for a 10 KB value', `${SHOP}?irclickid=${'a'.repeat(10_240)}`, undefined],
    ['the other parameter after a 10 KB value', `${SHOP}?irclickid=${'a'.repeat(10_240)}&im_ref=ok`, 'ok'],
    ['nothing for an empty value', `${SHOP}?irclickid=`, undefined],
    ['nothing for a + (a space)', `${SHOP}?irclickid=abc+123`, undefined],
    ['nothing for an undecodable escape', `${SHOP}?irclickid=%E0%A4%A`, undefined],
    ['nothing for a broken escape', `${SHOP}?irclickid=%ZZabc`, undefined],
    ['nothing for a value in the fragment', `${SHOP}#irclickid=abc123`, undefined],
    ['nothing for a string that is not a URL', 'not a url ?irclickid=abc123', undefined],
    ['nothing for an empty string', '', undefined],
  ])('%s', (_name, url, expected) => {
    expect(clickIdFromUrl(url, PARAMS, silentLog())).toBe(expected)
  })

  it('uses the configured parameters only', () => {
    expect(clickIdFromUrl(`${SHOP}?ref=partner-1&irclickid=abc`, ['ref'], silentLog())).toBe('partner-1')
  })

  it('reports an ignored value to the debug log without echoing more than a snippet', () => {
    const log = silentLog()
    clickIdFromUrl(`${SHOP}?irclickid=${'x'.repeat(500)};`, PARAMS, log)
    expect(log.lines).toHaveLength(1)
    expect(log.lines[0]).toMatch(/^debug .*irclickid/)
  })
})

describe('decideClick (the unique-click rule)', () => {
  const NOW = 1_700_000_000_000
  const WINDOW = 30 * MINUTE
  const base: ClickInput = {
    urlClickId: undefined,
    storedClickId: undefined,
    referrerHost: undefined,
    siteDomain: 'example.com',
    session: undefined,
    now: NOW,
    windowMs: WINDOW,
  }
  const activeSession = { start: NOW - 20 * MINUTE, last: NOW - 10 * MINUTE }
  const expiredSession = { start: NOW - 90 * MINUTE, last: NOW - 31 * MINUTE }
  const fresh = { start: NOW, last: NOW }

  it.each([
    [
      'new click id, no session: unique click',
      { urlClickId: 'abc' },
      { unique: true, reason: 'click-id', clickId: 'abc', session: fresh },
    ],
    [
      'same click id inside the window: repeat, window extended',
      { urlClickId: 'abc', storedClickId: 'abc', session: activeSession },
      { unique: false, reason: 'repeat', clickId: 'abc', session: { start: activeSession.start, last: NOW } },
    ],
    [
      'same click id after the window: unique again',
      { urlClickId: 'abc', storedClickId: 'abc', session: expiredSession },
      { unique: true, reason: 'click-id', clickId: 'abc', session: fresh },
    ],
    [
      'different click id inside the window: unique (last click wins)',
      { urlClickId: 'new', storedClickId: 'abc', session: activeSession },
      { unique: true, reason: 'click-id', clickId: 'new', session: fresh },
    ],
    [
      'external referrer, no session: unique referral',
      { referrerHost: 'partner-blog.net' },
      { unique: true, reason: 'referral', clickId: undefined, session: fresh },
    ],
    [
      'external referrer after the window, old click id stored: unique referral',
      { referrerHost: 'partner-blog.net', storedClickId: 'abc', session: expiredSession },
      { unique: true, reason: 'referral', clickId: undefined, session: fresh },
    ],
    [
      'look-alike referrer (notexample.com) is external',
      { referrerHost: 'notexample.com' },
      { unique: true, reason: 'referral', clickId: undefined, session: fresh },
    ],
    [
      "the site's own subdomain as referrer: not unique",
      { referrerHost: 'blog.example.com' },
      { unique: false, reason: 'none', clickId: undefined, session: undefined },
    ],
    [
      "the site's apex as referrer, upper-case: not unique",
      { referrerHost: 'EXAMPLE.COM' },
      { unique: false, reason: 'none', clickId: undefined, session: undefined },
    ],
    [
      'external referrer while the session is active (payment-provider return): not unique',
      { referrerHost: 'checkout.paypal.com', storedClickId: 'abc', session: activeSession },
      { unique: false, reason: 'repeat', clickId: 'abc', session: { start: activeSession.start, last: NOW } },
    ],
    [
      'no referrer, no session: not unique, stored click kept',
      { storedClickId: 'abc' },
      { unique: false, reason: 'none', clickId: 'abc', session: undefined },
    ],
    [
      'no referrer, session active: repeat, window extended',
      { storedClickId: 'abc', session: activeSession },
      { unique: false, reason: 'repeat', clickId: 'abc', session: { start: activeSession.start, last: NOW } },
    ],
    [
      'one millisecond before the window ends: still a repeat',
      { urlClickId: 'abc', storedClickId: 'abc', session: { start: NOW - WINDOW, last: NOW - WINDOW + 1 } },
      { unique: false, reason: 'repeat', clickId: 'abc', session: { start: NOW - WINDOW, last: NOW } },
    ],
  ])('%s', (_name, input, expected) => {
    expect(decideClick({ ...base, ...input })).toEqual(expected)
  })
})

describe('isSameSite', () => {
  it.each([
    ['example.com', 'example.com', true],
    ['www.example.com', 'example.com', true],
    ['a.b.example.com', 'example.com', true],
    ['WWW.Example.COM', 'example.com', true],
    ['notexample.com', 'example.com', false],
    ['example.com.evil.net', 'example.com', false],
    ['example.org', 'example.com', false],
  ])('%s on %s -> %s', (host, site, expected) => {
    expect(isSameSite(host, site)).toBe(expected)
  })
})

describe('clickIdFromUttCookie (Impact UTT IR_<campaignId>)', () => {
  it.each([
    ['percent-encoded pipes', '1700000000000%7C0%7C1700000000000%7CabcCLICK123%7C', 'abcCLICK123'],
    ['lower-case escapes', '1700000000000%7c0%7c1700000000000%7cabcCLICK123%7c', 'abcCLICK123'],
    ['unencoded pipes', '1700000000000|0|1700000000000|abcCLICK123|', 'abcCLICK123'],
    ['a stray % with plain pipes', '1700000000000|0|1700000000000|abcCLICK123|%', 'abcCLICK123'],
    ['junk', 'hello world', undefined],
    ['an empty click id', '1700000000000%7C0%7C1700000000000%7C%7C', undefined],
    ['too few parts', '1700000000000%7C0', undefined],
    ['a 65-character click id', `1700000000000%7C0%7C1700000000000%7C${'a'.repeat(65)}%7C`, undefined],
    ['a click id with markup', '1700000000000%7C0%7C1700000000000%7C%3Cscript%3E%7C', undefined],
    ['empty', '', undefined],
    ['undefined', undefined, undefined],
  ])('%s -> %s', (_name, value, expected) => {
    expect(clickIdFromUttCookie(value)).toBe(expected)
  })
})

describe('registrableDomain', () => {
  beforeEach(() => clearCookies())

  it.each([
    ['localhost', 'localhost'],
    ['an IPv4 address', '127.0.0.1'],
    ['an IPv6 address', '[::1]'],
  ])('is undefined on %s (cookies stay host-only)', (_name, hostname) => {
    expect(registrableDomain(hostname)).toBeUndefined()
  })

  it('finds the parent domain the browser accepts, and leaves no probe cookie behind', () => {
    setPage('https://www.probe.example.com/')
    expect(registrableDomain('www.probe.example.com')).toBe('example.com')
    expect(document.cookie).not.toContain('__impact_tld__')
  })

  it('is undefined, without throwing, when cookies throw', () => {
    setPage('https://shop.sandboxed-probe.example/')
    const restore = breakCookies()
    try {
      expect(registrableDomain('shop.sandboxed-probe.example')).toBeUndefined()
    } finally {
      restore()
    }
  })
})

describe('createClickTracker (happy-dom cookies)', () => {
  const NOW = Date.now()
  const settings = resolved({ campaignId: 1000 })
  const trackerAt = (url: string, extra: Record<string, unknown> = {}) => {
    setPage(url)
    return createClickTracker({ ...settings, ...resolved(extra) }, location, silentLog())
  }

  beforeEach(() => {
    setPage('https://shop.example.com/')
    clearCookies()
  })
  afterEach(() => clearCookies())

  it('captures the landing click id in impact_click_id; a later page without it keeps it', () => {
    const landing = trackerAt('https://shop.example.com/?irclickid=abc123')
    const decision = landing.pageLoad(location.href, 'https://partner.example.net/review', NOW)
    expect(decision).toMatchObject({ unique: true, reason: 'click-id', clickId: 'abc123' })
    expect(cookies()[CLICK_ID_COOKIE]).toBe('abc123')
    // The session remembers that the cookie domain, example.com, has two labels.
    expect(cookies()[CLICK_SESSION_COOKIE]).toBe(`${NOW}.${NOW}.2`)

    // The next document on the site: a fresh tracker, no parameter, the landing page as referrer.
    const next = trackerAt('https://shop.example.com/cart')
    expect(next.clickId()).toBe('abc123')
    const later = next.pageLoad(location.href, 'https://shop.example.com/?irclickid=abc123', NOW + 5 * MINUTE)
    expect(later).toMatchObject({ unique: false, reason: 'repeat', clickId: 'abc123' })
    expect(cookies()[CLICK_ID_COOKIE]).toBe('abc123')
    expect(cookies()[CLICK_SESSION_COOKIE]).toBe(`${NOW}.${NOW + 5 * MINUTE}.2`)
  })

  describe('in a frame of another origin', () => {
    const framedAt = (url: string, framedBy: string) => {
      setPage(url)
      const { hostname, protocol } = location
      return createClickTracker(settings, { hostname, protocol, framedBy }, silentLog())
    }

    it.each([
      ['another site', 'https://stuffer.example.net/hidden'],
      ['a framing page that withholds its address', ''],
      ['a look-alike host', 'https://notexample.com/'],
    ])('framed by %s: the click id on the URL counts for nothing and nothing is stored', (_name, framedBy) => {
      const url = 'https://shop.example.com/?irclickid=Stuffed-1'
      const tracker = framedAt(url, framedBy)
      expect(tracker.pageLoad(url, framedBy, NOW)).toMatchObject({ unique: false, clickId: undefined })
      // Nor a referral from the framing site, nor a click held for cookieless events.
      expect(tracker.pageLoad('https://shop.example.com/', framedBy, NOW).unique).toBe(false)
      expect(tracker.peek(url, undefined, NOW).clickId).toBeUndefined()
      expect(cookies()).toEqual({})
    })

    it('framed by a page of the same site (another subdomain): the click counts as on a top-level page', () => {
      const url = 'https://checkout.example.com/?irclickid=Framed-2'
      const tracker = framedAt(url, 'https://www.example.com/cart')
      expect(tracker.pageLoad(url, 'https://www.example.com/cart', NOW)).toMatchObject({
        unique: true,
        clickId: 'Framed-2',
      })
      expect(cookies()[CLICK_ID_COOKIE]).toBe('Framed-2')
    })
  })

  it('the click cookie is visible on every subdomain of the registrable domain', () => {
    trackerAt('https://shop.example.com/?irclickid=abc123').pageLoad(location.href, undefined, NOW)
    setPage('https://www.example.com/')
    expect(cookies()[CLICK_ID_COOKIE]).toBe('abc123')
  })

  it.each([
    [
      'https: domain, path, SameSite=Lax, Secure, 30 days',
      'https://shop.example.com/?irclickid=abc123',
      {},
      'example.com',
      true,
      30,
    ],
    ['http: no Secure', 'http://shop.example.com/?irclickid=abc123', {}, 'example.com', false, 30],
    [
      'cookieMaxAgeDays 7',
      'https://shop.example.com/?irclickid=abc123',
      { cookieMaxAgeDays: 7 },
      'example.com',
      true,
      7,
    ],
    [
      'cookieDomain .example.com',
      'https://shop.example.com/?irclickid=abc123',
      { cookieDomain: '.example.com' },
      'example.com',
      true,
      30,
    ],
    ['localhost: host-only', 'http://localhost:4173/?irclickid=abc123', {}, undefined, false, 30],
  ])('cookie attributes, %s', (_name, url, extra, domain, secure, days) => {
    const watch = watchCookieWrites()
    try {
      trackerAt(url, extra).pageLoad(url, undefined, NOW)
    } finally {
      watch.stop()
    }
    const write = watch.writes.map(cookieAttributes).find((c) => c.name === CLICK_ID_COOKIE)
    expect(write?.value).toBe('abc123')
    const a = write!.attributes
    expect(a.path).toBe('/')
    expect(a.samesite?.toLowerCase()).toBe('lax')
    expect(a.domain).toBe(domain)
    expect('secure' in a).toBe(secure)
    const expires = Date.parse(a.expires ?? '')
    expect(Math.abs(expires - (Date.now() + days * DAY))).toBeLessThan(MINUTE)
  })

  it('the newest valid click id wins', () => {
    trackerAt('https://shop.example.com/?irclickid=first').pageLoad(location.href, undefined, NOW)
    const decision = trackerAt('https://shop.example.com/?irclickid=second').pageLoad(
      location.href,
      undefined,
      NOW + MINUTE,
    )
    expect(decision).toMatchObject({ unique: true, clickId: 'second' })
    expect(cookies()[CLICK_ID_COOKIE]).toBe('second')
  })

  it('an invalid click id is never stored and does not replace a valid one', () => {
    trackerAt('https://shop.example.com/?irclickid=good1').pageLoad(location.href, undefined, NOW)
    const url = 'https://shop.example.com/?irclickid=%3Cscript%3E'
    const tracker = trackerAt(url)
    tracker.pageLoad(url, undefined, NOW + MINUTE)
    expect(cookies()[CLICK_ID_COOKIE]).toBe('good1')
    expect(document.cookie).not.toContain('script')
  })

  it("reads the click id from UTT's IR_<campaignId> cookie when ours is absent", () => {
    document.cookie = 'IR_1000=1700000000000%7C0%7C1700000000000%7CabcCLICK123%7C; path=/'
    document.cookie = 'IR_999=1700000000000%7C0%7C1700000000000%7CotherPROGRAM%7C; path=/'
    const tracker = trackerAt('https://shop.example.com/checkout')
    expect(tracker.clickId()).toBe('abcCLICK123')
    expect(tracker.pageLoad(location.href, undefined, NOW)).toMatchObject({ unique: false, clickId: 'abcCLICK123' })
  })

  it('ignores a UTT cookie of another program', () => {
    document.cookie = 'IR_999=1700000000000%7C0%7C1700000000000%7CotherPROGRAM%7C; path=/'
    expect(trackerAt('https://shop.example.com/').clickId()).toBeUndefined()
  })

  it('prefers our own cookie over the UTT cookie', () => {
    document.cookie = 'IR_1000=1700000000000%7C0%7C1700000000000%7CabcCLICK123%7C; path=/'
    const tracker = trackerAt('https://shop.example.com/?irclickid=ours456')
    tracker.pageLoad(location.href, undefined, NOW)
    expect(tracker.clickId()).toBe('ours456')
  })

  it.each([
    ['nothing stored: stores it', undefined, 'fkREFERRAL1', 'fkREFERRAL1'],
    ['a click stored: keeps it', 'abc123', 'fkREFERRAL1', 'abc123'],
    ['an invalid id: stores nothing', undefined, 'bad;id', undefined],
    ['not a string: stores nothing', undefined, 42, undefined],
  ])('adopt(), %s', (_name, stored, adopted, expected) => {
    const url = stored ? `https://shop.example.com/?irclickid=${stored}` : 'https://shop.example.com/'
    const tracker = trackerAt(url)
    tracker.pageLoad(url, undefined, NOW)
    tracker.adopt(adopted)
    expect(tracker.clickId()).toBe(expected)
    expect(cookies()[CLICK_ID_COOKIE]).toBe(expected)
  })

  it('adopt() keeps a UTT click id rather than replacing it', () => {
    document.cookie = 'IR_1000=1700000000000%7C0%7C1700000000000%7CabcCLICK123%7C; path=/'
    const tracker = trackerAt('https://shop.example.com/')
    tracker.adopt('fkREFERRAL1')
    expect(tracker.clickId()).toBe('abcCLICK123')
  })

  it('with document.cookie throwing: no throw, the click lives in memory for the page', () => {
    const url = 'https://shop.sandboxed.example.org/?irclickid=abc123'
    setPage(url)
    const restore = breakCookies()
    try {
      const tracker = createClickTracker(settings, location, silentLog())
      expect(tracker.pageLoad(url, 'https://partner.example.net/', NOW)).toMatchObject({
        unique: true,
        clickId: 'abc123',
      })
      expect(tracker.clickId()).toBe('abc123')
      // The same page's later (in-app) navigation still knows its click and session.
      const later = tracker.pageLoad('https://shop.sandboxed.example.org/cart', url, NOW + MINUTE)
      expect(later).toMatchObject({ unique: false, reason: 'repeat', clickId: 'abc123' })
      expect(() => tracker.adopt('fkOTHER')).not.toThrow()
      expect(tracker.clickId()).toBe('abc123')
    } finally {
      restore()
    }
  })

  it('creating a tracker touches no cookie (the domain probe waits until a cookie is needed)', () => {
    // A host no other test probed: the registrable domain is found once per host and page.
    setPage('https://www.lazy-probe.example.com/?irclickid=abc123')
    const watch = watchCookieWrites()
    try {
      createClickTracker(settings, location, silentLog())
      expect(watch.writes).toEqual([])
    } finally {
      watch.stop()
    }
  })

  it('peek (consent denied): the URL click id decides, stored cookies are neither read nor written', () => {
    trackerAt('https://shop.example.com/?irclickid=stored1').pageLoad(location.href, undefined, NOW)
    const tracker = trackerAt('https://shop.example.com/?irclickid=fresh2')
    const watch = watchCookieWrites()
    try {
      expect(tracker.peek(location.href, undefined, NOW + MINUTE)).toMatchObject({ unique: true, clickId: 'fresh2' })
      expect(tracker.peek('https://shop.example.com/cart', undefined, NOW + MINUTE)).toMatchObject({
        unique: false,
        clickId: undefined,
      })
      expect(watch.writes).toEqual([])
    } finally {
      watch.stop()
    }
    expect(cookies()[CLICK_ID_COOKIE]).toBe('stored1')
  })

  it('forget (consent withdrawn) removes both click cookies, on the registrable domain too', () => {
    trackerAt('https://www.shop.example.com/?irclickid=abc123').pageLoad(location.href, undefined, NOW)
    expect(cookies()[CLICK_ID_COOKIE]).toBe('abc123')
    const tracker = trackerAt('https://www.shop.example.com/cart')
    tracker.forget()
    expect(cookies()).not.toHaveProperty(CLICK_ID_COOKIE)
    expect(cookies()).not.toHaveProperty(CLICK_SESSION_COOKIE)
    expect(tracker.clickId()).toBeUndefined()
  })

  it('an external referral after the session window is a unique click again', () => {
    trackerAt('https://shop.example.com/?irclickid=abc123').pageLoad(location.href, undefined, NOW)
    const tracker = trackerAt('https://shop.example.com/')
    const decision = tracker.pageLoad(location.href, 'https://www.google.com/', NOW + 31 * MINUTE)
    expect(decision).toMatchObject({ unique: true, reason: 'referral' })
  })
})

describe('createCookieStore', () => {
  beforeEach(() => {
    setPage('https://shop.example.com/')
    clearCookies()
  })
  afterEach(() => clearCookies())

  it('remove() deletes the cookie and what the page remembered of it', () => {
    const store = createCookieStore(() => undefined, true)
    expect(store.set('impact_click_id', 'abc', 30)).toBe(true)
    expect(cookies().impact_click_id).toBe('abc')
    store.remove('impact_click_id')
    expect(cookies().impact_click_id).toBeUndefined()
    expect(store.get('impact_click_id')).toBeUndefined()
  })
})

describe('trackedPage', () => {
  /** A window stand-in: its top, whether the top's location can be read, and its referrer. */
  const frame = (top: 'self' | 'same-origin' | 'cross-origin', referrer = 'https://framer.example/') => {
    const win: Record<string, unknown> = {
      document: { referrer },
      location: { hostname: 'shop.example', protocol: 'https:', href: 'https://shop.example/' },
    }
    const blocked = {
      get location(): never {
        throw new DOMException('Blocked a frame with origin', 'SecurityError')
      },
    }
    win.top = top === 'self' ? win : top === 'same-origin' ? { location: { href: 'https://shop.example/' } } : blocked
    return win as unknown as Window
  }

  it('a top-level document and a frame of the same origin are framed by nothing', () => {
    expect(trackedPage(frame('self'))).toEqual({ hostname: 'shop.example', protocol: 'https:', framedBy: undefined })
    expect(trackedPage(frame('same-origin')).framedBy).toBeUndefined()
  })

  it('a frame of another origin is framed by its referrer (the framing page), empty when withheld', () => {
    expect(trackedPage(frame('cross-origin')).framedBy).toBe('https://framer.example/')
    expect(trackedPage(frame('cross-origin', '')).framedBy).toBe('')
  })
})

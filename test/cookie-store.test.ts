// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createCookieStore, readCookies } from '../src/click-id/cookie-store'
import { CLICK_SESSION_COOKIE, createClickTracker } from '../src/click-id/click-tracker'
import { registrableDomain } from '../src/click-id/registrable-domain'
import { clearCookies, cookies, setPage } from './support/dom'
import { resolved, silentLog } from './support/settings'

/** Counts `document.cookie` reads and writes; `drop` makes writes vanish (a browser refusing cookies). */
function countCookieAccess(options: { drop?: boolean } = {}): { reads: number; writes: number; stop(): void } {
  let proto: object | null = Object.getPrototypeOf(document)
  let real: PropertyDescriptor | undefined
  while (proto && !(real = Object.getOwnPropertyDescriptor(proto, 'cookie'))) proto = Object.getPrototypeOf(proto)
  const counts = { reads: 0, writes: 0, stop: () => void delete (document as { cookie?: string }).cookie }
  Object.defineProperty(document, 'cookie', {
    configurable: true,
    get: () => (counts.reads++, real!.get!.call(document) as string),
    set: (value: string) => {
      counts.writes++
      if (!options.drop) real!.set!.call(document, value)
    },
  })
  return counts
}

const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

describe('createCookieStore: document.cookie at most once per task', () => {
  beforeEach(() => {
    setPage('https://shop.example.com/')
    clearCookies()
  })
  afterEach(() => clearCookies())

  it('reads once per task, writes through, and never reads back after a write', async () => {
    document.cookie = 'IR_1=abc; path=/'
    const access = countCookieAccess()
    try {
      const store = createCookieStore(() => undefined, true)
      expect(store.get('impact_click_id')).toBeUndefined()
      expect(store.get('IR_1')).toBe('abc')
      expect(store.set('impact_click_id', 'click1', 30)).toBe(true)
      expect(store.get('impact_click_id')).toBe('click1')
      expect(access).toMatchObject({ reads: 2, writes: 1 })

      await nextTask()
      expect(store.get('impact_click_id')).toBe('click1')
      expect(store.get('IR_1')).toBe('abc')
      expect(access).toMatchObject({ reads: 4, writes: 1 })
    } finally {
      access.stop()
    }
  })

  it('sees a change made by another tab or script in a later task', async () => {
    const store = createCookieStore(() => undefined, true)
    store.set('impact_click_id', 'first', 30)
    await nextTask()
    document.cookie = 'impact_click_id=second; path=/'
    expect(store.get('impact_click_id')).toBe('second')
  })

  it('a browser that silently drops cookies: the page keeps the value, with no read-back', async () => {
    const access = countCookieAccess({ drop: true })
    try {
      const store = createCookieStore(() => undefined, true)
      expect(store.set('impact_click_id', 'click1', 30)).toBe(true)
      await nextTask()
      expect(store.get('impact_click_id')).toBe('click1')
      // No cookie at all: js-cookie reads document.cookie once, finding it empty.
      expect(access).toMatchObject({ reads: 1, writes: 1 })
    } finally {
      access.stop()
    }
  })

  it('remove() deletes the cookie in one write and forgets it within the same task', () => {
    const store = createCookieStore(() => undefined, true)
    store.set('impact_click_id', 'abc', 30)
    expect(store.get('impact_click_id')).toBe('abc')
    store.remove('impact_click_id')
    expect(store.get('impact_click_id')).toBeUndefined()
    expect(document.cookie).not.toContain('impact_click_id')
  })

  it('readCookies: decoded values, = kept whole, a malformed escape skipped without a throw', () => {
    document.cookie = 'IR_2=1%7C0%7C2%7CabcCLICK%7C; path=/'
    document.cookie = 'broken=%E0%A4%A; path=/'
    document.cookie = 'eq=a=b; path=/'
    const jar = readCookies()
    expect(jar).toMatchObject({ IR_2: '1|0|2|abcCLICK|', eq: 'a=b' })
    expect(jar).not.toHaveProperty('broken')
  })

  it('readCookies: none, and no throw, where document.cookie throws (a sandboxed iframe)', () => {
    const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')
    Object.defineProperty(document, 'cookie', {
      configurable: true,
      get: () => {
        throw new DOMException('sandboxed', 'SecurityError')
      },
    })
    try {
      expect(readCookies()).toEqual({})
    } finally {
      delete (document as { cookie?: string }).cookie
      expect(Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')).toEqual(cookie)
    }
  })
})

describe('registrableDomain: one js-cookie read (two of document.cookie) per probe step', () => {
  it('finds probe-count.example in one step: one write, one js-cookie read and one removal', () => {
    setPage('https://www.shop.probe-count.example/')
    const access = countCookieAccess()
    try {
      expect(registrableDomain('www.shop.probe-count.example')).toBe('probe-count.example')
      // The first step, probe-count.example, is accepted: one write, one js-cookie read, one removal.
      expect(access).toMatchObject({ reads: 2, writes: 2 })
    } finally {
      access.stop()
    }
  })
})

describe('a page view inside a click session: the session cookie remembers the domain', () => {
  const NOW = Date.UTC(2026, 10, 30)
  /** A page view of `host` inside a session begun a minute ago on `domain`, as an earlier document left it. */
  const pageViewIn = (host: string, session: string) => {
    setPage(`https://${host}/product`)
    document.cookie = `${CLICK_SESSION_COOKIE}=${session}; path=/; domain=${host.split('.').slice(-2).join('.')}`
    const access = countCookieAccess()
    try {
      const tracker = createClickTracker(resolved({}), location, silentLog())
      const decision = tracker.pageLoad(location.href, `https://${host}/`, NOW + 60_000)
      return { decision, reads: access.reads, writes: access.writes }
    } finally {
      access.stop()
    }
  }
  afterEach(() => clearCookies())

  it('one js-cookie read and one write, no registrable-domain probe', () => {
    const seen = pageViewIn('www.memo-one.example', `${NOW}.${NOW}.2`)
    expect(seen).toMatchObject({ decision: { reason: 'repeat' }, reads: 2, writes: 1 })
    // Written back on the remembered domain: still visible to the shop's other hosts.
    setPage('https://checkout.memo-one.example/')
    expect(cookies()[CLICK_SESSION_COOKIE]).toBe(`${NOW}.${NOW + 60_000}.2`)
  })

  it('a session cookie from before the domain was remembered costs one probe, once', () => {
    const seen = pageViewIn('www.memo-two.example', `${NOW}.${NOW}`)
    expect(seen).toMatchObject({ decision: { reason: 'repeat' }, reads: 4, writes: 3 })
    expect(cookies()[CLICK_SESSION_COOKIE]).toBe(`${NOW}.${NOW + 60_000}.2`)
  })
})

import Cookies from 'js-cookie'

/** First-party cookie access that never throws and never forgets within a page. */
export interface CookieStore {
  /** The cookie's value, else what this page last wrote under `name`. */
  get(name: string): string | undefined
  /**
   * Writes a cookie for `days` (fractions allowed); false when writing threw (a sandboxed iframe).
   * A browser that silently drops cookies is not detected: a read-back after each write would cost
   * a synchronous round trip to the browser every time. Either way the page keeps the value.
   */
  set(name: string, value: string, days: number): boolean
  /** Deletes the cookie (on this store's domain) and forgets what this page wrote under `name`. */
  remove(name: string): void
}

/**
 * A cookie store on the domain `domain()` names at each write (undefined: host-only), `Path=/`,
 * `SameSite=Lax`, and `Secure` when the page is served over https. The domain is asked for late
 * because finding it may cost a probe that reads never need. `document.cookie` is a synchronous
 * call into the browser: it is read at most once per task (writes go through to that snapshot)
 * and never read back after a write. With cookies off, or `document.cookie` throwing (sandboxed
 * iframes), values live in memory for the page's own later events.
 */
export function createCookieStore(domain: () => string | undefined, secure: boolean): CookieStore {
  /** What this page wrote: a cookie the browser dropped or refused is still known to the page. */
  const written: Record<string, string> = {}
  let jar: Record<string, string> | undefined
  const cookies = (): Record<string, string> => {
    if (jar) return jar
    jar = readCookies()
    setTimeout(() => (jar = undefined))
    return jar
  }
  const store: CookieStore = {
    // An empty value is a cookie being deleted: absent.
    get: (name) => cookies()[name] || written[name],
    set(name, value, days) {
      // First: finding the domain may read the jar, which must not see this write before it is made.
      const at = domain()
      written[name] = value
      if (jar) jar[name] = value
      try {
        // js-cookie's default attributes add `Path=/`.
        Cookies.set(name, value, { domain: at, sameSite: 'Lax', secure, expires: days })
      } catch {
        return false
      }
      return true
    },
    remove(name) {
      store.set(name, '', -1)
      delete written[name]
    },
  }
  return store
}

/**
 * Deletes every copy of cookie `name` this page can see: host-only, and on `hostname` and each of
 * its parent domains (the browser ignores the public suffixes). The relay may have set its own copy
 * host-only or on another domain than the plugin's, and a withdrawal must remove them all.
 */
export function removeEverywhere(name: string, hostname: string): void {
  const labels = hostname.split('.')
  // Expired writes on hosts that take no Domain (IP addresses, a top-level label) are ignored.
  const domains = labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'))
  for (const domain of [undefined, ...domains]) {
    try {
      Cookies.remove(name, { domain })
    } catch {
      // cookies off in a sandboxed iframe: nothing to remove
    }
  }
}

/**
 * The page's cookies, name to value, as js-cookie reads them: values decoded, the first of two
 * equal names (the browser lists the more specific path first). js-cookie's `get()` reads
 * `document.cookie` twice; the cookie store calls it once per task at most. None when cookies are
 * off (`document.cookie` throws in a sandboxed iframe).
 */
export function readCookies(): Record<string, string> {
  try {
    return Cookies.get()
  } catch {
    return {}
  }
}

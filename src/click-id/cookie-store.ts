import Cookies from 'js-cookie'

/** First-party cookie access that never throws and never forgets within a page. */
export interface CookieStore {
  /** The cookie's value, else what this page last wrote under `name`. */
  get(name: string): string | undefined
  /** Writes a cookie for `days` (fractions allowed); false when the browser refused it. */
  set(name: string, value: string, days: number): boolean
  /** Deletes the cookie (on this store's domain) and forgets what this page wrote under `name`. */
  remove(name: string): void
}

/**
 * A cookie store on `domain` (undefined: host-only), `Path=/`, `SameSite=Lax`, and `Secure` when
 * the page is served over https. With cookies off, or `document.cookie` throwing (sandboxed
 * iframes), values live in memory for the page's own later events.
 */
export function createCookieStore(domain: string | undefined, secure: boolean): CookieStore {
  const memory: Record<string, string> = {}
  const read = (name: string): string | undefined => {
    try {
      return Cookies.get(name)
    } catch {
      return undefined
    }
  }
  return {
    get: (name) => read(name) ?? memory[name],
    set(name, value, days) {
      memory[name] = value
      try {
        Cookies.set(name, value, { domain, path: '/', sameSite: 'Lax', secure, expires: days })
      } catch {
        // refused: memory keeps it
      }
      return read(name) === value
    },
    remove(name) {
      delete memory[name]
      try {
        Cookies.remove(name, { domain, path: '/' })
      } catch {
        // cookies off: nothing was stored
      }
    },
  }
}

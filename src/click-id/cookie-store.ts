import Cookies from 'js-cookie'

/** First-party cookie access that never throws: cookies off or a sandboxed document read as empty. */
export interface CookieStore {
  /** The cookie's value, or undefined when absent or unreadable. */
  get(name: string): string | undefined
  /** Writes a cookie for `days` (fractions allowed); false when the browser refused it. */
  set(name: string, value: string, days: number): boolean
}

/**
 * A cookie store on `domain` (undefined: host-only), `Path=/`, `SameSite=Lax`, and `Secure` when
 * the page is served over https.
 */
export function createCookieStore(domain: string | undefined, secure: boolean): CookieStore {
  const attributes: Cookies.CookieAttributes = { path: '/', sameSite: 'Lax', secure }
  if (domain) attributes.domain = domain
  const get = (name: string): string | undefined => {
    try {
      return Cookies.get(name)
    } catch {
      // document.cookie throws in sandboxed iframes without allow-same-origin.
      return undefined
    }
  }
  return {
    get,
    set(name, value, days) {
      try {
        Cookies.set(name, value, { ...attributes, expires: days })
      } catch {
        return false
      }
      return get(name) === value
    },
  }
}

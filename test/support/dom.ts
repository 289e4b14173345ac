/**
 * happy-dom helpers: move the page, read and clear cookies, watch or break `document.cookie`.
 * Only for files running in `// @vitest-environment happy-dom`.
 */

import { ACTIVE_INSTANCE } from '../../src/plugin/plugin'

interface HappyDomWindow {
  happyDOM: { setURL(url: string): void }
}

/**
 * Moves the test page to `url` (no navigation, just the location and its cookie scope), as a new
 * page: no plugin is active on it yet.
 */
export function setPage(url: string): void {
  ;(window as unknown as HappyDomWindow).happyDOM.setURL(url)
  delete (globalThis as { [ACTIVE_INSTANCE]?: unknown })[ACTIVE_INSTANCE]
}

/** Cookies visible to the current page, as name -> value. */
export function cookies(): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of document.cookie.split(/;\s*/)) {
    const eq = part.indexOf('=')
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1)
  }
  return out
}

/** Expires every cookie visible to the current page, host-only or on any parent domain. */
export function clearCookies(): void {
  const labels = location.hostname.split('.')
  const domains = ['', ...labels.map((_, i) => labels.slice(i).join('.'))]
  for (const name of Object.keys(cookies())) {
    for (const domain of domains) {
      document.cookie = `${name}=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT${domain ? '; domain=' + domain : ''}`
    }
  }
}

function cookieAccessor(): PropertyDescriptor {
  let proto: object | null = Object.getPrototypeOf(document)
  while (proto) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, 'cookie')
    if (descriptor) return descriptor
    proto = Object.getPrototypeOf(proto)
  }
  throw new Error('document.cookie accessor not found')
}

/** Records every raw string written to `document.cookie` (attributes included) until `stop()`. */
export function watchCookieWrites(): { writes: string[]; stop(): void } {
  const real = cookieAccessor()
  const writes: string[] = []
  Object.defineProperty(document, 'cookie', {
    configurable: true,
    get: () => real.get!.call(document),
    set: (value: string) => {
      writes.push(value)
      real.set!.call(document, value)
    },
  })
  return { writes, stop: () => void delete (document as { cookie?: string }).cookie }
}

/** Makes reading and writing `document.cookie` throw (a sandboxed iframe); returns the undo. */
export function breakCookies(): () => void {
  Object.defineProperty(document, 'cookie', {
    configurable: true,
    get: () => {
      throw new DOMException('The document is sandboxed and lacks the allow-same-origin flag.', 'SecurityError')
    },
    set: () => {
      throw new DOMException('The document is sandboxed and lacks the allow-same-origin flag.', 'SecurityError')
    },
  })
  return () => void delete (document as { cookie?: string }).cookie
}

/** Attributes of one raw Set-Cookie-style string, lower-cased names: `{ path: '/', secure: '' }`. */
export function cookieAttributes(raw: string): { name: string; value: string; attributes: Record<string, string> } {
  const [pair = '', ...rest] = raw.split(/;\s*/)
  const eq = pair.indexOf('=')
  const attributes: Record<string, string> = {}
  for (const part of rest) {
    const i = part.indexOf('=')
    if (part) attributes[(i < 0 ? part : part.slice(0, i)).toLowerCase()] = i < 0 ? '' : part.slice(i + 1)
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes }
}

import type { Logger } from '../log'

/**
 * Impact click ids are case-sensitive and at most 64 characters. Anything outside this alphabet
 * (`;`, `=`, quotes, markup, whitespace, non-ASCII) is refused so it can never reach a cookie
 * header or a request body.
 */
const CLICK_ID = /^[\w.~-]{1,64}$/

/** True for a usable click id: 1 to 64 characters of `A-Z a-z 0-9 - _ . ~`. */
export function isValidClickId(value: unknown): value is string {
  return typeof value === 'string' && CLICK_ID.test(value)
}

/**
 * The first valid click id in `url`, trying `params` in order (and, for a repeated parameter,
 * its values in order). Invalid values are reported to the debug log and skipped.
 */
export function clickIdFromUrl(url: string, params: readonly string[], log: Logger): string | undefined {
  let search: URLSearchParams
  try {
    search = new URL(url).searchParams
  } catch {
    return undefined
  }
  for (const param of params) {
    for (const value of search.getAll(param)) {
      if (CLICK_ID.test(value)) return value
      log.debug(`ignored malformed ${param} (only 1-64 of A-Z a-z 0-9 - _ . ~ are accepted)`, value.slice(0, 80))
    }
  }
  return undefined
}

/**
 * `url` without its click id parameters. A page load that is not a unique click must not carry
 * them: Impact counts a PageLoad whose URL holds a click id as a click.
 */
export function withoutClickIds(url: string, params: readonly string[]): string {
  try {
    const parsed = new URL(url)
    // Only re-serialize when needed: it would re-encode the site's other parameters.
    if (!params.some((p) => parsed.searchParams.has(p))) return url
    for (const p of params) parsed.searchParams.delete(p)
    return parsed.href
  } catch {
    return url
  }
}

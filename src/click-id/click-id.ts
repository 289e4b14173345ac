import { isValidClickId } from '../impact-api'
import type { Logger } from '../log'
import { parseUrl } from '../parse-url'

// The rule lives with Impact's other request rules, where the relay can share it.
export { isValidClickId }

/**
 * The first valid click id in `url`, trying `params` in order (and, for a repeated parameter,
 * its values in order). Invalid values are reported to the debug log and skipped.
 */
export function clickIdFromUrl(url: string, params: readonly string[], log: Logger): string | undefined {
  const search = parseUrl(url)?.searchParams
  for (const param of params) {
    for (const value of search?.getAll(param) ?? []) {
      const shown = value.slice(0, 80) // before the type guard narrows a refused string to never
      if (isValidClickId(value)) return value
      log.debug(`malformed ${param} ignored`, shown)
    }
  }
  return undefined
}

/**
 * `url` without its click id parameters. A page load that is not a unique click must not carry
 * them: Impact counts a PageLoad whose URL holds a click id as a click.
 */
export function withoutClickIds(url: string, params: readonly string[]): string {
  const parsed = parseUrl(url)
  // Only re-serialize when needed: it would re-encode the site's other parameters.
  if (!parsed || !params.some((p) => parsed.searchParams.has(p))) return url
  for (const p of params) parsed.searchParams.delete(p)
  return parsed.href
}

/**
 * `url` parsed (relative to `base` when given), or undefined when it is empty or no URL: the one
 * guarded `new URL` of the browser code, so a malformed page or setting never throws. Empty is
 * checked first, so an empty referrer (every direct visit) throws nothing on the normal path.
 */
export function parseUrl(url: string | undefined, base?: string): URL | undefined {
  try {
    return url ? new URL(url, base) : undefined
  } catch {
    return undefined
  }
}

import Cookies from 'js-cookie'
import { readCookies } from './cookie-store'

const found: Record<string, string | undefined> = {}
const PROBE = '__impact_tld'

/**
 * The registrable domain of `hostname` (`shop.example.co.uk` for `www.shop.example.co.uk`), found
 * the way analytics-next's `tld()` does: set a probe cookie on each parent domain, shortest first,
 * and keep the first the browser accepts (it refuses public suffixes). Undefined on localhost and
 * IP addresses, where cookies must stay host-only, and when cookies are off. Probed once per page,
 * with one js-cookie read of the cookies per step.
 */
export function registrableDomain(hostname: string): string | undefined {
  return hostname in found ? found[hostname] : (found[hostname] = probe(hostname))
}

function probe(hostname: string): string | undefined {
  const labels = hostname.split('.')
  if (/^[\d.]+$|:/.test(hostname)) return undefined
  for (let i = labels.length - 2; i >= 0; i--) {
    const domain = labels.slice(i).join('.')
    try {
      Cookies.set(PROBE, '1', { domain })
      if (readCookies()[PROBE]) {
        Cookies.remove(PROBE, { domain })
        return domain
      }
    } catch {
      return undefined
    }
  }
  return undefined
}

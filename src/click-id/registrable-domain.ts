import Cookies from 'js-cookie'

const found = new Map<string, string | undefined>()

/**
 * The registrable domain of `hostname` (`shop.example.co.uk` for `www.shop.example.co.uk`), found
 * the way analytics-next's `tld()` does: set a probe cookie on each parent domain, shortest first,
 * and keep the first the browser accepts (it refuses public suffixes). Undefined on localhost and
 * IP addresses, where cookies must stay host-only, and when cookies are off. Probed once per page.
 */
export function registrableDomain(hostname: string): string | undefined {
  if (!found.has(hostname)) found.set(hostname, probe(hostname))
  return found.get(hostname)
}

function probe(hostname: string): string | undefined {
  const labels = hostname.split('.')
  if (labels.length < 2 || /^[\d.]+$/.test(hostname) || hostname.includes(':')) return undefined
  const name = '__impact_tld__'
  for (let i = labels.length - 2; i >= 0; i--) {
    const domain = labels.slice(i).join('.')
    try {
      Cookies.set(name, '1', { domain, path: '/', sameSite: 'Lax' })
      if (Cookies.get(name)) {
        Cookies.remove(name, { domain, path: '/' })
        return domain
      }
    } catch {
      return undefined
    }
  }
  return undefined
}

/** The visitor's IP address as the relay observes it: the connection, or a header a trusted proxy wrote. */

import type { RelayConfig } from './options'

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/

/**
 * The address in `value` as Impact expects it (IPv4 dotted quad, or IPv6), or undefined when it is
 * not an IP address. Accepts what proxies and sockets write around one: an IPv4-mapped IPv6 form
 * (dual-stack sockets), a port (`1.2.3.4:5678`, `[::1]:443`, as some load balancers append).
 * No `node:net`: the relay runs on Workers and Deno too.
 */
export function ipAddress(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  let ip = value.trim()
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(ip)
  if (bracketed) ip = bracketed[1] as string
  else if (/^[\d.]+:\d{1,5}$/.test(ip)) ip = ip.slice(0, ip.indexOf(':'))
  const mapped = /^::ffff:([\d.]+)$/i.exec(ip)?.[1]
  if (mapped !== undefined) return IPV4.test(mapped) ? mapped : undefined
  if (IPV4.test(ip)) return ip
  // The WHATWG URL parser validates IPv6 strictly; the character check keeps zones and the like out.
  return ip.includes(':') && ip.length <= 45 && /^[\da-f:.]+$/i.test(ip) && URL.canParse(`http://[${ip}]/`)
    ? ip.toLowerCase()
    : undefined
}

/**
 * With a trusted header configured, that header alone (the connection's address would be the
 * proxy's): its `trustedProxies`-th entry from the end, the one the nearest trusted proxy saw
 * connect. Entries in front of it were written by the client and are never used.
 */
export function observedClientIp(
  config: Pick<RelayConfig, 'clientIpHeader' | 'trustedProxies'>,
  request: Request,
  clientAddress: unknown,
): string | undefined {
  if (!config.clientIpHeader) return ipAddress(clientAddress)
  // Several header lines arrive joined with ", ": the same list, in order.
  const entries = (request.headers.get(config.clientIpHeader) ?? '').split(',')
  const entry = entries.length >= config.trustedProxies ? entries[entries.length - config.trustedProxies] : undefined
  return ipAddress(entry)
}

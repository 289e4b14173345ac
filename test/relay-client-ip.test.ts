import { describe, expect, it } from 'vitest'
import { ipAddress, observedClientIp } from '../src/relay/client-ip'

describe('ipAddress', () => {
  it('accepts IPv4 and IPv6 addresses in the forms sockets and proxies write', () => {
    expect(ipAddress('203.0.113.7')).toBe('203.0.113.7')
    expect(ipAddress(' 203.0.113.7 ')).toBe('203.0.113.7')
    expect(ipAddress('::ffff:198.51.100.2')).toBe('198.51.100.2')
    expect(ipAddress('203.0.113.7:51234')).toBe('203.0.113.7')
    expect(ipAddress('2001:DB8::1')).toBe('2001:db8::1')
    expect(ipAddress('[2001:db8::1]:443')).toBe('2001:db8::1')
    expect(ipAddress('::1')).toBe('::1')
    expect(ipAddress('64:ff9b::192.0.2.33')).toBe('64:ff9b::192.0.2.33')
  })

  it('refuses anything else', () => {
    for (const value of [
      undefined,
      42,
      '',
      'unknown',
      '256.1.1.1',
      '1.2.3',
      '01.2.3.4',
      '1.2.3.4.5',
      '1.2.3.4/24',
      'example.com',
      '2001:db8::g',
      '2001:db8:::1',
      'fe80::1%eth0',
      '::ffff:999.1.1.1',
      '[::1',
      '<script>',
      '1.2.3.4, 5.6.7.8',
      'a'.repeat(100),
    ]) {
      expect(ipAddress(value), String(value)).toBeUndefined()
    }
  })
})

describe('observedClientIp', () => {
  const request = (xff?: string | string[]) => {
    const headers = new Headers()
    for (const line of [xff ?? []].flat()) headers.append('x-forwarded-for', line)
    return new Request('https://shop.example.com/impact/conversions', { headers })
  }
  const viaXff = (trustedProxies: number) => ({ clientIpHeader: 'x-forwarded-for', trustedProxies })

  it('takes the entry the nearest trusted proxy appended, never one the client wrote', () => {
    // The client wrote 6.6.6.6; the load balancer appended the address it saw.
    expect(observedClientIp(viaXff(1), request('6.6.6.6, 203.0.113.7'), '10.0.0.2')).toBe('203.0.113.7')
    expect(observedClientIp(viaXff(1), request('203.0.113.7'), undefined)).toBe('203.0.113.7')
    // Two proxies of ours (CDN, then load balancer): the second entry from the end.
    expect(observedClientIp(viaXff(2), request('6.6.6.6, 203.0.113.7, 10.0.0.9'), undefined)).toBe('203.0.113.7')
    // Several header lines are one list, in order.
    expect(observedClientIp(viaXff(1), request(['6.6.6.6', '203.0.113.8']), undefined)).toBe('203.0.113.8')
  })

  it('ignores a value that is not an IP address, a missing header, and a list shorter than the proxies', () => {
    expect(observedClientIp(viaXff(1), request('6.6.6.6, garbage'), '10.0.0.2')).toBeUndefined()
    expect(observedClientIp(viaXff(1), request(), '10.0.0.2')).toBeUndefined()
    expect(observedClientIp(viaXff(2), request('203.0.113.7'), undefined)).toBeUndefined()
  })

  it('without a trusted header: the connection address, if it is one', () => {
    const direct = { clientIpHeader: undefined, trustedProxies: 1 }
    expect(observedClientIp(direct, request('6.6.6.6'), '::ffff:198.51.100.2')).toBe('198.51.100.2')
    expect(observedClientIp(direct, request(), 'not-an-ip')).toBeUndefined()
    expect(observedClientIp(direct, request(), undefined)).toBeUndefined()
  })
})

import { describe, expect, it } from 'vitest'
import { credentialsFor, postForm, type TransportDeps } from '../src/delivery/transport'

const SHOP = 'https://shop.example.com'

describe('credentialsFor', () => {
  it("sends the site's cookies only to its own origin (first-party relay), none elsewhere", () => {
    expect(credentialsFor('/impact/pageload', SHOP)).toBe('same-origin')
    expect(credentialsFor('https://shop.example.com/impact/conversions', SHOP)).toBe('same-origin')
    expect(credentialsFor('https://trkapi.impact.com/PageLoad', SHOP)).toBe('omit')
    // Another port, scheme or subdomain is another origin.
    expect(credentialsFor('https://shop.example.com:8443/impact/pageload', SHOP)).toBe('omit')
    expect(credentialsFor('http://shop.example.com/impact/pageload', SHOP)).toBe('omit')
    expect(credentialsFor('https://relay.shop.example.com/impact/pageload', SHOP)).toBe('omit')
    // A protocol-relative or backslash path that browsers read as another host.
    expect(credentialsFor('//evil.example/x', SHOP)).toBe('omit')
    expect(credentialsFor('/\\evil.example/x', SHOP)).toBe('omit')
    // No page (a worker, a test runner) or an unparsable URL: nothing to share.
    expect(credentialsFor('/impact/pageload', undefined)).toBe('omit')
    expect(credentialsFor('http://[bad', SHOP)).toBe('omit')
  })

  it("postForm uses the page's origin for the decision", async () => {
    const seen: RequestInit[] = []
    const fetchFn = (async (_url: string, init: RequestInit) => {
      seen.push(init)
      return new Response('{}')
    }) as unknown as typeof fetch
    const deps = { fetch: fetchFn, now: Date.now, setTimeout } as unknown as TransportDeps
    const post = (url: string) => postForm(deps, { url, body: 'a=1' })
    // In Node there is no page: every request goes without credentials.
    await post('/impact/pageload')
    expect(seen[0]?.credentials).toBe('omit')
    const location = { origin: SHOP }
    Object.defineProperty(globalThis, 'location', { value: location, configurable: true })
    try {
      await post('/impact/pageload')
      await post('https://trkapi.impact.com/PageLoad')
    } finally {
      Reflect.deleteProperty(globalThis, 'location')
    }
    expect(seen.slice(1).map((init) => init.credentials)).toEqual(['same-origin', 'omit'])
  })
})

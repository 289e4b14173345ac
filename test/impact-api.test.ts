import { describe, expect, it } from 'vitest'
import { basicAuth, conversionsUrl, positiveInteger } from '../src/impact-api'

describe('basicAuth', () => {
  it('encodes the credentials as UTF-8, so a token outside Latin-1 works instead of throwing', () => {
    const header = basicAuth('IRsid', 'tökén-✓-🔑')
    expect(header.startsWith('Basic ')).toBe(true)
    expect(Buffer.from(header.slice(6), 'base64').toString('utf8')).toBe('IRsid:tökén-✓-🔑')
  })
})

describe('conversionsUrl', () => {
  it('puts the encoded Account SID in the path under the given base', () => {
    expect(conversionsUrl('IR a/b')).toBe('https://api.impact.com/Advertisers/IR%20a%2Fb/Conversions')
    expect(conversionsUrl('IRsid', 'http://127.0.0.1:9')).toBe('http://127.0.0.1:9/Advertisers/IRsid/Conversions')
  })
})

describe('positiveInteger', () => {
  it.each([
    [12345, '12345'],
    ['12345', '12345'],
    [' 7 ', '7'],
    [0, undefined],
    [-3, undefined],
    [1.5, undefined],
    ['012', undefined],
    ['1e3', undefined],
    [Number.MAX_SAFE_INTEGER + 2, undefined],
    [null, undefined],
    [{}, undefined],
  ])('%j -> %j', (input, expected) => {
    expect(positiveInteger(input)).toBe(expected)
  })
})

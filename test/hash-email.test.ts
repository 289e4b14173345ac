import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { hashEmail } from '../src/plugin/hash-email'

const sha1 = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex')

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('hashEmail', () => {
  it.each([
    ['a plain address', 'user@example.com', 'user@example.com'],
    ['mixed case', 'User.Name@Example.COM', 'user.name@example.com'],
    ['surrounding whitespace', '  user@example.com \n', 'user@example.com'],
    ['a plus address', 'user+shop@example.com', 'user+shop@example.com'],
    ['a non-ASCII address', 'Jos\u00e9@Example.com', 'jos\u00e9@example.com'],
  ])('%s: SHA-1 hex of the trimmed, lower-cased address', async (_name, email, normalized) => {
    const hashed = await hashEmail(email)
    expect(hashed).toBe(sha1(normalized))
    expect(hashed).toMatch(/^[0-9a-f]{40}$/)
  })

  it.each([
    ['lower-case hex', 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3', 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'],
    [
      'upper-case hex, lower-cased',
      'A94A8FE5CCB19BA61C4C0873D391E987982FBBD3',
      'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
    ],
    ['hex with whitespace', ' a94a8fe5ccb19ba61c4c0873d391e987982fbbd3 ', 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'],
  ])('an already hashed value (%s) passes through', async (_name, value, expected) => {
    expect(await hashEmail(value)).toBe(expected)
  })

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object', { email: 'user@example.com' }],
    ['an empty string', ''],
    ['a name, not an address', 'John Smith'],
    ['39 hex characters', 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd'],
  ])('%s -> undefined', async (_name, value) => {
    expect(await hashEmail(value)).toBeUndefined()
  })

  it.each([
    ['crypto.subtle missing (plain-http page)', {}],
    ['crypto missing altogether', undefined],
    [
      'digest rejecting',
      { subtle: { digest: () => Promise.reject(new DOMException('not allowed', 'NotSupportedError')) } },
    ],
  ])('%s: undefined, never the plaintext', async (_name, replacement) => {
    vi.stubGlobal('crypto', replacement)
    const hashed = await hashEmail('User@Example.com')
    expect(hashed).toBeUndefined()
  })

  it('an already hashed value still passes through without WebCrypto', async () => {
    vi.stubGlobal('crypto', {})
    expect(await hashEmail('a94a8fe5ccb19ba61c4c0873d391e987982fbbd3')).toBe('a94a8fe5ccb19ba61c4c0873d391e987982fbbd3')
  })
})

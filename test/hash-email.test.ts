import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { hashEmail, hashIdentity, visitorEmail } from '../src/plugin/hash-email'

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

describe('hashIdentity', () => {
  const fields = { CampaignId: '1000', OrderId: 'A-1' }

  it('stores no email at all; sends CustomerEmail hashed', async () => {
    const { body, finalBody } = hashIdentity(fields, ' User@Example.com ')
    expect(body).toBe('CampaignId=1000&OrderId=A-1')
    expect(await finalBody).toBe(`${body}&CustomerEmail=${sha1('user@example.com')}`)
  })

  it('a custom-mapped plaintext CustomerEmail wins over the visitor email, and is hashed too', async () => {
    const { body, finalBody } = hashIdentity({ ...fields, CustomerEmail: 'Mapped@Example.com' }, 'other@example.com')
    expect(body).not.toMatch(/mapped|%40|CustomerEmail/i)
    expect(await finalBody).toBe(`${body}&CustomerEmail=${sha1('mapped@example.com')}`)
  })

  it('an email-like CustomerId (userId) goes out as its SHA-1, never plain', async () => {
    const { body, finalBody } = hashIdentity({ ...fields, CustomerId: 'Jane@Example.com' }, undefined)
    expect(body).toBe('CampaignId=1000&OrderId=A-1')
    expect(await finalBody).toBe(`${body}&CustomerId=${sha1('jane@example.com')}`)
  })

  it.each([['user-42'], ['@handle'], ['a@b']])('a CustomerId that is no address (%s) stays as it is', async (id) => {
    const { body, finalBody } = hashIdentity({ ...fields, CustomerId: id }, undefined)
    expect(new URLSearchParams(body).get('CustomerId')).toBe(id)
    expect(await finalBody).toBe(body)
  })

  it('without WebCrypto, neither the email nor an email-like CustomerId is sent', async () => {
    vi.stubGlobal('crypto', {})
    const { body, finalBody } = hashIdentity({ ...fields, CustomerId: 'jane@example.com' }, 'jane@example.com')
    expect(await finalBody).toBe(body)
    expect(body).not.toMatch(/jane/)
  })
})

describe('visitorEmail', () => {
  const hostile = (): Record<string, unknown> =>
    Object.defineProperty({}, 'email', {
      get() {
        throw new Error('hostile getter')
      },
    })

  it.each([
    ['properties first', { properties: { email: 'p@x.io' }, traits: { email: 't@x.io' } }, 'p@x.io'],
    ['then the event traits', { traits: { email: 't@x.io' } }, 't@x.io'],
    ['then context.traits', { context: { traits: { email: 'c@x.io' } } }, 'c@x.io'],
    ['then the user traits', {}, 'u@x.io'],
    ['past a throwing properties.email getter', { properties: hostile(), traits: { email: 't@x.io' } }, 't@x.io'],
  ])('%s', (_name, event, expected) => {
    expect(visitorEmail(event as never, () => ({ email: 'u@x.io' }))).toBe(expected)
  })

  it('a throwing getter everywhere: no email, no exception', () => {
    const event = { properties: hostile(), traits: hostile() }
    expect(
      visitorEmail(event as never, () => {
        throw new Error('no storage')
      }),
    ).toBeUndefined()
  })
})

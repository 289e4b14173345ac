import { describe, expect, it, vi } from 'vitest'
import { cut, dateTime, listAt, valueAt } from '../src/plugin/values'

describe('cut', () => {
  it('cuts to the limit in UTF-16 units', () => expect(cut('abcdef', 4)).toBe('abcd'))
  it('never keeps half of a surrogate pair', () => expect(cut('abc😀', 4)).toBe('abc'))
  it('keeps a whole pair that fits', () => expect(cut('ab😀c', 4)).toBe('ab😀'))
  it('without a limit returns the text', () => expect(cut('😀'.repeat(100))).toBe('😀'.repeat(100)))
})

describe('valueAt and listAt never throw', () => {
  const boom = (): never => {
    throw new Error('boom')
  }
  it('a throwing getter on the path reads as undefined, with a note', () => {
    const note = vi.fn()
    expect(valueAt(Object.defineProperty({}, 'a', { get: boom }), 'a.b', note)).toBeUndefined()
    expect(note).toHaveBeenCalledWith('a.b dropped: unreadable')
  })
  it('a revoked Proxy list is an empty list', () => {
    const { proxy, revoke } = Proxy.revocable([1, 2], {})
    revoke()
    expect(listAt({ list: proxy }, 'list', vi.fn())).toEqual([])
  })
  it('one unreadable entry costs only itself', () => {
    const list = new Proxy(['a', 'b', 'c'], { get: (t, k) => (k === '1' ? boom() : Reflect.get(t, k)) })
    expect(listAt({ list }, 'list', vi.fn())).toEqual(['a', undefined, 'c'])
  })
  it('a list claiming billions of entries is bounded', () => {
    const list: unknown[] = []
    list.length = 4e9
    const note = vi.fn()
    expect(listAt({ list }, 'list', note)).toHaveLength(1000)
    expect(note).toHaveBeenCalled()
  })
})

describe('dateTime', () => {
  it.each([
    [new Date('2024-05-01T10:00:00Z'), '2024-05-01T10:00:00.000Z'],
    ['2024-05-01T10:00:00+02:00', '2024-05-01T08:00:00.000Z'],
    [8.64e15, undefined], // year 275760: not a four-digit year
    ['soon', undefined],
    [Symbol('x'), undefined],
    [
      {
        valueOf: () => {
          throw new Error('x')
        },
      },
      undefined,
    ],
  ])('%s -> %s', (value, expected) => expect(dateTime(value)).toBe(expected))
})

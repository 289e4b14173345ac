import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLogger } from '../src/log'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('createLogger', () => {
  it.each([
    ['debug on', true, 1],
    ['debug off', false, 0],
  ])(
    '%s: debug lines printed %s time(s), warnings and errors always, all prefixed [Impact]',
    (_name, debug, debugLines) => {
      const d = vi.spyOn(console, 'debug').mockImplementation(() => {})
      const w = vi.spyOn(console, 'warn').mockImplementation(() => {})
      const e = vi.spyOn(console, 'error').mockImplementation(() => {})
      const log = createLogger(debug)
      log.debug('detail', { a: 1 })
      log.warn('careful')
      log.error('broken')
      expect(d).toHaveBeenCalledTimes(debugLines)
      if (debugLines) expect(d).toHaveBeenCalledWith('[Impact] detail', { a: 1 })
      expect(w).toHaveBeenCalledWith('[Impact] careful')
      expect(e).toHaveBeenCalledWith('[Impact] broken')
    },
  )

  it('never throws when the page broke console', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {
      throw new Error('console is gone')
    })
    expect(() => createLogger(true).error('x')).not.toThrow()
  })
})

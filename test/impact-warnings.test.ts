import { describe, expect, it, vi } from 'vitest'
import { createLogger } from '../src/log'
import { reportImpactWarnings } from '../src/plugin/impact-warnings'

function reported(body: unknown, debug = true): unknown[][] {
  const spy = vi.spyOn(console, 'debug').mockImplementation(() => {})
  reportImpactWarnings(body, createLogger(debug))
  const calls = spy.mock.calls
  spy.mockRestore()
  return calls
}

describe('reportImpactWarnings', () => {
  it("reports each of a PageLoad answer's warnings to the debug log, as Impact sent them", () => {
    const body = {
      clickId: 'abc',
      warnings: [
        { field: 'ReferringUrl', level: 'WARNING', message: 'Not a valid URL' },
        { field: 'CustomerEmail', level: 'INFO', message: 'Expected a SHA-1 hash' },
      ],
    }
    expect(reported(body)).toEqual([['[Impact] Impact warnings', body.warnings]])
  })

  it('says nothing without debug, for an empty list, or for an answer of another shape', () => {
    expect(reported({ warnings: [{ field: 'PageUrl', level: 'WARNING', message: 'x' }] }, false)).toEqual([])
    expect(reported({ warnings: [] })).toEqual([])
    for (const body of [undefined, null, 'text', { warnings: 'none' }]) expect(reported(body)).toEqual([])
  })
})

import { describe, expect, it, vi } from 'vitest'
import { createLogger } from '../src/log'
import { reportImpactWarnings } from '../src/plugin/impact-warnings'

function reported(body: unknown, debug = true): string[] {
  const spy = vi.spyOn(console, 'debug').mockImplementation(() => {})
  reportImpactWarnings(body, createLogger(debug))
  const lines = spy.mock.calls.map((c) => String(c[0]))
  spy.mockRestore()
  return lines
}

describe('reportImpactWarnings', () => {
  it("reports each of a PageLoad answer's warnings to the debug log, with field, level and message", () => {
    const body = {
      clickId: 'abc',
      warnings: [
        { field: 'ReferringUrl', level: 'WARNING', message: 'Not a valid URL' },
        { field: 'CustomerEmail', level: 'INFO', message: 'Expected a SHA-1 hash' },
      ],
    }
    expect(reported(body)).toEqual([
      '[Impact] Impact warns (WARNING) about ReferringUrl: Not a valid URL',
      '[Impact] Impact warns (INFO) about CustomerEmail: Expected a SHA-1 hash',
    ])
  })

  it('says nothing without debug, for an empty list, or for an answer of another shape', () => {
    expect(reported({ warnings: [{ field: 'PageUrl', level: 'WARNING', message: 'x' }] }, false)).toEqual([])
    expect(reported({ warnings: [] })).toEqual([])
    for (const body of [undefined, null, 'text', { warnings: 'none' }]) expect(reported(body)).toEqual([])
  })

  it('never throws on odd entries', () => {
    expect(reported({ warnings: [null, 7, { field: 'X' }] })).toHaveLength(3)
  })
})

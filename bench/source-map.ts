/**
 * Just enough of the source map format (v3) to name a position of a minified bundle: which source
 * file, line and identifier it came from.
 */

/** Where a generated position came from. */
export interface OriginalPosition {
  /** Source file as the map names it. */
  source: string
  /** 0-based line in the source. */
  line: number
  /** 0-based column in the source. */
  column: number
  /** The original identifier at that position, when the map records one. */
  name: string | undefined
}

interface RawSourceMap {
  sources: string[]
  names: string[]
  mappings: string
}

/** Segment: [generated column, source index, source line, source column, name index or -1]. */
type Segment = [number, number, number, number, number]

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

function decodeVlq(text: string): number[] {
  const values: number[] = []
  let value = 0
  let shift = 0
  for (const char of text) {
    const digit = BASE64.indexOf(char)
    value += (digit & 31) << shift
    if (digit & 32) shift += 5
    else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1)
      value = shift = 0
    }
  }
  return values
}

function decodeMappings(mappings: string): Segment[][] {
  const state = [0, 0, 0, 0]
  return mappings.split(';').map((line) => {
    let column = 0
    const segments: Segment[] = []
    for (const text of line ? line.split(',') : []) {
      const [dc = 0, ds, dl, dcol, dn] = decodeVlq(text)
      column += dc
      if (ds === undefined) continue
      state[0]! += ds
      state[1]! += dl!
      state[2]! += dcol!
      if (dn !== undefined) state[3]! += dn
      segments.push([column, state[0]!, state[1]!, state[2]!, dn === undefined ? -1 : state[3]!])
    }
    return segments
  })
}

/** A lookup from a 0-based generated line and column to where it came from. */
export function sourceMapLookup(json: string): (line: number, column: number) => OriginalPosition | undefined {
  const map = JSON.parse(json) as RawSourceMap
  const lines = decodeMappings(map.mappings)
  return (line, column) => {
    const segments = lines[line] ?? []
    let found: Segment | undefined
    for (const segment of segments) {
      if (segment[0] > column) break
      found = segment
    }
    if (!found) return undefined
    const [, source, srcLine, srcColumn, name] = found
    return { source: map.sources[source] ?? '?', line: srcLine, column: srcColumn, name: map.names[name] }
  }
}

/** Reports a value the mapping had to drop or repair (goes to the debug log). */
export type Note = (message: string) => void

/**
 * Where the mapping reports: `debug` for values dropped or repaired, `warn` for what the site owner
 * should fix (an invalid currency). A plain {@link Note} takes both.
 */
export interface MappingLog {
  debug: Note
  warn: Note
}

/** Both forms of the mapping's log as a {@link MappingLog}. */
export const mappingLog = (log: Note | MappingLog): MappingLog =>
  typeof log === 'function' ? { debug: log, warn: log } : log

/**
 * The value at a dot path (`properties.customer_status`) inside `source`, if any. Never throws:
 * a page's throwing getter or hostile Proxy on the way reads as undefined, with a note.
 */
export function valueAt(source: unknown, path: string, note?: Note): unknown {
  try {
    return path
      .split('.')
      .reduce<unknown>(
        (v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
        source,
      )
  } catch {
    note?.(path + ' dropped: unreadable')
    return undefined
  }
}

/**
 * The list at `path` inside `source`, read item by item so one unreadable entry costs only itself.
 * At most `max` entries: past that the body could never fit Impact's limit anyway.
 */
export function listAt(source: unknown, path: string, note: Note, max = 1000): unknown[] {
  const list = valueAt(source, path, note)
  let length = 0
  try {
    if (Array.isArray(list)) length = list.length
  } catch {
    note(path + ' dropped: unreadable')
  }
  if (length > max) note(`${path}: first ${max} kept`)
  return Array.from({ length: Math.min(length, max) }, (_, i) => valueAt(list, '' + i, note))
}

/** A string, finite number or boolean as trimmed text; anything else (objects, blanks) is undefined. */
export function text(value: unknown): string | undefined {
  const s =
    typeof value === 'string' ? value.trim() : Number.isFinite(value) || typeof value === 'boolean' ? '' + value : ''
  return s || undefined
}

/** A finite number, or a string holding a plain decimal ('5.00'; not '5,00'); else undefined. */
export function decimal(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? +value : value
  return Number.isFinite(n) ? (n as number) : undefined
}

/** A date (Date, ISO string or epoch milliseconds) in years 1000 to 9999 as ISO 8601, or undefined. */
export function dateTime(value: unknown): string | undefined {
  try {
    // null would read as 0, 1970: no date either.
    const iso = new Date((value ?? NaN) as string).toISOString()
    return /^[1-9]\d{3}-/.test(iso) ? iso : undefined
  } catch {
    // an invalid date, an object whose valueOf throws, a Symbol
    return undefined
  }
}

/** `s` cut to `max` UTF-16 units, never through a surrogate pair (half an emoji reads as U+FFFD). */
export function cut(s: string, max = Infinity): string {
  const head = s.slice(0, max)
  return head.length < s.length && /[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head
}

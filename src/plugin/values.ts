import { FIELD_LIMITS } from '../fields'

/** Reports a value the mapping had to drop or repair (goes to the debug log). */
export type Note = (message: string) => void

/** The value at a dot path (`properties.customer_status`) inside `source`, if any. */
export function valueAt(source: unknown, path: string): unknown {
  let value = source
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

/** A string, finite number or boolean as trimmed text; anything else (objects, blanks) is undefined. */
export function text(value: unknown): string | undefined {
  const s =
    typeof value === 'string'
      ? value.trim()
      : (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean'
        ? String(value)
        : ''
  return s || undefined
}

/** `value` cut to Impact's documented limit for `field`, when it has one. */
export function cut(field: string, value: string): string {
  const limit = FIELD_LIMITS[field]
  return limit ? value.slice(0, limit) : value
}

/**
 * A money amount: a finite number (or numeric string) rounded to 2 decimals. Anything else is
 * dropped with a note, so one odd property never costs the whole conversion.
 */
export function amount(value: unknown, field: string, note: Note): number | undefined {
  if (value === undefined || value === null || value === '') return undefined
  const n = typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value
  if (typeof n === 'number' && Number.isFinite(n)) return round2(n)
  note(`${field} dropped: ${JSON.stringify(value)} is not a number`)
  return undefined
}

/** Rounds to cents without the float noise of 19.99 * 3. */
export function round2(n: number): number {
  return Math.round((n + Number.EPSILON) * 100) / 100
}

/** A number as a form value (undefined stays undefined). */
export function numeric(n: number | undefined): string | undefined {
  return n === undefined ? undefined : String(n)
}

/** The event's timestamp as ISO 8601 (its own time, so a replayed event keeps its date). */
export function isoDate(timestamp: unknown, now: number): string {
  const date = new Date(timestamp instanceof Date || typeof timestamp === 'string' || typeof timestamp === 'number' ? timestamp : now)
  return isNaN(date.getTime()) ? new Date(now).toISOString() : date.toISOString()
}

/** Sets `fields[name]` (cut to its limit) when `value` is defined. */
export function put(fields: Record<string, string>, name: string, value: string | undefined): void {
  if (value !== undefined) fields[name] = cut(name, value)
}

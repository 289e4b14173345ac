import { fieldLimit } from '../fields'

/** Reports a value the mapping had to drop or repair (goes to the debug log). */
export type Note = (message: string) => void

/** The value at a dot path (`properties.customer_status`) inside `source`, if any. */
export function valueAt(source: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), source)
}

/** A string, finite number or boolean as trimmed text; anything else (objects, blanks) is undefined. */
export function text(value: unknown): string | undefined {
  const s =
    typeof value === 'string'
      ? value.trim()
      : (typeof value === 'number' && isFinite(value)) || typeof value === 'boolean'
        ? '' + value
        : ''
  return s || undefined
}

/**
 * A money amount: a finite number (or numeric string), not yet rounded (round the final figure:
 * a line subtotal is price x quantity before rounding). Anything else is dropped with a note, so
 * one odd property never costs the whole conversion.
 */
export function amount(value: unknown, field: string, note: Note): number | undefined {
  if (value === null || value === undefined || value === '') return undefined
  const n = typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? +value : value
  if (typeof n === 'number' && isFinite(n)) return n
  note(field + ' dropped: not a number')
  return undefined
}

/** Rounds to cents without the float noise of 19.99 * 3. */
export function round2(n: number): number {
  return Math.round((n + Number.EPSILON) * 100) / 100
}

/** The event's timestamp as ISO 8601 (its own time, so a replayed event keeps its date). */
export function isoDate(timestamp: unknown, now: number): string {
  const date = new Date((timestamp ?? now) as string)
  return (isNaN(+date) ? new Date(now) : date).toISOString()
}

/** Sets `fields[name]`, cut to Impact's limit for it, unless `value` is undefined or blank. */
export function put(fields: Record<string, string>, name: string, value: string | number | undefined): void {
  if (value !== undefined && value !== '') fields[name] = ('' + value).slice(0, fieldLimit(name))
}

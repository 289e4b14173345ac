/**
 * Turns one request schema of Impact's published OpenAPI files into a table of field rules.
 *
 * The property list is read from the YAML, never hand-copied, so the fake checks exactly what
 * Impact documents. The Conversions file names its indexed fields in prose-ish keys
 * (`ItemSku[i]`, `Text1–Text50`, `ItemText[i]_1 to ItemText[i]_50`): those become pattern rules.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

/** Directory of Impact's OpenAPI files: `../shared/impact-api` next to the repository root. */
export const IMPACT_API_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
  '../shared/impact-api',
)

/** What one form field may hold. Values arrive as strings and must parse as `type`. */
export interface FieldRule {
  type: 'string' | 'integer' | 'number' | 'boolean'
  /** Only the formats the fake checks; `decimal` adds nothing to `type: number`. */
  format?: 'date-time' | 'uri'
  maxLength?: number
  enum?: string[]
}

/** A field name resolved against a table: its rule and, for `Item…{i}` fields, the item index. */
export interface FieldMatch {
  rule: FieldRule
  item?: number
}

/** A pattern rule such as `ItemText{i}_{1..50}`; `range` bounds the trailing number, if any. */
interface PatternRule {
  regex: RegExp
  range?: [number, number]
  /** True when group 1 is an item index (`[i]` in the key). */
  indexed: boolean
  rule: FieldRule
}

/** The rules of one request schema. */
export interface FieldTable {
  exact: Map<string, FieldRule>
  patterns: PatternRule[]
  /** The schema's `required` list, verbatim (callers apply Impact's "one of" alternatives). */
  required: string[]
}

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Reads one OpenAPI property into a rule; throws on a type the fake cannot check. */
function toRule(name: string, prop: unknown): FieldRule {
  if (!isObject(prop)) throw new Error(`OpenAPI property ${name} is not an object`)
  const { type, format, maxLength, enum: values } = prop
  if (type !== 'string' && type !== 'integer' && type !== 'number' && type !== 'boolean') {
    throw new Error(`OpenAPI property ${name} has unsupported type ${String(type)}`)
  }
  const rule: FieldRule = { type }
  if (format === 'date-time' || format === 'uri') rule.format = format
  if (typeof maxLength === 'number') rule.maxLength = maxLength
  if (Array.isArray(values)) rule.enum = values.map(String)
  return rule
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** `ItemText[i]_` -> `ItemText([1-9]\d*)_`: `[i]` is a 1-based item index without leading zeros. */
const templateSource = (template: string): string => template.split('[i]').map(escape).join('([1-9]\\d*)')

/**
 * Parses a prose key. A range (`Text1–Text50`, `ItemText[i]_1 to ItemText[i]_50`) must have both
 * ends share a prefix and differ only in a trailing number; anything unrecognised throws, so a
 * new spelling in the YAML fails loudly at startup instead of being silently accepted.
 */
function toPattern(key: string, rule: FieldRule): PatternRule | undefined {
  const range = /^(\S+?)(\d+)\s*(?:–|-|to)\s*(\S+?)(\d+)$/.exec(key)
  if (range) {
    const [, fromPrefix = '', from = '', toPrefix, to = ''] = range
    if (fromPrefix !== toPrefix) throw new Error(`Cannot read OpenAPI range key "${key}"`)
    const regex = new RegExp(`^${templateSource(fromPrefix)}([1-9]\\d*)$`)
    return { regex, range: [Number(from), Number(to)], indexed: key.includes('[i]'), rule }
  }
  if (key.includes('[i]')) {
    return { regex: new RegExp(`^${templateSource(key)}$`), indexed: true, rule }
  }
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new Error(`Cannot read OpenAPI key "${key}"`)
  return undefined
}

/**
 * Loads `components.schemas[schemaName]` of `fileName` (inside {@link IMPACT_API_DIR}).
 * `extras` adds fields Impact names only in prose and tightens limits Impact documents elsewhere;
 * an extra merges over the schema's rule of the same name.
 */
export function loadFieldTable(
  fileName: string,
  schemaName: string,
  extras: Record<string, Partial<FieldRule>> = {},
): FieldTable {
  const doc: unknown = parse(readFileSync(path.join(IMPACT_API_DIR, fileName), 'utf8'))
  const schemas = isObject(doc) && isObject(doc.components) ? doc.components.schemas : undefined
  const schema = isObject(schemas) ? schemas[schemaName] : undefined
  if (!isObject(schema) || !isObject(schema.properties)) {
    throw new Error(`${fileName} has no schema ${schemaName} with properties`)
  }
  const table: FieldTable = {
    exact: new Map(),
    patterns: [],
    required: Array.isArray(schema.required) ? schema.required.map(String) : [],
  }
  for (const [key, prop] of Object.entries(schema.properties)) {
    const rule = toRule(key, prop)
    const pattern = toPattern(key, rule)
    if (pattern) table.patterns.push(pattern)
    else table.exact.set(key, rule)
  }
  for (const [name, extra] of Object.entries(extras)) {
    table.exact.set(name, { type: 'string', ...table.exact.get(name), ...extra })
  }
  return table
}

/** Finds the rule for a field name, or undefined when Impact does not document the field. */
export function lookupField(table: FieldTable, name: string): FieldMatch | undefined {
  const rule = table.exact.get(name)
  if (rule) return { rule }
  for (const { regex, range, indexed, rule } of table.patterns) {
    const m = regex.exec(name)
    if (!m) continue
    // With a range the last group is the bounded number; an item index is always group 1.
    if (range) {
      const n = Number(m[m.length - 1])
      if (n < range[0] || n > range[1]) continue
    }
    return indexed ? { rule, item: Number(m[1]) } : { rule }
  }
  return undefined
}

/**
 * The shape of Impact's field tables and the name lookup over them. Server-side code (the relay,
 * the fake Impact) uses this; the browser bundle only needs {@link ./limits}.
 */
import { fieldLimit } from './limits'

/** What one form parameter may hold. Values travel as strings and must parse as `type`. */
export interface FieldRule {
  type: 'string' | 'integer' | 'number' | 'boolean'
  /** `date-time`: ISO 8601 with a zone; `uri`: an absolute URL. */
  format?: 'date-time' | 'uri'
  /** A money amount (decimal): sending one makes the request's currency field required. */
  money?: true
  /** Smallest allowed integer (ids and quantities start at 1). */
  min?: number
  /** The whole value must match (ISO codes, hashes). */
  pattern?: RegExp
  /** The literal `NOW` is accepted too (PageLoad's EventDate). */
  now?: true
}

/**
 * One Impact request body: its parameters and the rules between them. A parameter key is a plain
 * name or a template: `{i}` is a 1-based item index (`ItemSku{i}`), `{1-50}` a bounded number
 * (`Text{1-50}`, `ItemText{i}_{1-50}`). Maximum lengths live in {@link ./limits}, by name.
 */
export interface RequestTable {
  fields: Readonly<Record<string, FieldRule>>
  /** Always required. */
  required: readonly string[]
  /** At least one must be sent: the visitor id (PageLoad) or the attribution key (Conversions). */
  anyOf: readonly string[]
  /** Exactly one must be sent (the Conversions event identifier). */
  exactlyOne?: readonly string[]
  /** Pairs never sent together; `{i}` is the same item on both sides. The second one is at fault. */
  exclusive?: readonly (readonly [string, string])[]
  /** For every item index in use, one of each inner list (templates with `{i}`). */
  perItem?: readonly (readonly string[])[]
  /** Order-level parameters that must not be sent with item-level data. */
  orderLevelOnly?: readonly string[]
  /** Required whenever a money parameter is sent. */
  currency?: string
}

/** A parameter name resolved against a table. */
export interface FieldMatch {
  /** The table key it matched (`ItemText{i}_{1-50}` for `ItemText2_7`). */
  key: string
  /** The rule, with the name's maximum length when Impact documents one. */
  rule: FieldRule & { maxLength?: number }
  /** The item index, for `{i}` templates. */
  item?: number
}

/** A compiled template: its regex and, per capture group, the item marker or the number range. */
interface Template {
  key: string
  regex: RegExp
  groups: ('i' | [number, number])[]
}

const compiled = new WeakMap<RequestTable, Template[]>()

/** `ItemText{i}_{1-50}` -> `^ItemText([1-9]\d*)_([1-9]\d*)$` with groups `['i', [1, 50]]`. */
function compile(key: string): Template {
  const groups: Template['groups'] = []
  const source = key.replace(/\{(i|(\d+)-(\d+))\}/g, (_, _all: string, from?: string, to?: string) => {
    groups.push(from === undefined ? 'i' : [Number(from), Number(to)])
    return '([1-9]\\d*)'
  })
  return { key, regex: new RegExp(`^${source}$`), groups }
}

function templatesOf(table: RequestTable): Template[] {
  let templates = compiled.get(table)
  if (!templates) {
    templates = Object.keys(table.fields)
      .filter((key) => key.includes('{'))
      .map(compile)
    compiled.set(table, templates)
  }
  return templates
}

/** Finds the rule for a parameter name, or undefined when Impact does not document it. */
export function lookupField(table: RequestTable, name: string): FieldMatch | undefined {
  const limited = (key: string, item?: number): FieldMatch => {
    const maxLength = fieldLimit(name)
    const rule = maxLength === undefined ? table.fields[key]! : { ...table.fields[key]!, maxLength }
    return item === undefined ? { key, rule } : { key, rule, item }
  }
  if (Object.hasOwn(table.fields, name) && !name.includes('{')) return limited(name)
  for (const { key, regex, groups } of templatesOf(table)) {
    const m = regex.exec(name)
    if (!m) continue
    const numbers = groups.map((_, g) => Number(m[g + 1]))
    const inRange = groups.every((group, g) => group === 'i' || (numbers[g]! >= group[0] && numbers[g]! <= group[1]))
    if (inRange) return limited(key, groups[0] === 'i' ? numbers[0] : undefined)
  }
  return undefined
}

/** The plain (non-template) parameter names of a table. */
export const plainNames = (table: RequestTable): string[] => Object.keys(table.fields).filter((k) => !k.includes('{'))

/** Every name a table key stands for, when it has no item index (`Text{1-50}`: Text1 ... Text50). */
export function fixedNames(table: RequestTable): string[] {
  return Object.keys(table.fields).flatMap((key) => {
    const range = /^(\w+)\{(\d+)-(\d+)\}$/.exec(key)
    if (!range) return key.includes('{') ? [] : [key]
    const [, stem, from, to] = range
    return Array.from({ length: Number(to) - Number(from) + 1 }, (_, n) => `${stem}${Number(from) + n}`)
  })
}

/** `ItemPrice{i}` for item 3: `ItemPrice3`. */
export const forItem = (template: string, item: number): string => template.replace('{i}', String(item))

import type { ImpactFields } from '../fields'
import type { Note } from './values'

/**
 * What goes when a conversion is too big, in order: first the descriptive item fields, then every
 * other optional item field. SKU, quantity and amount stay: they are the sale.
 */
const EXPENDABLE: Array<[RegExp, string]> = [
  [/^Item(Name|Category|Brand)\d/, 'ItemName, ItemCategory, ItemBrand'],
  [/^Item(?!Sku|Quantity|Price|SubTotal)/, 'optional item fields'],
]

/** The form-encoded size of `fields` in bytes (the encoding is ASCII, so characters are bytes). */
export const encodedBytes = (fields: ImpactFields): number => new URLSearchParams(fields).toString().length

/**
 * `fields` made to fit `maxBytes` once form-encoded, dropping the least needed item fields first,
 * each step reported; returned as is when they fit. Pure: the input is not changed.
 */
export function fitConversion(fields: ImpactFields, maxBytes: number, note: Note): ImpactFields {
  let fitted = fields
  for (const [expendable, names] of EXPENDABLE) {
    if (encodedBytes(fitted) <= maxBytes) break
    fitted = Object.fromEntries(Object.entries(fitted).filter(([name]) => !expendable.test(name)))
    note(`conversion over ${maxBytes} B: ${names} dropped`)
  }
  return fitted
}

/**
 * Impact's documented maximum lengths, the one column of the field tables the browser needs: the
 * mapping cuts strings to these. Kept apart, and keyed compactly by the name without its digits
 * (`SubId2` -> `SubId`, `ItemText3_12` -> `ItemText_`), so the CDN bundle carries a few bytes.
 * Sources: Impact's facts (ClickId, OrderId, CustomProfileId) and the Conversions schema (Note,
 * SubId1-3, SharedId, Text1-50, ItemText{i}_1-50).
 */
// A null prototype: `constructor` or `__proto__` must find no "limit".
const LIMITS = {
  __proto__: null,
  ClickId: 64,
  OrderId: 64,
  CustomProfileId: 70,
  Note: 255,
  SharedId: 255,
  SubId: 255,
  Text: 64,
  ItemText_: 64,
} as unknown as Readonly<Record<string, number>>

/** The maximum characters of a parameter; undefined when Impact documents no limit. */
export const fieldLimit = (name: string): number | undefined => LIMITS[name.replace(/\d+/g, '')]

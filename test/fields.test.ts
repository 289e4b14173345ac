import { describe, expect, it } from 'vitest'
import { isConversionParameter, isPageLoadParameter } from '../src/fields'

describe('isPageLoadParameter', () => {
  it.each([
    ['PageUrl', true],
    ['ClickId', true],
    ['TrackingConsent', true],
    ['OrderId', false],
    ['ItemSku1', false],
    ['__proto__', false],
  ])('%s -> %s', (name, expected) => expect(isPageLoadParameter(name)).toBe(expected))
})

describe('isConversionParameter', () => {
  it.each([
    ['OrderId', true],
    ['ItemSku12', true],
    ['ItemText3_50', true],
    ['ItemText3_51', false],
    ['Text50', true],
    ['PageUrl', false],
  ])('%s -> %s', (name, expected) => expect(isConversionParameter(name)).toBe(expected))
})

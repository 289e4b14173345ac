import { describe, expect, it, vi } from 'vitest'
import { encodedBytes, fitConversion } from '../src/plugin/fit-conversion'

const order = (lines: number, name: string): Record<string, string> => {
  const fields: Record<string, string> = { CampaignId: '1000', OrderId: 'O-1' }
  for (let i = 1; i <= lines; i++)
    Object.assign(fields, {
      ['ItemSku' + i]: 'SKU-' + i,
      ['ItemName' + i]: name,
      ['ItemCategory' + i]: 'Toys',
      ['ItemBrand' + i]: 'Acme',
      ['ItemText' + i + '_1']: 'red',
      ['ItemQuantity' + i]: '1',
      ['ItemSubTotal' + i]: '9.99',
    })
  return fields
}

describe('fitConversion', () => {
  it('returns a body that fits as it is, with no note', () => {
    const note = vi.fn()
    const fields = order(3, 'Ball')
    expect(fitConversion(fields, 64 * 1024, note)).toBe(fields)
    expect(note).not.toHaveBeenCalled()
  })

  it('measures encoded UTF-8 bytes: a Japanese name weighs 9 bytes a character', () => {
    expect(encodedBytes({ ItemName1: '日本' })).toBe('ItemName1='.length + 2 * 9)
  })

  it('over the limit: drops ItemName, ItemCategory and ItemBrand first, keeps the rest, reports it', () => {
    const note = vi.fn()
    const fields = order(100, '日本語の商品名'.repeat(4))
    const fitted = fitConversion(fields, 16 * 1024, note)
    expect(encodedBytes(fitted)).toBeLessThanOrEqual(16 * 1024)
    expect(Object.keys(fitted).some((k) => /^Item(Name|Category|Brand)/.test(k))).toBe(false)
    expect(fitted).toMatchObject({ ItemSku100: 'SKU-100', ItemText100_1: 'red', ItemSubTotal100: '9.99' })
    expect(note).toHaveBeenCalledTimes(1)
    expect(fields.ItemName1).toBeDefined() // the input is not changed
  })

  it('still over: the other optional item fields go too; SKU, quantity and amount stay', () => {
    const note = vi.fn()
    const fitted = fitConversion(order(150, 'x'), 8 * 1024, note)
    expect(Object.keys(fitted).some((k) => k.startsWith('ItemText'))).toBe(false)
    expect(fitted).toMatchObject({ ItemSku150: 'SKU-150', ItemQuantity150: '1', ItemSubTotal150: '9.99' })
    expect(note).toHaveBeenCalledTimes(2)
  })
})

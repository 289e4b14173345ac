/**
 * Fuzz of the pure mapping: random, odd and hostile Segment payloads through conversionFields and
 * pageLoadFields. Seeded (FUZZ_SEED overrides) and bounded in count, so a failure replays exactly.
 */
import type { SegmentEvent } from '@segment/analytics-next'
import { describe, expect, it } from 'vitest'
import { validateConversion, validatePageLoad, type FieldError } from '../demo/fake-impact/index'
import { conversionFields } from '../src/plugin/conversion-fields'
import { pageLoadFields } from '../src/plugin/page-load-fields'
import { EMAIL_SHA1, resolved } from './support/settings'

const SEED = Number(process.env.FUZZ_SEED ?? 20261130)
const RUNS = 400
const NOW = Date.parse('2024-05-01T10:00:00.000Z')

/** mulberry32: small, fast, good enough to pick test inputs. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const boom = (): never => {
  throw new Error('hostile page')
}

/** Builds random values from one seeded source. */
function junkMaker(rand: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!
  const strings = (): string =>
    pick([
      '',
      '  ',
      '5.00',
      '5,00',
      ' 3 ',
      '-0',
      '2.5',
      'EURO',
      '€',
      'eur',
      'true',
      '2024-02-30T10:00:00Z',
      '2024-05-01T10:00:00Z',
      'https://shop.example/x?y=1',
      '/\\evil',
      '😀'.repeat(1 + Math.floor(rand() * 80)),
      'x'.repeat(Math.floor(rand() * 300)) + '\uD83D',
      '日本語'.repeat(Math.floor(rand() * 100)),
      'a'.repeat(Math.floor(rand() * 20000)),
      '\u0000\n\t<script>',
    ])
  const numbers = (): number =>
    pick([0, -1, 1, 2.5, 19.999, 1e21, 1e25, -1e-7, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER + 2, 8.64e15])
  const value = (depth: number): unknown => {
    switch (Math.floor(rand() * (depth > 2 ? 9 : 14))) {
      case 0:
        return undefined
      case 1:
        return null
      case 2:
        return rand() < 0.5
      case 3:
      case 4:
        return numbers()
      case 5:
      case 6:
      case 7:
        return strings()
      case 8:
        return pick([Symbol('s'), 10n, () => 1, new Date(NaN), new Date(NOW)])
      case 9:
        return object(depth + 1)
      case 10:
        return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1))
      case 11:
        return new Proxy(object(depth + 1), { get: boom, has: boom, ownKeys: boom, getPrototypeOf: boom })
      case 12: {
        const { proxy, revoke } = Proxy.revocable({}, {})
        revoke()
        return proxy
      }
      default:
        return { valueOf: boom, toString: boom, toJSON: boom }
    }
  }
  /** An object with a few known and random keys, some behind throwing getters. */
  const object = (depth: number, keys: readonly string[] = ['a', 'b']): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (const key of keys) {
      if (rand() < 0.3) continue
      if (rand() < 0.05) Object.defineProperty(out, key, { get: boom, enumerable: true })
      else out[key] = value(depth)
    }
    return out
  }
  return { pick, value, object, strings, numbers, rand }
}

const PROPERTY_KEYS =
  'order_id checkout_id total revenue subtotal shipping tax discount coupon currency email affiliation ship m day gift'.split(
    ' ',
  )
const PRODUCT_KEYS = 'sku product_id name category brand coupon price quantity qty color number'.split(' ')

/** A random event: plausible shape, odd values. */
function randomEvent(j: ReturnType<typeof junkMaker>, type: 'track' | 'page'): SegmentEvent {
  const properties = j.object(0, PROPERTY_KEYS)
  if (j.rand() < 0.7) {
    const products = Array.from({ length: Math.floor(j.rand() * (j.rand() < 0.05 ? 400 : 6)) }, () =>
      j.rand() < 0.9 ? j.object(1, PRODUCT_KEYS) : j.value(1),
    )
    properties.products =
      j.rand() < 0.1 ? new Proxy(products, { get: (t, k) => (j.rand() < 0.2 ? boom() : Reflect.get(t, k)) }) : products
  }
  const context =
    j.rand() < 0.5
      ? { device: { type: j.pick(['ios', 'android', 'web']) }, app: j.object(1, ['namespace', 'version']) }
      : j.value(1)
  return {
    type,
    event: j.rand() < 0.8 ? 'Order Completed' : (j.value(1) as string),
    anonymousId: j.rand() < 0.8 ? 'anon-' + Math.floor(j.rand() * 1e6) : (j.value(1) as string),
    userId: j.value(1) as string,
    messageId: j.rand() < 0.9 ? 'msg-' + Math.floor(j.rand() * 1e6) : (j.value(1) as string),
    timestamp: j.value(1) as Date,
    properties: j.rand() < 0.05 ? (j.value(2) as Record<string, unknown>) : properties,
    context: context as SegmentEvent['context'],
  }
}

const SETTINGS = [
  resolved({}),
  resolved({ eventTypeId: '7', defaultCurrency: 'EUR', iOsAppId: '111', androidAppId: '222' }),
  resolved({
    customParameterMapping: {
      Text1: 'properties.affiliation',
      OrderShipping: 'properties.ship',
      Money1: 'properties.m',
      Date1: 'properties.day',
      GiftPurchase: 'properties.gift',
      CurrencyCode: 'properties.currency',
      Numeric1: 'properties.total',
      ItemPrice1: 'properties.m',
      EventTypeId: 'properties.order_id',
    },
    customMappingForProducts: {
      'ItemText{i}_1': 'color',
      ItemQuantity: 'qty',
      ItemPrice: 'price',
      'ItemNumeric{i}_1': 'number',
      ItemMpn: 'name',
    },
  }),
]

/** What the mapping cannot invent when the event lacks it: these errors mean "not a sale", not "invalid". */
const MISSING_INPUT = /^(OrderId|PageUrl)$|^(ActionTrackerId|CustomProfileId|ClickId)\|/
const realErrors = (errors: FieldError[]): string[] =>
  errors
    .filter((e) => !(MISSING_INPUT.test(e.field) && / required/.test(e.message)))
    .map((e) => `${e.field} ${e.message}`)

describe(`mapping fuzz (seed ${SEED}, ${RUNS} events each)`, () => {
  it('conversionFields: never throws, and every field set passes the strict validator', () => {
    const j = junkMaker(random(SEED))
    for (let run = 0; run < RUNS; run++) {
      const event = randomEvent(j, 'track')
      const identity = {
        clickId: j.rand() < 0.8 ? 'click-' + run : undefined,
        customerEmail: j.pick([EMAIL_SHA1, undefined]),
      }
      const notes: string[] = []
      const note = (m: string): void => void notes.push(m)
      let fields: Record<string, string> = {}
      expect(
        () =>
          (fields = conversionFields(event, j.pick(SETTINGS), identity, j.rand() < 0.2, NOW, {
            debug: note,
            warn: note,
          })),
        `run ${run}`,
      ).not.toThrow()
      expect(realErrors(validateConversion(fields)), `run ${run}: ${JSON.stringify(fields).slice(0, 400)}`).toEqual([])
      // Over 64 KiB (huge ids or SKUs, which Impact sets no limit to) only after every optional item field went.
      if (new URLSearchParams(fields).toString().length > 64 * 1024) {
        expect(
          Object.keys(fields).filter((k) => /^Item(?!Sku|Quantity|Price|SubTotal)/.test(k)),
          `run ${run}`,
        ).toEqual([])
        expect(notes, `run ${run}`).toContainEqual(expect.stringMatching(/^conversion over/))
      }
    }
  })

  it('pageLoadFields: never throws, and every field set passes the strict validator', () => {
    const j = junkMaker(random(SEED + 1))
    for (let run = 0; run < RUNS; run++) {
      const event = randomEvent(j, 'page')
      const view = {
        url: j.rand() < 0.8 ? 'https://shop.example/p/' + run + '?irclickid=abc' : (j.value(1) as string),
        referrer: j.rand() < 0.5 ? 'https://partner.example/' : (j.value(1) as string),
        userAgent: j.value(1) as string,
      }
      let fields: Record<string, string> = {}
      expect(
        () => (fields = pageLoadFields(event, j.pick(SETTINGS), { clickId: j.pick(['abc', undefined]) }, view, NOW)),
        `run ${run}`,
      ).not.toThrow()
      expect(realErrors(validatePageLoad(fields)), `run ${run}: ${JSON.stringify(fields).slice(0, 400)}`).toEqual([])
    }
  })
})

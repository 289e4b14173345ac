// One page ("tab") of delivery over injected fakes, and the bodies and helpers the delivery and
// retry tests share.
import { vi } from 'vitest'
import { createDelivery, type ConversionTarget, type Delivery, type DeliveryDeps } from '../../src/delivery/delivery'
import { conversionKey, OUTBOX_KEY } from '../../src/delivery/outbox'
import {
  Clock,
  FakeLocks,
  MemoryStorage,
  scriptedFetch,
  sequenceRandom,
  spyLogger,
  storedJsonHolds,
  Timers,
  type FakeFallbackStore,
  type Reply,
  type ScriptedFetch,
  type SpyLogger,
} from './delivery-fakes'

export type Target = ConversionTarget | undefined
export type Answer = Awaited<ReturnType<Delivery['sendPageLoad']>>

export const PAGELOAD_URL = 'https://trkapi.impact.com/PageLoad'
export const RELAY: Target = { url: '/impact/conversions' }
export const EVENT_DATE = '2024-05-01T11:59:58.123Z'

export const conversionBody = (orderId: string, eventDate = EVENT_DATE): string =>
  new URLSearchParams({
    CampaignId: '1000',
    EventTypeCode: 'Order Completed',
    EventDate: eventDate,
    OrderId: orderId,
    ClickId: 'abc-123',
    OrderSubTotalPostDiscount: '49.99',
    CurrencyCode: 'USD',
  }).toString()
export const keyOf = (OrderId: string): string => conversionKey({ EventTypeCode: 'Order Completed', OrderId })
export const pageLoadBody = (page = '/'): string =>
  new URLSearchParams({
    CampaignId: '1000',
    EventDate: EVENT_DATE,
    PageUrl: `https://shop.example.com${page}`,
  }).toString()

export interface Tab {
  delivery: Delivery
  clock: Clock
  timers: Timers
  net: ScriptedFetch
  log: SpyLogger
  storage: Storage | undefined
}

export interface TabOptions {
  storage?: Storage | undefined
  /** Web Locks; default: a FakeLocks of its own. Pass undefined for a browser without them. */
  locks?: LockManager | undefined
  sessionStorage?: Storage
  sentFallback?: FakeFallbackStore
  clock?: Clock
  random?: () => number
  target?: Target
  net?: ScriptedFetch
}

/** One page (one "tab") with its own timers and logger; storage, clock, locks and fetch may be shared. */
export function tab(options: TabOptions = {}): Tab {
  const clock = options.clock ?? new Clock()
  const timers = new Timers(clock)
  const net = options.net ?? scriptedFetch()
  const log = spyLogger()
  const storage = 'storage' in options ? options.storage : new MemoryStorage()
  const deps: DeliveryDeps = {
    fetch: net.fetch,
    now: clock.now,
    random: options.random ?? sequenceRandom(),
    setTimeout: timers.setTimeout,
    storage: () => storage,
    sessionStorage: () => options.sessionStorage,
    sentFallback: options.sentFallback,
    locks: 'locks' in options ? options.locks : new FakeLocks(),
  }
  const target = 'target' in options ? options.target : RELAY
  const delivery = createDelivery({ pageLoadUrl: PAGELOAD_URL, target, log, deps })
  return { delivery, clock, timers, net, log, storage }
}

export const outboxHolds = (storage: Storage | undefined, body: string): boolean =>
  !!storage && storedJsonHolds(storage, OUTBOX_KEY, body)

/** The two kinds of request, driven the same way for the table-driven tests. */
export type Kind = 'pageLoad' | 'conversion'
export function sender(kind: Kind, t: Tab) {
  const delivered = vi.fn((_answer: Answer) => undefined)
  let n = 0
  return {
    delivered,
    /** Sends a fresh body each time (new OrderId / page). */
    send(body = kind === 'pageLoad' ? pageLoadBody(`/p${++n}`) : conversionBody(`o-${++n}`)) {
      return {
        body,
        answer:
          kind === 'pageLoad'
            ? t.delivery.sendPageLoad(body, delivered)
            : t.delivery.sendConversion({ key: keyOf(new URLSearchParams(body).get('OrderId') ?? body), body }),
      }
    },
    url: kind === 'pageLoad' ? PAGELOAD_URL : RELAY!.url,
  }
}

export const KINDS: Kind[] = ['pageLoad', 'conversion']
export const statusReply = (status: number | 'network'): Reply => (status === 'network' ? 'network' : status)

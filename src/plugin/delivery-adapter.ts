import type { Delivery } from '../delivery/delivery'
import type { Answer } from '../delivery/transport'
import type { Conversion } from './conversions'

/** How a conversion is delivered. */
export interface SendOptions {
  /** False: no storage at all, retries in memory only (consent denied, sent cookieless). Default true. */
  persist?: boolean
}

/** Delivery as the plugin calls it: a conversion is `{ key, body, finalBody }`. */
export type PluginDelivery = Omit<Delivery, 'sendConversion'> & {
  sendConversion(conversion: Conversion, options?: SendOptions): Promise<Answer | 'duplicate'>
}

/**
 * Bridges to delivery's current `sendConversion(key, body, final)` until it takes a conversion and
 * `{ persist }` itself: unpersisted conversions go through a second delivery whose storage is none,
 * created on first use. Remove once delivery owns both.
 */
export function adaptDelivery(persisted: Delivery, inMemory: () => Delivery): PluginDelivery {
  let memory: Delivery | undefined
  return {
    ...persisted,
    sendConversion({ key, body, finalBody }, options) {
      const delivery = options?.persist === false ? (memory ??= inMemory()) : persisted
      return delivery.sendConversion(key, body, finalBody)
    },
  }
}

/**
 * `analytics-plugin-impact/relay`: the server side of conversion delivery. The browser posts
 * conversions here without credentials; the relay checks them, adds Impact's Basic auth and
 * forwards them, so the Auth Token never reaches a browser.
 */

export { createImpactRelay, type ImpactRelayContext, type ImpactRelayHandler } from './relay'
export type { ImpactRelayOptions } from './options'
export { MAX_BODY_BYTES } from './body'
export { toNodeListener } from './node'

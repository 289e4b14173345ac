/**
 * `analytics-plugin-impact/relay`: the shop's first-party endpoint for Impact. The browser posts
 * conversions and PageLoads here, on its own origin; the relay checks them, adds Impact's Basic
 * auth to conversions (the Auth Token never reaches a browser), and keeps a landing's click in a
 * cookie set by the server, which Safari does not cap at 7 days.
 */

export { createImpactRelay, type ImpactRelayContext, type ImpactRelayHandler } from './relay'
export type { ImpactRelayOptions } from './options'
export type { VerifiedOrder } from './verified-order'
export { toNodeListener } from './node'

/**
 * analytics-plugin-impact/server: the Impact destination for `@segment/analytics-node`. Refunds
 * and cancellations tracked on the shop's server take the partner's commission back; server-side
 * conversions use the browser's mapping.
 * @packageDocumentation
 */
export { impactServer, type ImpactServerPlugin, type ImpactServerReport } from './plugin'
export { impactReferrer, type ImpactReferrer } from './impact-referrer'
export type { ImpactServerOptions } from './options'
export type { ImpactSettings, TextMap } from '../types'

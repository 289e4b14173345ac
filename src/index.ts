/**
 * analytics-plugin-impact: the Impact (impact.com) Partnership Cloud destination for Segment
 * analytics-next. The server-side relay lives at `analytics-plugin-impact/relay`.
 * @packageDocumentation
 */
export { impactPartnershipCloud, PLUGIN_NAME, type ImpactPluginFactory } from './plugin/plugin'
export { ImpactSettingsError } from './settings'
export type { ImpactSettings, TextMap } from './types'
export type { ImpactFields } from './fields'
export { VERSION } from './version'

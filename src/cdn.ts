import { impactPartnershipCloud } from './plugin/plugin'

/**
 * The CDN bundle's entry: the IIFE exposes the factory itself as the global
 * `ImpactPartnershipCloud`, so `analytics.register(ImpactPartnershipCloud({ ... }))` works.
 */
export default impactPartnershipCloud

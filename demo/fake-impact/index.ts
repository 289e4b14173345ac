/**
 * A strict fake of Impact's PageLoad and Conversions APIs for the demo and the e2e tests.
 * server.ts serves the HTTP routes, validate.ts holds Impact's rules, openapi.ts reads the schemas.
 */
export { createFakeImpact, startFakeImpact } from './server.js'
export type { Fault, FakeImpact, FakeImpactOptions, ImpactEndpoint, LogEntry } from './server.js'
export type { RunningFakeImpact } from './server.js'
export { fieldError, validateConversion, validatePageLoad } from './validate.js'
export type { FieldError, FormFields } from './validate.js'
export { IMPACT_API_DIR, loadFieldTable, lookupField } from './openapi.js'
export type { FieldMatch, FieldRule, FieldTable } from './openapi.js'

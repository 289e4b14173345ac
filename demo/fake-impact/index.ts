/**
 * A strict fake of Impact's PageLoad and Conversions APIs for the demo and the e2e tests.
 * server.ts serves the HTTP routes, validate.ts applies the project's field table (src/fields).
 */
export { createFakeImpact, startFakeImpact } from './server.js'
export type { Fault, FakeImpact, FakeImpactOptions, ImpactEndpoint, LogEntry } from './server.js'
export type { RunningFakeImpact } from './server.js'
export { fieldError, validateConversion, validatePageLoad } from './validate.js'
export { validateActionChange } from './actions.js'
export type { FakeAction } from './actions.js'
export type { FieldError, FormFields } from './validate.js'

/** Replaced with package.json's `version` at build time (rollup.config.mjs) and in tests (vitest.config.ts). */
declare const __PACKAGE_VERSION__: string

/** The package version, reported as the plugin's `version`; taken from package.json when building. */
export const VERSION: string = __PACKAGE_VERSION__

/** The destination's name, in the browser and on the server: what `integrations: { 'Impact Partnership Cloud': false }` refers to. */
export const PLUGIN_NAME = 'Impact Partnership Cloud'

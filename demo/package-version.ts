/**
 * Gives src/version.ts the package version when the sources run under tsx (the demo imports the
 * server plugin from src/): rollup and vitest replace `__PACKAGE_VERSION__` at build time, tsx
 * does not. Imported first, so it runs before src/version.ts.
 */
import { readFileSync } from 'node:fs'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
;(globalThis as { __PACKAGE_VERSION__?: string }).__PACKAGE_VERSION__ ??= version

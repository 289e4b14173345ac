import { readFileSync } from 'node:fs'
import { defineConfig } from 'vitest/config'

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }

// Playwright's *.spec.ts files live in e2e/ and must not be picked up by vitest.
export default defineConfig({
  // The same injection as the build's (rollup.config.mjs): src/version.ts reads package.json's version.
  define: { __PACKAGE_VERSION__: JSON.stringify(version) },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 15_000,
  },
})

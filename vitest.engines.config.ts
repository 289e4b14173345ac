import { defineConfig } from 'vitest/config'

// The money journeys in Firefox and WebKit (e2e-engines/), apart from the unit tests: one file, one
// demo shop, one browser per engine, run one after the other. `ENGINES=firefox` picks engines.
export default defineConfig({
  test: {
    include: ['e2e-engines/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 45_000,
    hookTimeout: 60_000,
    reporters: ['verbose'],
  },
})

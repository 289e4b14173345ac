import { defineConfig } from 'vitest/config'

// Playwright's *.spec.ts files live in e2e/ and must not be picked up by vitest.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 15_000,
  },
})

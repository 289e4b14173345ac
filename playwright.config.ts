import { defineConfig } from '@playwright/test'
import { requireBrowser } from './scripts/browsers'

/** Ports of the demo the e2e tests start (not the demo's default 4173, so both can run). */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 4183)
const IMPACT_PORT = E2E_PORT + 1

export default defineConfig({
  testDir: 'e2e',
  // One demo server and one fake Impact log are shared: tests run one at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 45_000,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    launchOptions: {
      // Debian's Chromium (scripts/browsers.ts); Playwright's own download is not reachable from here.
      executablePath: requireBrowser('chromium').browser,
      args: [
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Subdomain cookie tests browse http://www.shop.example.test etc., served by the demo.
        '--host-resolver-rules=MAP *.example.test 127.0.0.1',
      ],
    },
  },
  webServer: {
    command: 'npx tsx demo/server.ts',
    url: `http://127.0.0.1:${E2E_PORT}/`,
    reuseExistingServer: false,
    stdout: 'ignore',
    env: {
      PORT: String(E2E_PORT),
      IMPACT_PORT: String(IMPACT_PORT),
      // No consent banner by default; e2e/consent.spec.ts turns it on per browser (demo_consent_mode).
      DEMO_CONSENT: 'off',
      DEMO_EXTRA_ORIGINS: ['www', 'checkout'].map((sub) => `http://${sub}.shop.example.test:${E2E_PORT}`).join(','),
    },
  },
})

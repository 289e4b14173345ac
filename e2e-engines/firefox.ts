/**
 * Firefox: Debian's firefox-esr driven by Puppeteer over WebDriver BiDi. Every request, the
 * browser's own background traffic included, goes through the guard proxy, and the services that
 * call home are switched off so that nothing needs to.
 */
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core'
import { requireBrowser } from '../scripts/browsers'
import { cannotStart, type EngineBrowser, type EnginePage, type LaunchOptions } from './engine'

/** Never a reachable server: where Firefox's own services are pointed. */
const NOWHERE = 'http://127.0.0.1:9'

/** Prefs that keep Firefox off the network (beyond the ones Puppeteer already sets) and on the proxy. */
function offlinePrefs(proxy: string): Record<string, string | number | boolean> {
  const [host, port] = proxy.split(':')
  return {
    // Remote settings (blocklists and more) also need MOZ_REMOTE_SETTINGS_DEVTOOLS=1 to take this.
    'services.settings.server': `${NOWHERE}/v1`,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'network.trr.mode': 5,
    'network.dns.disablePrefetch': true,
    'network.prefetch-next': false,
    'network.predictor.enabled': false,
    'app.normandy.enabled': false,
    'app.update.auto': false,
    'app.shield.optoutstudies.enabled': false,
    'toolkit.telemetry.enabled': false,
    'toolkit.telemetry.unified': false,
    'toolkit.telemetry.server': NOWHERE,
    'datareporting.policy.dataSubmissionEnabled': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'browser.safebrowsing.provider.mozilla.updateURL': NOWHERE,
    'browser.region.network.url': NOWHERE,
    'browser.region.update.enabled': false,
    'browser.ping-centre.telemetry': false,
    'dom.push.connection.enabled': false,
    'geo.provider.network.url': NOWHERE,
    'media.gmp-manager.url': NOWHERE,
    'extensions.getAddons.cache.enabled': false,
    'extensions.blocklist.enabled': false,
    // Everything, loopback included, through the guard proxy (which records any non-local host).
    'network.proxy.type': 1,
    'network.proxy.http': host!,
    'network.proxy.http_port': Number(port),
    'network.proxy.ssl': host!,
    'network.proxy.ssl_port': Number(port),
    'network.proxy.no_proxies_on': '',
    'network.proxy.allow_hijacking_localhost': true,
  }
}

/** Launches firefox-esr headless; throws a message naming Firefox when it cannot start. */
export async function launchFirefox(options: LaunchOptions): Promise<EngineBrowser> {
  let browser: Browser
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: requireBrowser('firefox').browser,
      headless: true,
      protocolTimeout: 30_000,
      env: { ...process.env, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
      extraPrefsFirefox: offlinePrefs(options.proxy),
    })
  } catch (error) {
    throw cannotStart('Firefox', error, 'Needs Debian firefox-esr (`npx tsx scripts/browsers.ts firefox`).')
  }
  let context: BrowserContext | undefined
  return {
    name: 'firefox',
    version: await browser.version(),
    async newPage() {
      // A new user context per test: its own cookies and storage.
      await context?.close()
      context = await browser.createBrowserContext()
      return firefoxPage(await context.newPage())
    },
    close: () => browser.close(),
  }
}

function firefoxPage(page: Page): EnginePage {
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(String(error)))
  return {
    goto: async (url) => void (await page.goto(url, { waitUntil: 'load' })),
    reload: async () => void (await page.reload({ waitUntil: 'load' })),
    url: async () => page.url(),
    run: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
    click: (selector) => page.click(selector),
    async cookie(name) {
      const cookie = (await page.cookies()).find((c) => c.name === name)
      return cookie && { name, value: cookie.value, path: cookie.path, expires: cookie.expires }
    },
    pageErrors: () => [...errors],
  }
}

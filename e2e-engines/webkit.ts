/**
 * WebKit: Debian's WPE WebKit, the `cog` browser run headless by WPEWebDriver, driven over classic
 * WebDriver with selenium-webdriver. No X server needed. Classic WebDriver has no network events:
 * the guard proxy (the session's `proxy` capability) sees every request instead.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { Builder, By, type WebDriver } from 'selenium-webdriver'
import { requireBrowser } from '../scripts/browsers'
import { cannotStart, type EngineBrowser, type EnginePage, type LaunchOptions } from './engine'

const DRIVER_READY_MS = 10_000
/** WPEWebDriver waits for good when cog cannot start: give up on a session after this long. */
const SESSION_START_MS = 20_000

/** Starts WPEWebDriver and one cog session; throws a message naming WebKit when it cannot start. */
export async function launchWebKit(options: LaunchOptions): Promise<EngineBrowser> {
  const paths = requireBrowser('webkit')
  const server = spawn(paths.driver!, [`--port=${options.driverPort}`], { stdio: ['ignore', 'ignore', 'pipe'] })
  let driver: WebDriver
  try {
    const url = `http://127.0.0.1:${options.driverPort}`
    await driverReady(server, url)
    const session = new Builder()
      .disableEnvironmentOverrides()
      .usingServer(url)
      .withCapabilities({
        'wpe:browserOptions': { binary: paths.browser, args: ['--automation', '--platform=headless'] },
        proxy: { proxyType: 'manual', httpProxy: options.proxy, sslProxy: options.proxy },
      })
      .forBrowser('cog')
      .build()
    // Settled later (or never) once the race is lost: not an unhandled rejection.
    session.catch(() => undefined)
    driver = await Promise.race([session, failAfter(SESSION_START_MS, `no cog session within ${SESSION_START_MS} ms`)])
  } catch (error) {
    server.kill()
    throw cannotStart('WebKit', error, 'Needs Debian wpewebkit-driver and cog (`npx tsx scripts/browsers.ts webkit`).')
  }
  const capabilities = await driver.getCapabilities()
  return {
    name: 'webkit',
    version: `WPE WebKit ${String(capabilities.getBrowserVersion())}`,
    async newPage() {
      // One session for every test (starting cog is the slow part): wipe what earlier tests left.
      for (const origin of options.origins) {
        await driver.get(`${origin}/style.css`)
        await driver.executeScript('localStorage.clear(); sessionStorage.clear()')
        await driver.manage().deleteAllCookies()
      }
      await driver.get('about:blank')
      return webkitPage(driver)
    },
    async close() {
      await driver.quit().catch(() => undefined)
      server.kill()
    },
  }
}

function failAfter(ms: number, message: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref())
}

/** Waits until the WebDriver server answers `/status`, or fails with what it printed. */
async function driverReady(server: ChildProcess, url: string): Promise<void> {
  let output = ''
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<never>((_, reject) =>
    server.once('exit', (code) => reject(new Error(`WPEWebDriver exited (${code}): ${output.trim()}`))),
  )
  const deadline = Date.now() + DRIVER_READY_MS
  const poll = async (): Promise<void> => {
    while (Date.now() < deadline) {
      const ok = await fetch(`${url}/status`).then(
        (r) => r.ok,
        () => false,
      )
      if (ok) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`WPEWebDriver did not answer on ${url} within ${DRIVER_READY_MS} ms: ${output.trim()}`)
  }
  exited.catch(() => undefined)
  await Promise.race([poll(), exited])
}

function webkitPage(driver: WebDriver): EnginePage {
  return {
    goto: (url) => driver.get(url),
    reload: () => driver.navigate().refresh(),
    url: () => driver.getCurrentUrl(),
    run: (expression) => driver.executeScript(`return (${expression})`),
    click: async (selector) => driver.findElement(By.css(selector)).click(),
    async cookie(name) {
      const cookie = await driver
        .manage()
        .getCookie(name)
        .catch(() => undefined)
      if (!cookie) return undefined
      const expiry = cookie.expiry instanceof Date ? cookie.expiry.getTime() / 1000 : cookie.expiry
      return { name, value: cookie.value, path: cookie.path, expires: expiry }
    },
    pageErrors: () => [],
  }
}

/**
 * The one place that knows where the test browsers live and how to install them. Playwright's own
 * browser builds cannot be downloaded here, so every engine is Debian's package:
 *  - chromium: `chromium` (driven by Playwright),
 *  - firefox: `firefox-esr` (driven by Puppeteer over WebDriver BiDi),
 *  - webkit: WPE WebKit, `wpewebkit-driver` (WPEWebDriver) and `cog` (driven over classic WebDriver).
 *
 * `tsx scripts/browsers.ts [engine ...]` (npm's `pretest`) installs the missing packages with
 * apt-get (as root, or through sudo); the tests import `browserPaths` / `requireBrowser`.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The engines the tests run in. */
export type Engine = 'chromium' | 'firefox' | 'webkit'

/** Every engine, in the order `npm test` runs them. */
export const ENGINES: readonly Engine[] = ['chromium', 'firefox', 'webkit']

/** Where an engine's programs are: `browser` always, `driver` for engines driven over WebDriver. */
export interface BrowserPaths {
  browser: string
  driver?: string
}

interface EngineInstall {
  /** Environment variable that overrides the lookup (a path to the browser). */
  env: string
  /** Candidates, first existing one wins. */
  browser: string[]
  driver?: string[]
  /** Debian packages that provide them. */
  packages: string[]
}

const INSTALLS: Record<Engine, EngineInstall> = {
  // The wrapper /usr/bin/chromium prints a harmless shell warning; the binary behind it does not.
  chromium: {
    env: 'CHROMIUM_PATH',
    browser: ['/usr/lib/chromium/chromium', '/usr/bin/chromium'],
    packages: ['chromium'],
  },
  firefox: { env: 'FIREFOX_PATH', browser: ['/usr/bin/firefox-esr', '/usr/bin/firefox'], packages: ['firefox-esr'] },
  webkit: {
    env: 'COG_PATH',
    browser: ['/usr/bin/cog'],
    driver: ['/usr/bin/WPEWebDriver'],
    packages: ['wpewebkit-driver', 'cog'],
  },
}

const firstExisting = (candidates: Array<string | undefined>): string | undefined =>
  candidates.find((candidate): candidate is string => !!candidate && existsSync(candidate))

/** The installed programs of `engine`, or undefined when any is missing. */
export function browserPaths(engine: Engine): BrowserPaths | undefined {
  const install = INSTALLS[engine]
  const browser = firstExisting([process.env[install.env], ...install.browser])
  if (!browser) return undefined
  if (!install.driver) return { browser }
  const driver = firstExisting(install.driver)
  return driver ? { browser, driver } : undefined
}

/** Like `browserPaths`, but throws a message that says how to install the engine. */
export function requireBrowser(engine: Engine): BrowserPaths {
  const paths = browserPaths(engine)
  if (paths) return paths
  const { env, packages } = INSTALLS[engine]
  throw new Error(
    `${engine} is not installed: run \`npx tsx scripts/browsers.ts ${engine}\` ` +
      `(apt-get install ${packages.join(' ')}) or set ${env} to its path. Never download a browser build.`,
  )
}

/** Installs the Debian packages of every engine in `engines` that is missing. Throws when apt-get fails. */
export function ensureBrowsers(engines: readonly Engine[] = ENGINES): void {
  const missing = engines.filter((engine) => !browserPaths(engine))
  if (missing.length === 0) return
  const packages = missing.flatMap((engine) => INSTALLS[engine].packages)
  console.log(`Installing Debian packages for ${missing.join(', ')}: ${packages.join(' ')} (apt-get) ...`)
  const root = process.getuid?.() === 0
  const apt = (...args: string[]): void => {
    const command = root ? ['env', ...args] : ['sudo', 'env', ...args]
    execFileSync(command[0]!, command.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] })
  }
  apt('apt-get', 'update', '-qq')
  apt('DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', ...packages)
  for (const engine of missing) requireBrowser(engine)
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  const asked = process.argv.slice(2)
  const unknown = asked.filter((name) => !ENGINES.includes(name as Engine))
  if (unknown.length > 0) {
    console.error(`Unknown engine ${unknown.join(', ')}: choose from ${ENGINES.join(', ')}.`)
    process.exit(2)
  }
  try {
    ensureBrowsers(asked.length > 0 ? (asked as Engine[]) : ENGINES)
  } catch (error) {
    console.error(String(error instanceof Error ? error.message : error))
    console.error('Could not install the test browsers. Install the packages above yourself (as root).')
    process.exit(1)
  }
}

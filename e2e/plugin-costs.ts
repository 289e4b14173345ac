import type { CDPSession, Page } from '@playwright/test'

/** What the plugin's own code did in a page since the last look: the costs counted, not timed. */
export interface PluginCosts {
  /** `document.cookie` reads made from the plugin's script. */
  cookieReads: number
  /** `document.cookie` writes made from the plugin's script. */
  cookieWrites: number
  /** `localStorage`/`sessionStorage` `getItem` calls from the plugin's script. */
  storageReads: number
  /** `setItem`/`removeItem` calls from the plugin's script. */
  storageWrites: number
  /** Exceptions thrown (caught or not) while the plugin's script was on the stack. */
  exceptions: string[]
}

/** Reads the plugin's costs; each call returns what happened since the previous one. */
interface PluginCostMeter {
  take(): Promise<PluginCosts>
}

/** URL pattern of the plugin's CDN bundle (the demo's, and the bench's copies of it). */
const PLUGIN_SCRIPT = 'impact-partnership-cloud'

type Counters = Omit<PluginCosts, 'exceptions'>

/**
 * Runs in every document before its scripts: counts `document.cookie` and Storage accesses whose
 * caller (the stack's fifth line: under Error, ours, count and the wrapper) is in a script whose
 * URL contains SCRIPT. Plain JavaScript source, so no transpiler helper leaks into the page.
 */
const COUNTERS = `(() => {
  const counters = { cookieReads: 0, cookieWrites: 0, storageReads: 0, storageWrites: 0 }
  window.__pluginCosts = counters
  const ours = () => (new Error().stack || '').split('\\n').slice(4, 6).join('\\n').includes(SCRIPT)
  const count = (key) => void (ours() && counters[key]++)
  const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true,
    get() { count('cookieReads'); return cookie.get.call(this) },
    set(value) { count('cookieWrites'); cookie.set.call(this, value) },
  })
  const wrap = (name, key) => {
    const real = Storage.prototype[name]
    Object.defineProperty(Storage.prototype, name, {
      configurable: true,
      writable: true,
      value(...args) { count(key); return real.apply(this, args) },
    })
  }
  wrap('getItem', 'storageReads')
  wrap('setItem', 'storageWrites')
  wrap('removeItem', 'storageWrites')
})()`

/**
 * Starts counting on `page` (call before its first navigation): accesses through an init script,
 * exceptions through the debugger pausing on every exception (caught ones too) and resuming at
 * once, counting those with a frame of the plugin's script on the stack.
 */
export async function meterPluginCosts(page: Page, script = PLUGIN_SCRIPT): Promise<PluginCostMeter> {
  await page.addInitScript({ content: `const SCRIPT = ${JSON.stringify(script)};\n${COUNTERS}` })
  const cdp: CDPSession = await page.context().newCDPSession(page)
  let exceptions: string[] = []
  // Paused frames carry a script id, not a URL.
  const urls = new Map<string, string>()
  cdp.on('Debugger.scriptParsed', (event) => urls.set(event.scriptId, event.url))
  cdp.on('Debugger.paused', (event) => {
    const url = (f: { location: { scriptId: string } }): string => urls.get(f.location.scriptId) ?? ''
    if (event.callFrames.some((f) => url(f).includes(script))) {
      const data = event.data as { description?: string } | undefined
      const where = event.callFrames.map((f) => `${f.functionName || '(anonymous)'}@${url(f).split('/').pop()}`)
      exceptions.push(`${data?.description?.split('\n')[0] ?? event.reason} at ${where.slice(0, 4).join(' < ')}`)
    }
    void cdp.send('Debugger.resume').catch(() => undefined)
  })
  await cdp.send('Debugger.enable')
  await cdp.send('Debugger.setPauseOnExceptions', { state: 'all' })
  return {
    async take() {
      const counters = await page.evaluate(() => {
        const w = window as unknown as { __pluginCosts: Counters }
        const now = { ...w.__pluginCosts }
        for (const key of Object.keys(w.__pluginCosts)) w.__pluginCosts[key as keyof Counters] = 0
        return now
      })
      const thrown = exceptions
      exceptions = []
      return { ...counters, exceptions: thrown }
    },
  }
}

/** One line for a log: `cookie 3r+2w, storage 1r+0w, 0 exceptions`. */
export function formatCosts(costs: PluginCosts): string {
  const c = costs
  return (
    `document.cookie ${c.cookieReads + c.cookieWrites} (${c.cookieReads} reads, ${c.cookieWrites} writes), ` +
    `storage ${c.storageReads} reads ${c.storageWrites} writes, ${c.exceptions.length} exceptions`
  )
}

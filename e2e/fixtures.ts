import {
  test as base,
  expect,
  type APIRequestContext,
  type BrowserContext,
  type Cookie,
  type Page,
} from '@playwright/test'
import type { Fault } from '../demo/fake-impact/server'

/** What the fake Impact logged for one request (see demo/fake-impact). */
export interface ImpactEntry {
  id: number
  endpoint: 'PageLoad' | 'Conversions' | 'Actions' | 'preflight' | 'other'
  method?: string
  path: string
  fields: Record<string, string>
  valid: boolean
  errors: Array<{ field: string; message: string }>
  status: number
  hasAuthorization: boolean
  fault?: number
}

/** Read and steer the fake Impact the demo runs beside itself. */
export interface FakeImpactClient {
  url: string
  entries(): Promise<ImpactEntry[]>
  /** Waits until `predicate` holds for the log, then returns the log. */
  waitFor(predicate: (entries: ImpactEntry[]) => boolean, what: string): Promise<ImpactEntry[]>
  /** Queues a fault in the fake: another status, a Retry-After, or a held (slow) answer. */
  fault(fault: Fault): Promise<void>
  /** Entries allowed to be invalid in this test (the default: none). */
  allowInvalid(): void
}

/** Hosts a test page may reach: this machine, and *.example.test which Chromium maps to it. */
export function isLocalHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname.endsWith('.example.test')
}

const IMPACT_URL = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 4183) + 1}`

async function readLog(request: APIRequestContext): Promise<ImpactEntry[]> {
  const response = await request.get(`${IMPACT_URL}/__log`)
  return ((await response.json()) as { entries: ImpactEntry[] }).entries
}

/**
 * Every test: starts with an empty fake Impact log; fails if a page asked for a non-local host or
 * threw an uncaught error; and fails if anything Impact received was invalid.
 */
export const test = base.extend<{ impact: FakeImpactClient; guard: void }>({
  guard: [
    async ({ context }, use) => {
      const foreign: string[] = []
      const uncaught: string[] = []
      context.on('request', (req) => {
        const url = new URL(req.url())
        if (/^https?:$/.test(url.protocol) && !isLocalHost(url.hostname)) foreign.push(req.url())
      })
      context.on('weberror', (error) => uncaught.push(String(error.error())))
      await use()
      expect(foreign, 'requests to non-local hosts').toEqual([])
      expect(uncaught, 'uncaught page errors').toEqual([])
    },
    { auto: true },
  ],
  impact: async ({ request }, use) => {
    await request.post(`${IMPACT_URL}/__reset`)
    let strict = true
    const client: FakeImpactClient = {
      url: IMPACT_URL,
      entries: () => readLog(request),
      async waitFor(predicate, what) {
        let entries: ImpactEntry[] = []
        await expect
          .poll(async () => predicate((entries = await readLog(request))), {
            message: `fake Impact: ${what}`,
            timeout: 15_000,
          })
          .toBe(true)
        return entries
      },
      async fault(fault) {
        const response = await request.post(`${IMPACT_URL}/__faults`, { data: fault })
        expect(response.ok()).toBe(true)
      },
      allowInvalid: () => void (strict = false),
    }
    await use(client)
    if (strict) {
      const invalid = (await readLog(request)).filter((e) => !e.valid)
      expect(invalid, 'requests the fake Impact judged invalid').toEqual([])
    }
  },
})

export { expect }

/** Entries of one endpoint. */
export const only = (endpoint: ImpactEntry['endpoint'], entries: ImpactEntry[]): ImpactEntry[] =>
  entries.filter((e) => e.endpoint === endpoint)

/**
 * Registers a second destination, "Probe", on the page's analytics and returns a reader of the
 * track event names it has received: proof that other destinations keep working.
 */
/** The plugin's click cookie (`impact_click_id`) as the browser holds it, if any. */
export async function clickCookie(context: BrowserContext): Promise<Cookie | undefined> {
  return (await context.cookies()).find((c) => c.name === 'impact_click_id')
}

export async function registerProbe(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(async () => {
    type Ctx = { event: { event?: string } }
    const w = window as unknown as { probeSeen: string[]; demoAnalytics: { register(p: object): Promise<unknown> } }
    w.probeSeen = []
    await w.demoAnalytics.register({
      name: 'Probe',
      type: 'destination',
      version: '1.0.0',
      isLoaded: () => true,
      load: () => Promise.resolve(),
      track: (ctx: Ctx) => (w.probeSeen.push(ctx.event.event ?? ''), ctx),
    })
  })
  return () => page.evaluate(() => (window as unknown as { probeSeen: string[] }).probeSeen)
}

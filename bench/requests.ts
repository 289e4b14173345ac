/** Requests and CORS preflights per event, as the browser saw them, and what the fake Impact got. */
import type { Browser, CDPSession, Page } from '@playwright/test'
import type { Demo } from '../demo/server'
import { checkLocal, guardedContext } from './browser'
import { openBenchPage, orderCompleted } from './journey'
import { pagePath } from './pages'
import { sleep } from './stats'

/** The network traffic one analytics call caused, as the browser saw it. */
interface EventTraffic {
  /** The call. */
  event: string
  /** Requests to Impact and the relay (other origins, and POSTs), from page.on('request'). */
  requests: number
  /** OPTIONS requests seen by CDP Network.requestWillBeSent (Playwright's request event omits them). */
  preflights: number
  /** OPTIONS requests among page.on('request') events (as asked; Chromium 156 never reports them there). */
  preflightsViaPlaywright: number
  /** Requests the fake Impact logged for this call (after the relay, for conversions). */
  impactReceived: number
  /** Of those, the ones it judged valid against Impact's OpenAPI files and rules. */
  impactValid: number
  /** `METHOD url` of every counted request. */
  urls: string[]
}

/** Every event's traffic, and the check that the preflight counter works. */
export interface RequestsResult {
  events: EventTraffic[]
  /** A deliberately preflighted fetch, proving the preflight counter sees preflights. */
  preflightSelfCheck: { expected: number; seen: number }
}

/** Counts what the page sends beyond its own origin, and every preflight CDP reports. */
class TrafficCounter {
  readonly requests: string[] = []
  readonly playwrightPreflights: string[] = []
  readonly preflights: string[] = []

  constructor(page: Page, cdp: CDPSession, ownOrigin: string) {
    page.on('request', (request) => {
      const line = `${request.method()} ${request.url()}`
      if (request.method() === 'OPTIONS') this.playwrightPreflights.push(line)
      // The relay shares the page's origin (the demo serves both): its POSTs count, the page's files do not.
      else if (new URL(request.url()).origin !== ownOrigin || request.method() === 'POST') this.requests.push(line)
    })
    cdp.on('Network.requestWillBeSent', (event) => {
      checkLocal(event.request.url)
      if (event.request.method === 'OPTIONS') this.preflights.push(`OPTIONS ${event.request.url}`)
    })
  }

  mark(): [number, number, number] {
    return [this.requests.length, this.preflights.length, this.playwrightPreflights.length]
  }
}

/** Requests and preflights of a page view, an identify and an Order Completed sent through the demo relay. */
export async function measureRequests(browser: Browser, base: string, demo: Demo): Promise<RequestsResult> {
  const context = await guardedContext(browser)
  try {
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    const counter = new TrafficCounter(page, cdp, base)
    demo.impact.reset()
    const events: EventTraffic[] = []

    /** Runs `action`, lets late requests land, and records what happened since it started. */
    const step = async (event: string, action: () => Promise<unknown>): Promise<void> => {
      const [r0, p0, q0] = counter.mark()
      const logged0 = demo.impact.entries().length
      await action()
      await sleep(400)
      const logged = demo.impact
        .entries()
        .slice(logged0)
        .filter((e) => e.endpoint !== 'preflight')
      events.push({
        event,
        requests: counter.requests.length - r0,
        preflights: counter.preflights.length - p0,
        preflightsViaPlaywright: counter.playwrightPreflights.length - q0,
        impactReceived: logged.length,
        impactValid: logged.filter((e) => e.valid).length,
        urls: [...counter.requests.slice(r0), ...counter.preflights.slice(p0)],
      })
    }

    await step('page view (unique click)', async () => {
      await openBenchPage(page, `${base}${pagePath('current')}?irclickid=BenchClick-1a2b3c`)
    })
    await step('identify (with email)', () =>
      page.evaluate(() => {
        const analytics = (
          window as unknown as { benchAnalytics: { identify(id: string, traits: object): Promise<unknown> } }
        ).benchAnalytics
        return analytics.identify('bench-user-42', { email: 'Bench.User@Example.com' }).then(() => true)
      }),
    )
    await step('Order Completed (via demo relay)', () => orderCompleted(page))

    // Self-check: a JSON-typed keepalive fetch must be preflighted; the counter has to see it.
    const [, before] = counter.mark()
    await page.evaluate(
      (url) =>
        fetch(`${url}/__log`, { keepalive: true, headers: { 'content-type': 'application/json' } }).then(
          (r) => r.status,
          () => 0,
        ),
      demo.impact.url,
    )
    await sleep(200)
    const preflightSelfCheck = { expected: 1, seen: counter.preflights.length - before }
    return { events, preflightSelfCheck }
  } finally {
    await context.close()
  }
}

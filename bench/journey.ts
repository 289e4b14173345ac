/**
 * The journey every plugin measure runs: a landing with `?irclickid=`, a second page view, and an
 * Order Completed, in one fresh browser context on a variant's bench page.
 */
import type { Page } from '@playwright/test'
import { SEGMENT_ORDER_COMPLETED } from '../demo/segment-order-example'
import { pagePath, type Variant } from './pages'
import { sleep } from './stats'

/** The journey's steps, in order. */
export const STEPS = ['landing', 'page view', 'Order Completed'] as const
/** One step of the journey. */
export type Step = (typeof STEPS)[number]

/** After each step: long enough for the answer's handling and the outbox replay (its lock settles in 250 ms). */
const SETTLE_MS = 400

/** What the bench page logs once analytics.ready() and its page() settled. */
interface PageDone {
  plugin: boolean
  tagMs: number
  readyMs: number
  pageMs: number
}

/** Resolves with what the bench page logs once analytics.ready() and its page() settled. */
async function benchDone(page: Page): Promise<PageDone> {
  const message = await page.waitForEvent('console', {
    predicate: (m) => m.text().startsWith('bench:'),
    timeout: 20_000,
  })
  const text = message.text()
  if (!text.startsWith('bench:done ')) throw new Error(`bench page failed: ${text}`)
  return JSON.parse(text.slice('bench:done '.length)) as PageDone
}

/** Opens a variant's page (`search` appended) and waits for its page() to settle. */
export async function openBenchPage(page: Page, url: string): Promise<PageDone> {
  const done = benchDone(page)
  done.catch(() => {}) // a failed goto is the error to report, not this wait's
  await page.goto(url)
  return done
}

/** Sends Order Completed (Segment's spec example, a fresh order id) through the page's analytics. */
export async function orderCompleted(page: Page): Promise<void> {
  const order = { ...SEGMENT_ORDER_COMPLETED, order_id: `BENCH-${Date.now().toString(36).toUpperCase()}` }
  await page.evaluate(
    (o) =>
      (window as unknown as { benchAnalytics: { track(name: string, props: object): Promise<unknown> } }).benchAnalytics
        .track('Order Completed', o)
        .then(() => true),
    order,
  )
}

/** Runs the journey on `variant`, each step inside `around` (which may measure it). */
export async function runJourney(
  page: Page,
  options: { base: string; variant: Variant; around: (step: Step, action: () => Promise<void>) => Promise<void> },
): Promise<void> {
  const url = options.base + pagePath(options.variant)
  const actions: Record<Step, () => Promise<void>> = {
    landing: async () => void (await openBenchPage(page, `${url}?irclickid=BenchClick-1a2b3c`)),
    'page view': async () => void (await openBenchPage(page, url)),
    'Order Completed': () => orderCompleted(page),
  }
  for (const step of STEPS) await options.around(step, async () => (await actions[step](), await sleep(SETTLE_MS)))
}

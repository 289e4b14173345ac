/**
 * The plugin's page impact in headless Chromium: the bench page without (A) and with (B) the
 * plugin's current build, alternating, each run in a fresh context; medians of CDP metrics and
 * page timings.
 */
import type { Browser } from '@playwright/test'
import { assertLocalOnly, guardedContext } from './browser'
import { openBenchPage } from './journey'
import { pagePath } from './pages'
import { iqr, median } from './stats'

/** Runs per variant done first and discarded (JIT, disk cache and server warm-up). */
export const WARMUP_RUNS = 2

/** The two page variants: analytics-next alone, and analytics-next with the plugin. */
export type Variant = 'A' | 'B'

/** One page load of the page-impact benchmark. */
interface RunSample {
  /** Without the plugin (A) or with it (B). */
  variant: Variant
  /** Order of the run among the measured ones (warm-up runs excluded). */
  index: number
  /** CDP Performance.getMetrics ScriptDuration: JavaScript execution, ms. */
  scriptMs: number
  /** CDP Performance.getMetrics TaskDuration: all main-thread tasks, ms. */
  taskMs: number
  /** CDP ThreadTime: CPU time of the renderer's main thread, ms (steadier than wall time on a busy machine). */
  threadMs: number
  /** CDP JSHeapUsedSize once page() resolved, KiB. */
  heapKiB: number
  /** How long the plugin's <script> slot held the HTML parser (fetch wait + evaluation), ms; A: the empty slot. */
  tagMs: number
  /** performance.now() when analytics.ready() resolved, ms since navigation start. */
  readyMs: number
  /** performance.now() when the first page() call resolved (B: after its PageLoad was sent). */
  pageMs: number
  /** Requests the page made (its scripts, plus B's PageLoad). */
  requests: number
}

/** Medians of one page-impact measure for A and B. */
interface ImpactRow {
  /** The measure. */
  name: string
  /** Key of the measure in {@link RunSample}. */
  key: 'scriptMs' | 'taskMs' | 'threadMs' | 'tagMs' | 'readyMs' | 'pageMs' | 'heapKiB' | 'requests'
  /** Median of A (analytics-next alone). */
  a: number
  /** Median of B (analytics-next with the plugin). */
  b: number
  /** b - a. */
  added: number
  /** b / a. */
  ratio: number
  /** Interquartile range (p75 - p25) of A: run-to-run noise; a smaller |added| is within it. */
  aIqr: number
  /** Interquartile range of B. */
  bIqr: number
}

/** The summary and every run. */
export interface PageImpact {
  summary: ImpactRow[]
  runs: RunSample[]
}

async function pageRun(browser: Browser, base: string, variant: Variant, index: number): Promise<RunSample> {
  const context = await guardedContext(browser)
  try {
    const page = await context.newPage()
    let requests = 0
    page.on('request', () => requests++)
    const cdp = await context.newCDPSession(page)
    await cdp.send('Performance.enable')
    const result = await openBenchPage(page, base + pagePath(variant === 'A' ? 'none' : 'current'))
    if (result.plugin !== (variant === 'B')) throw new Error(`page ${variant} ran with plugin=${result.plugin}`)
    const { metrics } = await cdp.send('Performance.getMetrics')
    const value = (name: string): number => metrics.find((m) => m.name === name)?.value ?? NaN
    const metric = (name: string): number => value(name) * 1000
    return {
      variant,
      index,
      scriptMs: metric('ScriptDuration'),
      taskMs: metric('TaskDuration'),
      threadMs: metric('ThreadTime'),
      heapKiB: value('JSHeapUsedSize') / 1024,
      tagMs: result.tagMs,
      readyMs: result.readyMs,
      pageMs: result.pageMs,
      requests,
    }
  } finally {
    await context.close()
  }
}

const IMPACT_MEASURES: ReadonlyArray<[ImpactRow['key'], string]> = [
  ['scriptMs', 'script evaluation (CDP ScriptDuration), ms'],
  ['taskMs', 'main-thread tasks (CDP TaskDuration), ms'],
  ['threadMs', 'main-thread CPU time (CDP ThreadTime), ms'],
  ['tagMs', 'plugin <script> tag, parser blocked, ms'],
  ['readyMs', 'time to analytics.ready(), ms'],
  ['pageMs', 'time to first page() resolved, ms'],
  ['heapKiB', 'JS heap used after page(), KiB'],
  ['requests', 'requests per page load'],
]

/** Alternating runs of the bench page without (A) and with (B) the plugin, each in a fresh context. */
export async function measurePageImpact(browser: Browser, base: string, count: number): Promise<PageImpact> {
  for (let i = 0; i < WARMUP_RUNS; i++) {
    await pageRun(browser, base, 'A', -1)
    await pageRun(browser, base, 'B', -1)
  }
  const runs: RunSample[] = []
  for (let i = 0; i < count; i++) {
    runs.push(await pageRun(browser, base, 'A', i))
    runs.push(await pageRun(browser, base, 'B', i))
    assertLocalOnly()
  }
  const summary = IMPACT_MEASURES.map(([key, name]): ImpactRow => {
    const as = runs.filter((r) => r.variant === 'A').map((r) => r[key])
    const bs = runs.filter((r) => r.variant === 'B').map((r) => r[key])
    const [a, b] = [median(as), median(bs)]
    return { name, key, a, b, added: b - a, ratio: b / a, aIqr: iqr(as), bIqr: iqr(bs) }
  })
  return { summary, runs }
}

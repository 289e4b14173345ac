/**
 * `npm run bench`: a benchmark, not a test. It measures, side by side in one run,
 *  1. bundle sizes (bench/sizes.ts);
 *  2. the pure mapping functions in Node (bench/mapping.ts);
 *  3. the page impact in headless Chromium, without and with the plugin (bench/page-impact.ts);
 *  4. requests and CORS preflights per event (bench/requests.ts);
 *  5. the plugin's own main-thread time by phase, from CPU profiles, today's build against this
 *     one, plus cookie, storage and exception counts (bench/plugin-time.ts).
 * Pages are served by the demo (demo/server.ts) beside its relay and fake Impact. It prints a table
 * and writes bench/results/latest.json plus a timestamped copy. Timings never fail the run; a
 * request to a non-local host does (nothing may reach the internet).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from '@playwright/test'
import { DEMO_ACCOUNT, startDemo, type Demo } from '../demo/server'
import { assertLocalOnly, launchBrowser } from './browser'
import { measureMapping } from './mapping'
import { measurePageImpact, WARMUP_RUNS } from './page-impact'
import { benchPages, prepareBundles } from './pages'
import { measurePluginTime } from './plugin-time'
import { formatReport, type BenchResult } from './report'
import { measureRequests } from './requests'
import { measureSizes } from './sizes'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

const envNumber = (name: string, fallback: number, min: number): number =>
  Math.max(min, Number(process.env[name] ?? fallback))
/** Page-impact runs per variant (A and B); `BENCH_RUNS` overrides. */
const RUNS = envNumber('BENCH_RUNS', 8, 1)
/** Profiled journeys per build (and without a plugin); `BENCH_JOURNEYS` overrides. */
const JOURNEYS = envNumber('BENCH_JOURNEYS', 16, 1)
/** Seconds each mapping function is timed for, after warm-up; `BENCH_MAP_SECONDS` overrides. */
const MAP_SECONDS = envNumber('BENCH_MAP_SECONDS', 1, 0.1)
/** Port of the fake Impact the bench's demo starts (the page's settings must name it); `BENCH_PORT` overrides. */
const IMPACT_PORT = envNumber('BENCH_PORT', 4253, 1)

/** The bench pages' plugin settings: PageLoads to the fake Impact, conversions through the demo relay. */
const settings = (impactUrl: string): Record<string, unknown> => ({
  accountSid: DEMO_ACCOUNT.accountSid,
  campaignId: DEMO_ACCOUNT.campaignId,
  pageLoadEndpoint: `${impactUrl}/PageLoad`,
  conversionEndpoint: '/impact/conversions',
  enablePageEvents: true,
  enableIdentifyEvents: true,
})

async function writeResult(result: BenchResult): Promise<void> {
  const dir = path.join(root, 'bench/results')
  await mkdir(dir, { recursive: true })
  const json = JSON.stringify(result, null, 2) + '\n'
  const dated = path.join(dir, `bench-${result.createdAt.replace(/[:.]/g, '-')}.json`)
  await writeFile(path.join(dir, 'latest.json'), json)
  await writeFile(dated, json)
  console.log('\n' + formatReport(result))
  console.log(`\nJSON: bench/results/latest.json (copy: ${path.relative(root, dated)})`)
}

/** Runs every measurement, prints the report and writes bench/results/latest.json and a dated copy. */
async function runBench(): Promise<BenchResult> {
  const started = performance.now()
  const loadAtStart = os.loadavg()[0] ?? NaN
  const createdAt = new Date().toISOString()
  console.log('bench: sizes…')
  const sizes = await measureSizes()
  console.log('bench: mapping in Node…')
  const mapping = measureMapping(MAP_SECONDS)
  console.log('bench: building the source-mapped bundles…')
  const bundles = await prepareBundles()
  let demo: Demo | undefined
  let browser: Browser | undefined
  try {
    demo = await startDemo(0, IMPACT_PORT, [], await benchPages(settings(`http://127.0.0.1:${IMPACT_PORT}`)))
    browser = await launchBrowser()
    console.log(`bench: page impact, ${RUNS} runs each of A and B…`)
    const pageImpact = await measurePageImpact(browser, demo.url, RUNS)
    console.log('bench: requests per event…')
    const requests = await measureRequests(browser, demo.url, demo)
    console.log(`bench: plugin time, ${JOURNEYS} profiled journeys each without a plugin, today's and current…`)
    const pluginTime = await measurePluginTime(browser, { base: demo.url, runs: JOURNEYS, bundles })
    assertLocalOnly()
    const result: BenchResult = {
      createdAt,
      environment: {
        node: process.version,
        chromium: browser.version(),
        platform: `${os.platform()} ${os.arch()}`,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
        loadAverage: [loadAtStart, os.loadavg()[0] ?? NaN],
      },
      config: {
        runsPerVariant: RUNS,
        warmupRunsPerVariant: WARMUP_RUNS,
        mappingSeconds: MAP_SECONDS,
        journeyRunsPerVariant: JOURNEYS,
      },
      sizes,
      mapping,
      pageImpact,
      requests,
      pluginTime,
      durationSeconds: (performance.now() - started) / 1000,
    }
    await writeResult(result)
    return result
  } finally {
    await browser?.close()
    await demo?.close()
  }
}

runBench().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  },
)

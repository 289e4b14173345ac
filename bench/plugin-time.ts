/**
 * The plugin's main-thread time over the journey (bench/journey.ts), attributed by CPU profile,
 * for today's build (bench/baseline) and this tree's, alternating with the page without a plugin;
 * plus what each build did that can be counted (cookie and storage accesses, exceptions).
 */
import type { Browser } from '@playwright/test'
import { formatCosts, meterPluginCosts, type PluginCosts } from '../e2e/plugin-costs'
import { assertLocalOnly, guardedContext } from './browser'
import { runJourney, STEPS, type Step } from './journey'
import { BASELINE_COMMIT, bundlePath, type Variant } from './pages'
import { attribute, enableProfiler, GAP_CAP_US, profiled, profiledBundle, SAMPLING_US, stepPhases } from './profile'
import type { ProfiledBundle, StepTime } from './profile'
import { iqr, median } from './stats'

/** Median and spread of one figure over the runs, ms. */
interface Spread {
  medianMs: number
  iqrMs: number
}

/** One build's figures. */
export interface BuildTime {
  /** Per phase (handlers per step), over the whole journey. */
  phases: Record<string, Spread>
  /** The plugin's time on the landing (every phase of the first step). */
  landing: Spread
  /** The same without the gap cap. */
  landingUncapped: Spread
  /** The plugin's time over the whole journey. */
  journey: Spread
  /** Where the time goes: mean ms per journey by plugin function, largest first. */
  functions: Array<{ name: string; meanMs: number }>
  /** What each step did that can be counted (one journey: these are deterministic). */
  counts: Record<Step, Omit<PluginCosts, 'exceptions'> & { exceptions: number; thrown: string[] }>
}

/** Everything this measure reports. */
export interface PluginTimeResult {
  config: { runs: number; samplingUs: number; gapCapUs: number; baselineCommit: string }
  today: BuildTime
  current: BuildTime
  /** current / today, landing medians: the target is at most 0.5. */
  landingRatio: number
  /** The page's whole main thread busy on the landing, per variant (with and without a plugin). */
  pageBusyLanding: Record<Variant, Spread>
}

type Run = { variant: Variant; steps: Record<Step, StepTime> }

const spread = (values: number[]): Spread => ({ medianMs: median(values), iqrMs: iqr(values) })

async function profiledJourney(
  browser: Browser,
  base: string,
  variant: Variant,
  bundle?: ProfiledBundle,
): Promise<Run> {
  const context = await guardedContext(browser)
  try {
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await enableProfiler(cdp)
    const steps = {} as Record<Step, StepTime>
    const noPlugin: ProfiledBundle = { urlPart: '\0', name: () => undefined }
    await runJourney(page, {
      base,
      variant,
      around: async (step, action) => void (steps[step] = attribute(await profiled(cdp, action), bundle ?? noPlugin)),
    })
    return { variant, steps }
  } finally {
    await context.close()
  }
}

async function countedJourney(browser: Browser, base: string, variant: Variant): Promise<BuildTime['counts']> {
  const context = await guardedContext(browser)
  try {
    const page = await context.newPage()
    const meter = await meterPluginCosts(page)
    const counts = {} as BuildTime['counts']
    await runJourney(page, {
      base,
      variant,
      around: async (step, action) => {
        await action()
        const costs = await meter.take()
        counts[step] = { ...costs, exceptions: costs.exceptions.length, thrown: costs.exceptions }
        console.log(`bench:   ${variant} ${step}: ${formatCosts(costs)}`)
      },
    })
    return counts
  } finally {
    await context.close()
  }
}

function summarize(runs: Run[], counts: BuildTime['counts']): BuildTime {
  const phaseValues: Record<string, number[]> = {}
  const functions: Record<string, number> = {}
  for (const run of runs) {
    const perRun: Record<string, number> = {}
    for (const step of STEPS) {
      for (const [phase, ms] of Object.entries(stepPhases(step, run.steps[step])))
        perRun[phase] = (perRun[phase] ?? 0) + ms
      for (const [name, ms] of Object.entries(run.steps[step].functions)) functions[name] = (functions[name] ?? 0) + ms
    }
    for (const [phase, ms] of Object.entries(perRun)) (phaseValues[phase] ??= []).push(ms)
  }
  return {
    phases: Object.fromEntries(Object.entries(phaseValues).map(([phase, v]) => [phase, spread(v)])),
    landing: spread(runs.map((r) => r.steps.landing.totalMs)),
    landingUncapped: spread(runs.map((r) => r.steps.landing.uncappedMs)),
    journey: spread(runs.map((r) => STEPS.reduce((n, s) => n + r.steps[s].totalMs, 0))),
    functions: Object.entries(functions)
      .map(([name, ms]) => ({ name, meanMs: ms / runs.length }))
      .sort((a, b) => b.meanMs - a.meanMs)
      .slice(0, 15),
    counts,
  }
}

/** Runs `runs` journeys per variant, alternating none, today, current; then one counted journey per build. */
export async function measurePluginTime(
  browser: Browser,
  options: { base: string; runs: number; bundles: Record<'today' | 'current', string> },
): Promise<PluginTimeResult> {
  const bundles = {
    today: profiledBundle({ file: options.bundles.today, urlPart: bundlePath('today'), commit: BASELINE_COMMIT }),
    current: profiledBundle({ file: options.bundles.current, urlPart: bundlePath('current') }),
  }
  const variants: Variant[] = ['none', 'today', 'current']
  // One discarded round warms the server, the disk cache and V8.
  for (const variant of variants) await profiledJourney(browser, options.base, variant, bundles[variant as 'today'])
  const runs: Run[] = []
  for (let i = 0; i < options.runs; i++) {
    for (const variant of variants)
      runs.push(await profiledJourney(browser, options.base, variant, bundles[variant as 'today']))
    assertLocalOnly()
  }
  const of = (variant: Variant): Run[] => runs.filter((r) => r.variant === variant)
  const today = summarize(of('today'), await countedJourney(browser, options.base, 'today'))
  const current = summarize(of('current'), await countedJourney(browser, options.base, 'current'))
  return {
    config: { runs: options.runs, samplingUs: SAMPLING_US, gapCapUs: GAP_CAP_US, baselineCommit: BASELINE_COMMIT },
    today,
    current,
    landingRatio: current.landing.medianMs / today.landing.medianMs,
    pageBusyLanding: Object.fromEntries(
      variants.map((v) => [v, spread(of(v).map((r) => r.steps.landing.busyMs))]),
    ) as Record<Variant, Spread>,
  }
}

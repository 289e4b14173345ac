/** The bench's result, and the table `npm run bench` prints from it. */
import type { MappingRow } from './mapping'
import type { PageImpact } from './page-impact'
import type { BuildTime, PluginTimeResult } from './plugin-time'
import type { RequestsResult } from './requests'
import type { SizeRow } from './sizes'

/** Everything one `npm run bench` measured. */
export interface BenchResult {
  createdAt: string
  environment: {
    node: string
    chromium: string
    platform: string
    cpus: number
    cpuModel: string
    /** 1-minute load average at the start and at the end of the run (other work skews timings). */
    loadAverage: [number, number]
  }
  config: {
    runsPerVariant: number
    warmupRunsPerVariant: number
    mappingSeconds: number
    journeyRunsPerVariant: number
  }
  sizes: SizeRow[]
  mapping: MappingRow[]
  pageImpact: PageImpact
  requests: RequestsResult
  pluginTime: PluginTimeResult
  durationSeconds: number
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length))
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s)
const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a')
const signed = (n: number, digits = 1): string => (n >= 0 ? '+' : '') + fmt(n, digits)

function table(headers: string[], rows: string[][], firstWidth: number): string {
  const widths = headers.map((h, i) =>
    Math.max(i === 0 ? firstWidth : 0, h.length, ...rows.map((r) => (r[i] ?? '').length)),
  )
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? pad(c, widths[0]!) : lpad(c, widths[i]!))).join('  ')
  return [line(headers), ...rows.map(line)].join('\n')
}

function pluginTimeReport(p: PluginTimeResult, w: number): string[] {
  const builds: Array<['today' | 'current', BuildTime]> = [
    ['today', p.today],
    ['current', p.current],
  ]
  const phases = [...new Set([...Object.keys(p.today.phases), ...Object.keys(p.current.phases)])]
  const cell = (b: BuildTime, phase: string): string =>
    b.phases[phase] ? `${fmt(b.phases[phase].medianMs, 2)} ±${fmt(b.phases[phase].iqrMs, 2)}` : '—'
  const counted = (b: BuildTime, step: keyof BuildTime['counts']): string => {
    const c = b.counts[step]
    return `${c.cookieReads}r+${c.cookieWrites}w ${c.storageReads}r+${c.storageWrites}w ${c.exceptions}`
  }
  const out = [
    `Plugin main-thread time, CPU profile (${p.config.samplingUs} µs samples, gaps capped at ${p.config.gapCapUs} µs, ` +
      `${p.config.runs} alternating journeys per build; today = ${p.config.baselineCommit.slice(0, 7)})`,
    table(
      ['Per journey: median ±IQR, ms', 'today', 'current'],
      [
        ...phases.map((phase) => [phase, cell(p.today, phase), cell(p.current, phase)]),
        ['landing, all phases', ...builds.map(([, b]) => `${fmt(b.landing.medianMs, 2)} ±${fmt(b.landing.iqrMs, 2)}`)],
        ['landing, gaps not capped', ...builds.map(([, b]) => fmt(b.landingUncapped.medianMs, 2))],
        ['whole journey', ...builds.map(([, b]) => `${fmt(b.journey.medianMs, 2)} ±${fmt(b.journey.iqrMs, 2)}`)],
        [
          'page main thread busy on the landing (none|today|current)',
          `${fmt(p.pageBusyLanding.none.medianMs)}|${fmt(p.pageBusyLanding.today.medianMs)}`,
          fmt(p.pageBusyLanding.current.medianMs),
        ],
      ],
      w,
    ),
    `landing: current/today = ${fmt(p.landingRatio, 2)}× (target ≤ 0.50×)`,
    '',
    table(
      ['Counted (cookie r+w, storage r+w, exceptions)', 'today', 'current'],
      (['landing', 'page view', 'Order Completed'] as const).map((s) => [
        s,
        counted(p.today, s),
        counted(p.current, s),
      ]),
      w,
    ),
    '',
    table(
      ['Where current goes (mean ms per journey)', 'ms'],
      p.current.functions.slice(0, 10).map((f) => [f.name, fmt(f.meanMs, 2)]),
      w,
    ),
  ]
  return out
}

/** The printed report of a {@link BenchResult}. */
export function formatReport(r: BenchResult): string {
  const w = 50
  const out: string[] = []
  const e = r.environment
  out.push(
    `analytics-plugin-impact bench · node ${e.node} · Chromium ${e.chromium} · ${e.cpus} CPU (${e.cpuModel}) · ` +
      `load ${fmt(e.loadAverage[0], 2)}→${fmt(e.loadAverage[1], 2)} · ${r.config.runsPerVariant} A/B runs ` +
      `(+${r.config.warmupRunsPerVariant} warm-up) · ${r.config.journeyRunsPerVariant} profiled journeys per build · ${fmt(r.durationSeconds, 0)} s`,
    '',
  )
  out.push(
    table(
      ['Size (bytes)', 'raw', 'min', 'gzip', 'brotli'],
      r.sizes.map((s) => [s.name, String(s.rawBytes), String(s.minBytes), String(s.gzipBytes), String(s.brotliBytes)]),
      w,
    ),
    '',
  )
  out.push(
    table(
      ['Mapping in Node, warm (µs per call)', 'median', 'p95', 'calls', 'fields'],
      r.mapping.map((m) => [m.name, fmt(m.medianUs, 2), fmt(m.p95Us, 2), String(m.calls), String(m.fields)]),
      w,
    ),
    '',
  )
  out.push(
    table(
      ['Page impact, headless Chromium (medians)', 'A: AJS', 'B: +plugin', 'B−A', 'B/A', 'IQR A|B'],
      r.pageImpact.summary.map((s) => [
        s.name,
        fmt(s.a),
        fmt(s.b),
        signed(s.added),
        s.key === 'tagMs' ? '—' : fmt(s.ratio, 2) + '×',
        `${fmt(s.aIqr)}|${fmt(s.bIqr)}`,
      ]),
      w,
    ),
    '',
  )
  out.push(
    table(
      ['Per event, from the browser', 'requests', 'preflights', 'Impact got', 'valid'],
      r.requests.events.map((t) => [
        t.event,
        String(t.requests),
        String(t.preflights),
        String(t.impactReceived),
        String(t.impactValid),
      ]),
      w,
    ),
  )
  out.push('', ...pluginTimeReport(r.pluginTime, w))
  const check = r.requests.preflightSelfCheck
  out.push(
    `(preflights counted with CDP Network events; Playwright's request event shows ` +
      `${r.requests.events.reduce((n, t) => n + t.preflightsViaPlaywright, 0)}. Self-check: a forced preflight was ` +
      `${check.seen === check.expected ? 'seen' : `NOT seen (${check.seen}/${check.expected}), so preflight counts are unreliable`})`,
  )
  return out.join('\n')
}

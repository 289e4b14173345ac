/**
 * The plugin's main-thread time, from a V8 CPU profile: each sample whose stack holds a frame of
 * the plugin's bundle is the plugin's, named through the bundle's source map and put in a phase by
 * the outermost such frame. A sample stands for the time until the next one, capped: a longer gap
 * is the thread descheduled (2 shared cores), not the plugin working.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CDPSession } from '@playwright/test'
import type { Step } from './journey'
import { sourceMapLookup, type OriginalPosition } from './source-map'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Sampling interval, µs (the issue asks for 100 µs or finer). */
export const SAMPLING_US = 100
/** A sample counts for at most this long, µs. */
export const GAP_CAP_US = 1000

/** Where the plugin's time goes: its phases, by the outermost plugin frame on the stack. */
type Phase = 'script evaluation' | 'factory (settings)' | 'load()' | 'handler' | 'answer handling and replay'

/** The plugin's time in one profiled step. */
export interface StepTime {
  /** ms per phase, gaps capped. */
  phases: Partial<Record<Phase, number>>
  /** All the plugin's time in the step, gaps capped, ms. */
  totalMs: number
  /** The page's main thread busy (every sample but idle), gaps capped, ms. */
  busyMs: number
  /** The same without the cap, ms. */
  uncappedMs: number
  /** ms by innermost plugin function (`file:line name`) and what it called natively, if anything. */
  functions: Record<string, number>
}

/** A plugin bundle as the profile sees it: its URL and a way to name its positions. */
export interface ProfiledBundle {
  /** Part of the bundle's URL that identifies its frames. */
  urlPart: string
  /** The function at a 0-based generated position, as `file:line name`. */
  name(line: number, column: number): string | undefined
}

/**
 * Reads `<bundle>.map` and names functions by their first source line (the identifier declared
 * there), reading sources from this tree or, with `commit`, from git.
 */
export function profiledBundle(options: { file: string; urlPart: string; commit?: string }): ProfiledBundle {
  const lookup = sourceMapLookup(readFileSync(options.file + '.map', 'utf8'))
  const sources = new Map<string, string[]>()
  const lines = (source: string): string[] => {
    const rel = source.slice(source.lastIndexOf('src/'))
    let text = sources.get(rel)
    if (!text) {
      const content = options.commit
        ? execFileSync('git', ['show', `${options.commit}:${rel}`], { cwd: root, encoding: 'utf8' })
        : readFileSync(path.join(root, rel), 'utf8')
      sources.set(rel, (text = content.split('\n')))
    }
    return text
  }
  const named = (at: OriginalPosition): string => {
    const file = at.source.slice(at.source.lastIndexOf('/') + 1)
    if (!at.source.includes('src/')) return `${file}:${at.line + 1}`
    const text = lines(at.source)[at.line] ?? ''
    const id = /(?:function\s+|const\s+|let\s+)?(\w+)\s*(?:=\s*(?:async\s*)?\(|\(|:\s*async)/.exec(text.trim())?.[1]
    return `${file}:${at.line + 1}${id ? ' ' + id : ''}`
  }
  const cache = new Map<string, string | undefined>()
  return {
    urlPart: options.urlPart,
    name(line, column) {
      const key = `${line}:${column}`
      if (!cache.has(key)) {
        const at = lookup(line, column)
        cache.set(key, at ? named(at) : undefined)
      }
      return cache.get(key)
    },
  }
}

/** Turns the profiler on for `cdp`'s page at {@link SAMPLING_US}. */
export async function enableProfiler(cdp: CDPSession): Promise<void> {
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: SAMPLING_US })
}

/** Runs `action` under the sampling profiler; returns the profile. */
export async function profiled(cdp: CDPSession, action: () => Promise<void>): Promise<CpuProfile> {
  await cdp.send('Profiler.start')
  await action()
  return (await cdp.send('Profiler.stop')).profile
}

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number }

/** The parts of a V8 CPU profile read here. */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame; children?: number[] }>
  samples?: number[]
  timeDeltas?: number[]
}

/** The plugin's time in `profile`, by phase and by function. */
export function attribute(profile: CpuProfile, bundle: ProfiledBundle): StepTime {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const phases: Partial<Record<Phase, number>> = {}
  const functions: Record<string, number> = {}
  let totalMs = 0
  let uncappedMs = 0
  let busyMs = 0
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  samples.forEach((leaf, i) => {
    const raw = (deltas[i + 1] ?? 0) / 1000
    const ms = Math.min(raw, GAP_CAP_US / 1000)
    if (byId.get(leaf)!.callFrame.functionName !== '(idle)') busyMs += ms
    const chain: number[] = []
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) chain.push(id)
    const ours = chain.filter((id) => byId.get(id)!.callFrame.url.includes(bundle.urlPart))
    if (ours.length === 0) return
    uncappedMs += raw
    totalMs += ms
    const outer = ours[ours.length - 1]!
    const phase = phaseOf(byId.get(outer)!.callFrame, byId.get(parent.get(outer) ?? -1)?.callFrame, bundle)
    phases[phase] = (phases[phase] ?? 0) + ms
    const inner = byId.get(ours[0]!)!.callFrame
    const native = ours[0] === leaf ? '' : ' → ' + (byId.get(leaf)!.callFrame.functionName || '(native)')
    const key = (bundle.name(inner.lineNumber, inner.columnNumber) ?? '(top level)') + native
    functions[key] = (functions[key] ?? 0) + ms
  })
  return { phases, totalMs, uncappedMs, busyMs, functions }
}

function phaseOf(outer: CallFrame, caller: CallFrame | undefined, bundle: ProfiledBundle): Phase {
  const name = bundle.name(outer.lineNumber, outer.columnNumber)
  // The bundle's top level (and its IIFE) map to no function of the sources.
  if (!name || name.startsWith('cdn.ts')) return 'script evaluation'
  // The page's own inline script calls the factory.
  if (caller?.url.includes('/bench/')) return 'factory (settings)'
  if (/^plugin\.ts:\d+ load$/.test(name)) return 'load()'
  if (/^plugin\.ts:\d+ (handle|send)$/.test(name)) return 'handler'
  return 'answer handling and replay'
}

/** A step's phases, named after the step for the handlers (`handler (landing)`). */
export function stepPhases(step: Step, time: StepTime): Record<string, number> {
  return Object.fromEntries(
    Object.entries(time.phases).map(([phase, ms]) => [phase === 'handler' ? `handler (${step})` : phase, ms]),
  )
}

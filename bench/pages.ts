/**
 * The bench's pages, served by the demo itself (`startDemo(..., pages)`): one per variant, the
 * same page with or without a plugin bundle, and the bundles they load under dist/bench/.
 */
import { cp, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { BUNDLE_FILE, buildMappedBundle } from './bundle'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The page variants: analytics-next alone, with today's (baseline) plugin build, with this one. */
export type Variant = 'none' | 'today' | 'current'

/** Build that today's figures are measured against: bench/baseline, made from this commit. */
export const BASELINE_COMMIT = '04e5f71d65a19ef4526561b6b1f0ad9375972b49'

/** Path of a variant's page on the demo server. */
export const pagePath = (variant: Variant): string => `/bench/${variant}`

/** URL path of a variant's plugin bundle (served by the demo from dist/). */
export const bundlePath = (variant: Exclude<Variant, 'none'>): string => `/dist/bench/${variant}/${BUNDLE_FILE}`

/** Builds this tree's bundle (source-mapped) and copies today's beside it, under dist/bench/. */
export async function prepareBundles(): Promise<Record<Exclude<Variant, 'none'>, string>> {
  const current = await buildMappedBundle(path.join(root, 'dist/bench/current'))
  const todayDir = path.join(root, 'dist/bench/today')
  await cp(path.join(root, 'bench/baseline'), todayDir, { recursive: true })
  return { current, today: path.join(todayDir, BUNDLE_FILE) }
}

/** The pages by path, with `settings` for the plugin and analytics-next's chunks from this server. */
export async function benchPages(settings: Record<string, unknown>): Promise<Record<string, string>> {
  const template = await readFile(path.join(root, 'bench/pages/bench.html'), 'utf8')
  if (!template.includes('<!--PLUGIN-->') || !template.includes('<!--CONFIG-->'))
    throw new Error('bench/pages/bench.html lost its <!--CONFIG--> or <!--PLUGIN--> marker')
  const config =
    `<script>window.analytics = { _cdn: location.origin };\n` +
    `window.BENCH = ${JSON.stringify({ writeKey: 'bench-write-key', settings })}</script>`
  const page = (variant: Variant): string =>
    template
      .replace('<!--CONFIG-->', config)
      .replace('<!--PLUGIN-->', variant === 'none' ? '' : `<script src="${bundlePath(variant)}"></script>`)
  const variants: Variant[] = ['none', 'today', 'current']
  return Object.fromEntries(variants.map((v) => [pagePath(v), page(v)]))
}

/**
 * The bench's copy of the CDN bundle: built from rollup.config.mjs's own CDN entry (same plugins,
 * same terser options), plus a source map so CPU profiles can name the plugin's functions.
 *
 * `npx tsx bench/bundle.ts <dir>` writes `<dir>/impact-partnership-cloud.js` and its `.map`; that
 * is how bench/baseline/ (the build the targets are measured against) was made.
 */
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import typescript from '@rollup/plugin-typescript'
import { rollup, type OutputOptions, type Plugin, type RollupOptions } from 'rollup'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** File name of a bench bundle inside its folder (its map: the same plus `.map`). */
export const BUNDLE_FILE = 'impact-partnership-cloud.js'

/** Builds the CDN bundle with a source map into `dir`; returns the bundle's path. */
export async function buildMappedBundle(dir: string): Promise<string> {
  const configs = ((await import(path.join(root, 'rollup.config.mjs'))) as { default: RollupOptions[] }).default
  const cdn = configs.find((c) => c.input === 'src/cdn.ts')
  if (!cdn) throw new Error('rollup.config.mjs has no src/cdn.ts entry')
  // The config's TypeScript plugin emits no source map; the same one with maps takes its place.
  const plugins = (cdn.plugins as Plugin[]).map((p) =>
    p.name === 'typescript'
      ? typescript({
          tsconfig: './tsconfig.json',
          compilerOptions: { rootDir: 'src', outDir: dir, sourceMap: true, declaration: false },
        })
      : p,
  )
  const output = cdn.output as OutputOptions
  const file = path.join(dir, BUNDLE_FILE)
  await mkdir(dir, { recursive: true })
  const cwd = process.cwd()
  process.chdir(root)
  try {
    const bundle = await rollup({ ...cdn, plugins, logLevel: 'silent' })
    await bundle.write({ ...output, file, sourcemap: true })
    await bundle.close()
  } finally {
    process.chdir(cwd)
  }
  return file
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) {
  const dir = path.resolve(process.argv[2] ?? '.tmp/bench-bundle')
  buildMappedBundle(dir).then(
    (file) => console.log(`wrote ${path.relative(process.cwd(), file)} and its source map`),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
}

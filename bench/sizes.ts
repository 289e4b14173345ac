/** Bundle sizes: raw, minified, gzip -9 and brotli -q11, with references for scale. */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib'
import { rollup } from 'rollup'
import { minify } from 'terser'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const at = (rel: string): string => path.join(root, rel)

/** Size of one file as shipped and as a browser would download it. */
export interface SizeRow {
  /** What the file is. */
  name: string
  /** Path relative to the repo root. */
  file: string
  /** Bytes on disk (for the ESM build: index.mjs with its shared chunk, unminified). */
  rawBytes: number
  /** Bytes minified (already minified files: as on disk). */
  minBytes: number
  /** Minified, gzip level 9. */
  gzipBytes: number
  /** Minified, brotli quality 11. */
  brotliBytes: number
  /** How the minified text was obtained. */
  note: string
}

function compressed(min: Buffer): { gzipBytes: number; brotliBytes: number } {
  return {
    gzipBytes: gzipSync(min, { level: 9 }).length,
    brotliBytes: brotliCompressSync(min, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: 11,
        [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
        [zlib.BROTLI_PARAM_SIZE_HINT]: min.length,
      },
    }).length,
  }
}

async function asShipped(name: string, file: string): Promise<SizeRow> {
  const min = await readFile(at(file))
  return { name, file, rawBytes: min.length, minBytes: min.length, ...compressed(min), note: 'minified as shipped' }
}

/** dist/index.mjs with its shared chunk, bundled (js-cookie external) and minified like the CDN bundle. */
async function esmSize(): Promise<SizeRow> {
  const file = 'dist/index.mjs'
  const bundle = await rollup({ input: at(file), external: ['js-cookie'], logLevel: 'silent' })
  const { output } = await bundle.generate({ format: 'es' })
  await bundle.close()
  const code = output.map((chunk) => (chunk.type === 'chunk' ? chunk.code : '')).join('\n')
  const min = await minify(code, { ecma: 2020, module: true, compress: { passes: 3 }, format: { comments: false } })
  const minBuffer = Buffer.from(min.code ?? '')
  return {
    name: 'ESM build (js-cookie external)',
    file,
    rawBytes: Buffer.byteLength(code),
    minBytes: minBuffer.length,
    ...compressed(minBuffer),
    note: 'index.mjs + shared chunk, minified here with terser (CDN bundle options)',
  }
}

/** The CDN bundle, the ESM build, and js-cookie and analytics-next for reference. */
export async function measureSizes(): Promise<SizeRow[]> {
  return [
    await asShipped('CDN bundle (IIFE, js-cookie inside)', 'dist/impact-partnership-cloud.min.js'),
    await esmSize(),
    await asShipped('js-cookie alone (reference)', 'node_modules/js-cookie/dist/js.cookie.min.js'),
    {
      ...(await asShipped(
        'analytics-next UMD index.js (reference)',
        'node_modules/@segment/analytics-next/dist/umd/index.js',
      )),
      note: 'minified as shipped; entry only, its lazy chunks not counted',
    },
  ]
}

/**
 * The built package as users get it (run after `npm run build`, as `npm test` does): the npm
 * entry points in both module systems, the relay subpath, and the CDN bundle's global.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pack, run, type Packed } from './support/pack'

type Target = string | { types: string; default: string }
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  version: string
  license: string
  unpkg: string
  jsdelivr: string
  exports: Record<string, string | Record<'import' | 'require', Target>>
}
const require = createRequire(import.meta.url)
/** Imports a built file by path (typed loosely: dist/ may not exist when the type check runs). */
const importBuilt = (file: string): Promise<unknown> => import(pathToFileURL(resolve(file)).href)

describe('npm entry points', () => {
  it.each([
    ['ESM', () => importBuilt('dist/index.mjs')],
    ['CJS', async () => require(resolve('dist/index.cjs')) as unknown],
  ])('%s exports the named factory, carrying pluginName, making the plugin at the package version', async (_, load) => {
    const { impactPartnershipCloud } = (await load()) as typeof import('../src/index')
    expect(impactPartnershipCloud.pluginName).toBe('Impact Partnership Cloud')
    const plugin = impactPartnershipCloud({ accountSid: 'IRsid', campaignId: 1 })
    expect(plugin).toMatchObject({ name: 'Impact Partnership Cloud', type: 'destination', version: pkg.version })
  })

  it.each([
    ['ESM', () => importBuilt('dist/relay.mjs')],
    ['CJS', async () => require(resolve('dist/relay.cjs')) as unknown],
  ])('%s relay subpath exports createImpactRelay and toNodeListener', async (_, load) => {
    const relay = (await load()) as typeof import('../src/relay/index')
    expect(typeof relay.createImpactRelay).toBe('function')
    expect(typeof relay.toNodeListener).toBe('function')
  })

  it('package.json gives each module system its own types, first, and points unpkg/jsdelivr at the CDN bundle', () => {
    for (const entry of ['.', './relay']) {
      const { import: esm, require: cjs } = pkg.exports[entry] as Record<'import' | 'require', Record<string, string>>
      expect(Object.entries(esm!)).toEqual([
        ['types', expect.stringMatching(/\.d\.mts$/)],
        ['default', expect.stringMatching(/\.mjs$/)],
      ])
      expect(Object.entries(cjs!)).toEqual([
        ['types', expect.stringMatching(/\.d\.cts$/)],
        ['default', expect.stringMatching(/\.cjs$/)],
      ])
    }
    const targets = Object.values(pkg.exports).flatMap((e) =>
      typeof e === 'string' ? [e] : Object.values(e).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t))),
    )
    for (const target of targets) expect(() => readFileSync(target), target).not.toThrow()
    expect(pkg.unpkg).toBe('./dist/impact-partnership-cloud.min.js')
    expect(pkg.jsdelivr).toBe(pkg.unpkg)
  })

  it('reports the version package.json has, in the built files as in the sources under test', async () => {
    const { VERSION } = await import('../src/version')
    expect(VERSION).toBe(pkg.version)
    // Injected at build time, never typed by hand.
    expect(readFileSync('src/version.ts', 'utf8')).not.toMatch(/\d+\.\d+\.\d+/)
    const built = ['dist/index.mjs', ...readdirSync('dist/shared').map((f) => `dist/shared/${f}`)]
    expect(
      built.some((file) => readFileSync(file, 'utf8').includes(`const VERSION = ${JSON.stringify(pkg.version)}`)),
    ).toBe(true)
  })
})

describe('the packed package', () => {
  let packed: Packed
  beforeAll(() => {
    packed = pack()
    const kB = (n: number): string => `${(n / 1024).toFixed(1)} kB`
    console.log(
      `npm package: ${packed.files.length} files, ${kB(packed.size)} packed, ${kB(packed.unpackedSize)} installed`,
    )
  })
  afterAll(() => packed.remove())

  it('ships exactly what users need: the builds, their types, the node10 stubs of the subpaths, the docs', () => {
    const paths = packed.files.map((f) => f.path).sort()
    // Chunks shared by the plugin, the relay and the server plugin are named after their first
    // module: any name, in pairs (code and declarations alike).
    const shared = paths.filter((p) => p.startsWith('dist/shared/'))
    expect(shared.every((p) => /^dist\/shared\/[\w-]+\.(?:d\.)?(?:mjs|cjs|mts|cts)$/.test(p))).toBe(true)
    const pair = (p: string) => p.replace(/mjs$/, 'cjs').replace(/mts$/, 'cts')
    expect(shared.filter((p) => /m[jt]s$/.test(p)).map(pair)).toEqual(shared.filter((p) => /c[jt]s$/.test(p)))
    expect(paths.filter((p) => !shared.includes(p))).toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'dist/impact-partnership-cloud.min.js',
      'dist/index.cjs',
      'dist/index.d.cts',
      'dist/index.d.mts',
      'dist/index.mjs',
      'dist/relay.cjs',
      'dist/relay.d.cts',
      'dist/relay.d.mts',
      'dist/relay.mjs',
      'dist/server.cjs',
      'dist/server.d.cts',
      'dist/server.d.mts',
      'dist/server.mjs',
      'package.json',
      'relay/package.json',
      'server/package.json',
    ])
  })

  it('has an MIT LICENSE, as package.json says', () => {
    expect(pkg.license).toBe('MIT')
    expect(readFileSync('LICENSE', 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) \d{4} the analytics-plugin-impact authors\n/,
    )
  })

  it('resolves types for ".", "./relay", "./server" and "./package.json" under node10, node16 (CJS and ESM) and bundler (attw)', () => {
    const out = run('attw', [packed.tarball, '--no-definitely-typed', '--format', 'json'])
    const { analysis } = JSON.parse(out) as {
      analysis: {
        problems: unknown[]
        entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }>
      }
    }
    expect(analysis.problems).toEqual([])
    const resolved = Object.fromEntries(
      Object.entries(analysis.entrypoints).map(([entry, { resolutions }]) => [
        entry,
        Object.fromEntries(
          Object.entries(resolutions).map(([mode, r]) => [mode, r.resolution?.fileName.split('/').pop()]),
        ),
      ]),
    )
    const types = (name: string) => ({
      node10: `${name}.d.cts`,
      'node16-cjs': `${name}.d.cts`,
      'node16-esm': `${name}.d.mts`,
      bundler: `${name}.d.mts`,
    })
    const json = {
      node10: 'package.json',
      'node16-cjs': 'package.json',
      'node16-esm': 'package.json',
      bundler: 'package.json',
    }
    expect(resolved).toEqual({
      '.': types('index'),
      './relay': types('relay'),
      './server': types('server'),
      './package.json': json,
    })
  }, 60_000)

  it('passes publint with warnings as errors', () => {
    expect(run('publint', ['run', packed.tarball, '--strict'])).toContain('All good!')
  }, 30_000)
})

describe('CDN bundle', () => {
  it('defines the global ImpactPartnershipCloud as the factory itself, with js-cookie inside', () => {
    const sandbox: Record<string, unknown> = {}
    runInNewContext(readFileSync(pkg.unpkg, 'utf8'), sandbox)
    const factory = sandbox.ImpactPartnershipCloud as typeof import('../src/index').impactPartnershipCloud
    expect(typeof factory).toBe('function')
    expect(factory.pluginName).toBe('Impact Partnership Cloud')
    expect(factory({ accountSid: 'IRsid', campaignId: 1 })).toMatchObject({
      name: 'Impact Partnership Cloud',
      version: pkg.version,
    })
    // The bundle needs no module loader: nothing but the global was added.
    expect(Object.keys(sandbox)).toEqual(['ImpactPartnershipCloud'])
  })

  it("opens with V8's compile hint, so Chromium compiles it off the main thread while it streams", () => {
    // Only the file's first line counts: anywhere else V8 reads it as a plain comment.
    expect(readFileSync(pkg.unpkg, 'utf8').split('\n', 1)[0]).toBe('//# allFunctionsCalledOnLoad')
  })
})

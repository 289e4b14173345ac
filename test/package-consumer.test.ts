/**
 * The packed package in a user's TypeScript project: three tiny projects in a temporary folder
 * (nodenext ESM, nodenext CommonJS, bundler resolution) import the plugin and the relay, must
 * type-check with the package's own declarations, and run. Offline: the tarball is unpacked into
 * the projects' node_modules and its dependencies are linked from this repository's.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pack } from './support/pack'

const { version } = (await import('../package.json', { with: { type: 'json' } })).default

/** What every variant runs, inside an async function so CommonJS needs no top-level await. */
const BODY = `
const settings: ImpactSettings = { accountSid: 'IRsid', campaignId: 1000, conversionEndpoint: '/impact/conversions' }
const plugin: Plugin = impactPartnershipCloud(settings)
// @ts-expect-error: the declarations are real types, not any (campaignId is required)
impactPartnershipCloud({ accountSid: 'IRsid' })
const relay = createImpactRelay({
  accountSid: 'IRsid',
  authToken: 'token',
  campaignIds: [1000],
  allowedOrigins: ['https://shop.example'],
})
const listener: (req: IncomingMessage, res: ServerResponse) => void = toNodeListener(relay)
const server: ImpactServerPlugin = impactServer({
  accountSid: 'IRsid',
  authToken: 'token',
  campaignId: 1000,
  eventTypeId: '7777',
})
const referrer = impactReferrer('impact_click_id=Abc-1')
async function main(): Promise<void> {
  const answer: Response = await relay(new Request('https://shop.example/impact/conversions'))
  console.log(JSON.stringify({ name: plugin.name, version: plugin.version, status: answer.status, node: typeof listener, server: server.name, click: referrer?.id }))
}
void main()
`
const IMPORTS = `
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Plugin } from '@segment/analytics-next'
import { impactPartnershipCloud, type ImpactSettings } from 'analytics-plugin-impact'
import { createImpactRelay, toNodeListener } from 'analytics-plugin-impact/relay'
import { impactReferrer, impactServer, type ImpactServerPlugin } from 'analytics-plugin-impact/server'
`

const VARIANTS = {
  'nodenext ESM': { type: 'module', module: 'nodenext', moduleResolution: 'nodenext' },
  'nodenext CommonJS': { type: 'commonjs', module: 'nodenext', moduleResolution: 'nodenext' },
  bundler: { type: 'module', module: 'esnext', moduleResolution: 'bundler' },
} as const

let root: string
let removeTarball: () => void
let packedTarball: string

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'impact-consumer-'))
  const modules = join(root, 'node_modules')
  const installed = join(modules, 'analytics-plugin-impact')
  mkdirSync(installed, { recursive: true })
  const packed = pack()
  removeTarball = packed.remove
  packedTarball = packed.tarball
  execFileSync('tar', ['-xzf', packed.tarball, '-C', installed, '--strip-components=1'])
  // The package's dependency and peer, and the types a Node project has, from this repository.
  for (const name of ['js-cookie', '@segment', '@types'])
    symlinkSync(resolve('node_modules', name), join(modules, name))
})

afterAll(() => {
  removeTarball()
  rmSync(root, { recursive: true, force: true })
})

/** Writes a consumer project (package.json, tsconfig, main.ts), type-checks it and runs it. */
function buildAndRun(dir: string, type: string, compilerOptions: Record<string, unknown>, source: string): string {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type }))
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['main.ts'] }))
  writeFileSync(join(dir, 'main.ts'), source)
  const tsc = resolve('node_modules/typescript/bin/tsc')
  try {
    execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', stdio: 'pipe' })
  } catch (e) {
    throw new Error(`tsc failed for ${dir}: ${(e as { stdout?: string }).stdout ?? ''}`, { cause: e })
  }
  return execFileSync(process.execPath, [join(dir, 'out/main.js')], { encoding: 'utf8', cwd: dir })
}

describe('a relay-only server (no browser SDK installed)', () => {
  it('needs no @segment/analytics-next: an optional peer, absent from its node_modules, and it type-checks and runs', () => {
    const pkg = JSON.parse(execFileSync('tar', ['-xzOf', packedTarball, 'package/package.json'], { encoding: 'utf8' }))
    expect(pkg.peerDependenciesMeta).toEqual({
      '@segment/analytics-next': { optional: true },
      '@segment/analytics-node': { optional: true },
    })
    // Its own node_modules: the package and Node's types, nothing of Segment's.
    const server = join(root, 'relay-only')
    const modules = join(server, 'node_modules')
    mkdirSync(join(modules, 'analytics-plugin-impact'), { recursive: true })
    execFileSync('tar', ['-xzf', packedTarball, '-C', join(modules, 'analytics-plugin-impact'), '--strip-components=1'])
    mkdirSync(join(modules, '@types'))
    symlinkSync(resolve('node_modules/@types/node'), join(modules, '@types/node'))
    const source = `
import { createServer } from 'node:http'
import { createImpactRelay, toNodeListener } from 'analytics-plugin-impact/relay'
const relay = createImpactRelay({ accountSid: 'IRsid', authToken: 'token', campaignIds: [1000],
  allowedOrigins: ['https://shop.example'], verifyConversion: () => false })
const server = createServer(toNodeListener(relay))
void relay(new Request('https://shop.example/impact/conversions', { method: 'PUT' })).then((answer) => {
  console.log(JSON.stringify({ status: answer.status, server: typeof server.listen }))
})
`
    const options = { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'] }
    const out = buildAndRun(server, 'module', { ...options, types: ['node'], strict: true, outDir: 'out' }, source)
    expect(JSON.parse(out)).toEqual({ status: 405, server: 'function' })
  }, 60_000)
})

describe('a TypeScript project using the packed package', () => {
  it.each(Object.entries(VARIANTS))(
    '%s: type-checks and runs',
    (name, { type, module, moduleResolution }) => {
      const dir = join(root, name.replace(/\W+/g, '-'))
      const compilerOptions = {
        module,
        moduleResolution,
        target: 'es2022',
        lib: ['es2022', 'dom'],
        types: ['node'],
        strict: true,
        // Our declarations are checked; analytics-next's own are its business.
        skipLibCheck: true,
        outDir: 'out',
      }
      const out = buildAndRun(dir, type, compilerOptions, IMPORTS + BODY)
      expect(JSON.parse(out)).toEqual({
        name: 'Impact Partnership Cloud',
        version,
        status: 405,
        node: 'function',
        server: 'Impact Partnership Cloud',
        click: 'Abc-1',
      })
    },
    60_000,
  )
})

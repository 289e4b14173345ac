/**
 * The built package as users get it (run after `npm run build`, as `npm test` does): the npm
 * entry points in both module systems, the relay subpath, and the CDN bundle's global.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  version: string
  unpkg: string
  jsdelivr: string
  exports: Record<string, Record<string, string>>
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

  it('package.json points types first, and unpkg/jsdelivr at the CDN bundle', () => {
    expect(Object.keys(pkg.exports['.']!)[0]).toBe('types')
    expect(Object.keys(pkg.exports['./relay']!)[0]).toBe('types')
    for (const target of Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))) {
      expect(() => readFileSync(target), target).not.toThrow()
    }
    expect(pkg.unpkg).toBe('./dist/impact-partnership-cloud.min.js')
    expect(pkg.jsdelivr).toBe(pkg.unpkg)
  })
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
})

// Runs servers/worker.mjs in Cloudflare's workerd through Miniflare's API (as `wrangler dev
// --local` does), bundled first as Wrangler would. Bindings come from this process's environment.
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'

const bundled = await build({
  entryPoints: [new URL('./worker.mjs', import.meta.url).pathname],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  mainFields: ['module', 'main'],
  conditions: ['worker', 'import', 'default'],
  write: false,
  logLevel: 'error',
})
const names = [
  'IMPACT_ACCOUNT_SID',
  'IMPACT_AUTH_TOKEN',
  'IMPACT_CAMPAIGN_ID',
  'SHOP_ORIGIN',
  'IMPACT_BASE_URL',
  'IMPACT_PAGELOAD_URL',
]
const mf = new Miniflare({
  modules: true,
  script: bundled.outputFiles[0].text,
  compatibilityDate: '2026-04-01',
  bindings: Object.fromEntries(names.map((name) => [name, process.env[name] ?? ''])),
  host: '127.0.0.1',
  port: Number(process.env.PORT),
})
await mf.ready
console.log('ready')
process.on('SIGTERM', () => void mf.dispose().then(() => process.exit(0)))

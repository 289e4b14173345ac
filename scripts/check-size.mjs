// Size budget of the CDN bundle, enforced by `npm test`: min+gzip at most BUDGET bytes. The
// figure is printed on every run.
//
// Measured at 7,018 B min+gzip after the terser options and the internal property renaming in
// rollup.config.mjs (the full contract plus js-cookie, ~0.8 KB by itself; see the README's
// Performance section). The budget is that figure plus 150 B of headroom for the features being
// added alongside; lower it again as they land.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

const FILE = 'dist/impact-partnership-cloud.min.js'
const BUDGET = 7018 + 150

const min = readFileSync(FILE)
const gz = gzipSync(min, { level: 9 }).length
const line = `${FILE}: ${min.length} B minified, ${gz} B min+gzip (budget ${BUDGET} B, ${BUDGET - gz} B left)`
if (gz > BUDGET) {
  console.error(`size check FAILED: ${line}`)
  process.exit(1)
}
console.log(`size check ok: ${line}`)

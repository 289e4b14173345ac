// Size budget of the CDN bundle, enforced by `npm test`: min+gzip at most BUDGET bytes.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

const FILE = 'dist/impact-partnership-cloud.min.js'
const BUDGET = 4096

const min = readFileSync(FILE)
const gz = gzipSync(min, { level: 9 }).length
const line = `${FILE}: ${min.length} B minified, ${gz} B min+gzip (budget ${BUDGET} B)`
if (gz > BUDGET) {
  console.error(`size check FAILED: ${line}`)
  process.exit(1)
}
console.log(`size check ok: ${line}`)

// Makes sure a Chromium for the e2e tests is installed. Playwright cannot download its own browser
// here, so Debian's package is used (needs root, as on CI and the dev machines of this project).
import { execSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const candidates = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium'].filter(Boolean)
if (candidates.some((path) => existsSync(path))) process.exit(0)

console.log("Chromium not found: installing Debian's chromium package (apt-get) ...")
const sudo = process.getuid?.() === 0 ? '' : 'sudo '
try {
  execSync(`${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium`, {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
} catch {
  console.error('Could not install Chromium. Install it yourself (apt-get install chromium) or set CHROMIUM_PATH.')
  process.exit(1)
}

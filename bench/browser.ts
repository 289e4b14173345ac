/**
 * Chromium for the bench, launched as the e2e tests launch it (playwright.config.ts: the same
 * binary and flags), except that every host name but localhost is unresolvable; and the same
 * guard as the e2e fixtures: any request to a non-local host fails the whole run.
 */
import { chromium, type Browser, type BrowserContext, type LaunchOptions } from '@playwright/test'
import config from '../playwright.config'
import { isLocalHost } from '../e2e/fixtures'

const foreign: string[] = []

/** Launches Chromium; nothing it loads can reach the internet. */
export async function launchBrowser(): Promise<Browser> {
  const launch: LaunchOptions = config.use?.launchOptions ?? {}
  if (!launch.executablePath) throw new Error('no Chromium found (set CHROMIUM_PATH); never download one')
  const args = (launch.args ?? []).filter((a) => !a.startsWith('--host-resolver-rules'))
  args.push('--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1')
  return chromium.launch({ executablePath: launch.executablePath, args })
}

/** Records any `url` outside this machine. */
export function checkLocal(url: string): void {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return
  }
  if (/^(?:https?|wss?):$/.test(parsed.protocol) && !isLocalHost(parsed.hostname)) foreign.push(url)
}

/** A fresh context whose every request is checked. */
export async function guardedContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext()
  context.on('request', (request) => checkLocal(request.url()))
  return context
}

/** Throws (and so fails the whole run, loudly) once any request to a non-local host was seen. */
export function assertLocalOnly(): void {
  if (foreign.length === 0) return
  const list = [...new Set(foreign)].map((u) => `  ${u}`).join('\n')
  throw new Error(`BENCH ABORTED: the browser asked for a non-local host (nothing may reach the internet):\n${list}`)
}

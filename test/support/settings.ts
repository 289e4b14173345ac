import type { Logger } from '../../src/log'
import { ImpactSettingsError, resolveSettings, type ResolvedSettings } from '../../src/settings'

/** Resolved settings for a test; fails the test at once when `raw` is unexpectedly invalid. */
export function resolved(raw: Record<string, unknown>): ResolvedSettings {
  const result = resolveSettings({ accountSid: 'IRsid123', campaignId: 1000, ...raw })
  if (result instanceof ImpactSettingsError) throw new Error('test settings invalid: ' + result.message)
  return result
}

/** A logger that prints nothing (and records what it was told, for tests that care). */
export function silentLog(): Logger & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    debug: (m) => void lines.push('debug ' + m),
    warn: (m) => void lines.push('warn ' + m),
    error: (m) => void lines.push('error ' + m),
  }
}

/** SHA-1 hex of 'user@example.com', the hash most tests carry as CustomerEmail. */
export const EMAIL_SHA1 = '63a710569261a24b3766275b7000ce8d7b32e2f7'

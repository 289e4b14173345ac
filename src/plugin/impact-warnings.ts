import type { Logger } from '../log'

/**
 * Reports the `warnings` of a PageLoad answer (Impact's list of `{ field, level, message }`) to the
 * debug log as they came, so a site owner with `debug: true` sees what Impact complained about.
 */
export function reportImpactWarnings(body: unknown, log: Logger): void {
  const warnings = (body as { warnings?: unknown } | null | undefined)?.warnings
  if (Array.isArray(warnings) && warnings.length) log.debug('Impact warnings', warnings)
}

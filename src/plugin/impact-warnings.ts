import type { Logger } from '../log'

/**
 * Reports the `warnings` of a PageLoad answer (Impact's list of `{ field, level, message }`) to the
 * debug log, so a site owner with `debug: true` sees what Impact complained about. Anything in the
 * answer that is not such a list is ignored.
 */
export function reportImpactWarnings(body: unknown, log: Logger): void {
  const warnings = (body as { warnings?: unknown } | null | undefined)?.warnings
  if (!Array.isArray(warnings)) return
  for (const w of warnings as Array<Record<string, unknown> | null>) {
    log.debug(
      `Impact warns (${String(w?.level ?? 'WARNING')}) about ${String(w?.field ?? 'the request')}: ${String(w?.message ?? '')}`,
    )
  }
}

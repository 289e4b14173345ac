/**
 * Console diagnostics, all prefixed `[Impact]` so they are easy to filter.
 * Warnings and errors always print (they tell a site owner something is misconfigured);
 * debug lines print only with the `debug` setting.
 */
export interface Logger {
  /** A diagnostic, shown only when the `debug` setting is on. */
  debug(message: string, detail?: unknown): void
  /** A misconfiguration the site owner should fix; the plugin keeps working. */
  warn(message: string): void
  /** Something the plugin cannot do at all until the site owner fixes it. */
  error(message: string): void
}

/** Creates the logger; `debug` turns on debug lines. */
export function createLogger(debug: boolean): Logger {
  const out = (level: 'debug' | 'warn' | 'error', message: string, detail?: unknown): void => {
    // console may be stubbed out by the page; never let logging throw into analytics.
    try {
      const args: unknown[] = ['[Impact] ' + message]
      if (detail !== undefined) args.push(detail)
      console[level](...args)
    } catch {
      /* nothing left to tell */
    }
  }
  return {
    debug: (message, detail) => debug && out('debug', message, detail),
    warn: (message) => out('warn', message),
    error: (message) => out('error', message),
  }
}

/**
 * What the journeys need from a browser, whatever drives it (Puppeteer over WebDriver BiDi for
 * Firefox, classic WebDriver for WebKit). Each test gets a fresh tab with no cookies or storage.
 */

/** A cookie as the browser holds it. */
export interface BrowserCookie {
  name: string
  value: string
  path?: string
  /** Seconds since the epoch; absent for a session cookie. */
  expires?: number
}

/** One tab of an engine. */
export interface EnginePage {
  /** Navigates and waits for the load event. */
  goto(url: string): Promise<void>
  reload(): Promise<void>
  url(): Promise<string>
  /**
   * Evaluates a JavaScript expression in the page and returns its (awaited, JSON-able) value.
   * Scripts are strings: functions compiled by the test runner may carry helpers the page lacks.
   */
  run<T>(expression: string): Promise<T>
  click(selector: string): Promise<void>
  /** The cookie `name` of the current page's site, if set. */
  cookie(name: string): Promise<BrowserCookie | undefined>
  /** Uncaught errors the page threw so far (empty where the engine cannot tell). */
  pageErrors(): string[]
}

/** A launched engine. */
export interface EngineBrowser {
  name: string
  /** e.g. `firefox/153.8.0`, `WPE WebKit 2.38`. */
  version: string
  /** A clean tab: cookies and storage of earlier tests are gone. */
  newPage(): Promise<EnginePage>
  close(): Promise<void>
}

/** How every engine is launched: all traffic goes through the guard proxy at `proxy` (host:port). */
export interface LaunchOptions {
  proxy: string
  /** A free port for a WebDriver server, when the engine needs one. */
  driverPort: number
  /** Origins whose cookies and storage a new page must not inherit. */
  origins: string[]
}

/** Wraps a launch failure in a message that names the engine and what to check. */
export function cannotStart(engine: string, error: unknown, hint: string): Error {
  const reason = error instanceof Error ? error.message : String(error)
  return new Error(`${engine} could not start: ${reason}\n${hint}`, { cause: error })
}

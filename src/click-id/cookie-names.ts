/**
 * The click cookies' names, shared by the browser plugin, the relay (which sets the click cookie
 * from the server, and reads the session cookie for its domain) and the server plugin (which reads
 * the click from the shop's request): one browser, one set of cookies.
 */

/** Cookie holding the newest valid click id (last click wins). */
export const CLICK_ID_COOKIE = 'impact_click_id'

/**
 * Cookie holding the click session as `<startMs>.<lastMs>.<labels>`, where `labels` counts the
 * labels of the cookie domain (0: host-only); it expires with the rolling window.
 */
export const CLICK_SESSION_COOKIE = 'impact_click_session'

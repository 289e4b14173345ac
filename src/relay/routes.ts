/** The relay's two routes, picked by the last segment of the request path, and their body limits. */

import { CONVERSION_MAX_BYTES, KEEPALIVE_MAX_BYTES } from '../impact-api'

/** A route of the relay. */
export type RelayRoute = 'conversions' | 'pageload'

/** The route for `pathname` (`/impact/conversions`, `/api/impact/pageload/` ...), or undefined. */
export function routeOf(pathname: string): RelayRoute | undefined {
  const last = pathname.replace(/\/+$/, '').split('/').pop()
  return last === 'conversions' || last === 'pageload' ? last : undefined
}

/**
 * Largest accepted body of `route`, in bytes: a PageLoad goes with `keepalive`, so 16 KiB; a
 * conversion may be sent without it and holds an order of hundreds of lines, so 64 KiB.
 */
export function bodyLimit(route: RelayRoute | undefined): number {
  return route === 'pageload' ? KEEPALIVE_MAX_BYTES : CONVERSION_MAX_BYTES
}

/**
 * The demo shop's server side: its own analytics-node with the Impact server plugin, tracking
 * refunds and cancellations (and, for shops whose orders are tracked on the server, Order
 * Completed with the visitor's click from the request's cookie). analytics-node runs with
 * `disable: true`: its plugins run, nothing goes to Segment.
 *
 * - `POST /api/orders/refund` `{ order_id, products? }`: Order Refunded (products: those items)
 * - `POST /api/orders/cancel` `{ order_id }`: Order Cancelled
 * - `POST /api/orders` `{ order_id, products, ... }`: a server-side Order Completed
 * Each answers with what the plugin reported once Impact answered.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Analytics } from '@segment/analytics-node'
import { impactReferrer, impactServer } from '../src/server/index'

/** The event type id the demo's conversions carry: Impact's ActionTrackerId for their actions. */
export const DEMO_EVENT_TYPE_ID = '7777'

const ROUTES: Record<string, string> = {
  '/api/orders': 'Order Completed',
  '/api/orders/refund': 'Order Refunded',
  '/api/orders/cancel': 'Order Cancelled',
}

/** The backend's request handler, or undefined for paths it does not serve. */
export function createShopBackend(
  account: { accountSid: string; authToken: string; campaignId: number },
  impactUrl: string,
) {
  const impact = impactServer({ ...account, eventTypeId: DEMO_EVENT_TYPE_ID, impactBaseUrl: impactUrl })
  const analytics = new Analytics({ writeKey: 'demo-write-key', disable: true, flushAt: 1 })
  const registered = analytics.register(impact)
  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> => {
    const event = ROUTES[pathname]
    if (!event || req.method !== 'POST') return false
    let body = ''
    for await (const chunk of req) body += String(chunk)
    const properties = JSON.parse(body || '{}') as Record<string, unknown>
    await registered
    const referrer = impactReferrer(req.headers.cookie)
    await new Promise<void>((resolve) =>
      analytics.track(
        { anonymousId: 'demo-server', event, properties, context: { ...(referrer && { referrer }) } },
        () => resolve(),
      ),
    )
    const reports = await impact.settled()
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    res.end(JSON.stringify({ event, reports }))
    return true
  }
}

// Hono on Node (@hono/node-server): the Fetch request as it is, the address from the connection.
import { serve } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import { Hono } from 'hono'
import { createImpactRelay } from 'analytics-plugin-impact/relay'
import { relayOptions } from './shop.mjs'

const relay = createImpactRelay(relayOptions(process.env))
const app = new Hono()
app.all('/impact/:route{conversions|pageload}', (c) =>
  relay(c.req.raw, { clientAddress: getConnInfo(c).remote.address }),
)
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' }, () => console.log('ready'))

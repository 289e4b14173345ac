// Bun.serve: the Fetch handler as it is, the address from the server.
import { createImpactRelay } from 'analytics-plugin-impact/relay'
import { relayOptions } from './shop.mjs'

const relay = createImpactRelay(relayOptions(process.env))
Bun.serve({
  port: Number(process.env.PORT),
  hostname: '127.0.0.1',
  fetch: (request, server) => relay(request, { clientAddress: server.requestIP(request)?.address }),
})
console.log('ready')

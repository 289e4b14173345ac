// Deno.serve: the Fetch handler as it is, the address from the connection info.
import { createImpactRelay } from 'analytics-plugin-impact/relay'
import { relayOptions } from './shop.mjs'

const relay = createImpactRelay(relayOptions(Deno.env.toObject()))
Deno.serve(
  { port: Number(Deno.env.get('PORT')), hostname: '127.0.0.1', onListen: () => console.log('ready') },
  (request, info) => relay(request, { clientAddress: info.remoteAddr.hostname }),
)

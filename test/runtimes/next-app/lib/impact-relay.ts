// One relay for both route files, made on the first request: `next build` loads this module
// without the secrets (a Docker or CI build), and creating the relay there would throw.
import { createImpactRelay, type ImpactRelayHandler } from 'analytics-plugin-impact/relay'
import { relayOptions } from '../../servers/shop.mjs'

let relay: ImpactRelayHandler | undefined
export function impactRelay(): ImpactRelayHandler {
  // Behind a proxy (Vercel, a load balancer) add clientIpHeader: 'x-forwarded-for': `next start`
  // does not give route handlers the socket's address.
  relay ??= createImpactRelay(relayOptions(process.env))
  return relay
}

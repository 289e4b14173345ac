// A Cloudflare Worker: secrets arrive per request in `env`, so the relay is made on the first one.
// Cloudflare puts the visitor's address in CF-Connecting-IP.
import { createImpactRelay } from 'analytics-plugin-impact/relay'
import { relayOptions } from './shop.mjs'

let relay
export default {
  fetch(request, env) {
    relay ??= createImpactRelay({ ...relayOptions(env), clientIpHeader: 'cf-connecting-ip' })
    return relay(request)
  },
}

// Node's http server: the relay through toNodeListener, the rest of the app beside it.
import { createServer } from 'node:http'
import { createImpactRelay, toNodeListener } from 'analytics-plugin-impact/relay'
import { relayOptions } from './shop.mjs'

const listener = toNodeListener(createImpactRelay(relayOptions(process.env))) // IpAddress from the socket
const isRelay = (url = '') => /^\/impact\/(conversions|pageload)(\?|$)/.test(url)
createServer((req, res) => (isRelay(req.url) ? listener(req, res) : res.writeHead(404).end())).listen(
  Number(process.env.PORT),
  '127.0.0.1',
  () => console.log('ready'),
)

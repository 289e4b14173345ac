/**
 * The strict fake Impact behind the real relay, on one origin: a page served from `url` posts its
 * PageLoads to `${url}/impact/pageload` as a shop in first-party mode does (same origin, so its
 * cookies go along to the relay), and the relay forwards them to the fake's `/PageLoad` without
 * any. `entries`, `reset` and `injectFault` are the fake's.
 */
import { createServer } from 'node:http'
import { createFakeImpact, type FakeImpactOptions, type RunningFakeImpact } from '../../demo/fake-impact/index'
import { createImpactRelay, toNodeListener } from '../../src/relay'
import { close, listen } from './impact-stub'

/** Starts the pair on a free loopback port; the relay serves `campaignIds`. */
export async function startFirstPartyImpact(
  options: FakeImpactOptions & { campaignIds: number[] },
): Promise<RunningFakeImpact> {
  const fake = createFakeImpact(options)
  const server = createServer()
  const url = await listen(server)
  const relay = toNodeListener(
    createImpactRelay({
      accountSid: options.accountSid,
      authToken: options.authToken,
      campaignIds: options.campaignIds,
      allowedOrigins: [url],
      impactBaseUrl: url,
      impactPageLoadUrl: `${url}/PageLoad`,
    }),
  )
  server.on('request', (req, res) => {
    if ((req.url ?? '').startsWith('/impact/')) return relay(req, res)
    // Under happy-dom the relay's `fetch` is happy-dom's, which adds the page's cookies to any
    // request to the page's origin, this one. On a server (Node, Workers) the relay's requests
    // carry none: test/relay-pageload.test.ts and the e2e demo prove it to the strict fake.
    delete req.headers.cookie
    fake.listener(req, res)
  })
  return { ...fake, url, close: () => close(server) }
}

/**
 * A shop page that installs analytics-next the way most Segment customers do: Segment's standard
 * snippet, which queues calls and loads the standalone build, with the plugin registered inside the
 * snippet before `analytics.page()`. The demo server answers the standalone build's requests for
 * the source's CDN settings and the Segment.io API itself, so nothing leaves this machine.
 *
 * The write key picks the source: `snippet-entry` has Segment's cloud-mode Impact destination as an
 * `integrations` entry, `snippet-unbundled` names it in `unbundledIntegrations`, `snippet-plain` has
 * neither, `snippet-screens` has the entry with screen events on (which the demo's plugin does not send).
 */
import { readFile } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'

const CLOUD_MODE_NAME = 'Impact Partnership Cloud'

/** Write keys of the demo's snippet sources. */
export const SNIPPET_SOURCES = ['snippet-entry', 'snippet-unbundled', 'snippet-plain', 'snippet-screens'] as const

/** The CDN settings Segment would serve for `writeKey`, with the Segment.io API on this server. */
export function cdnSettingsFor(writeKey: string, host: string): object {
  const cloudMode: Record<string, unknown> =
    writeKey === 'snippet-entry' || writeKey === 'snippet-screens'
      ? // As Segment lists a cloud-mode destination: its settings, never credentials this page may use.
        {
          [CLOUD_MODE_NAME]: {
            type: 'server',
            bundlingStatus: 'unbundled',
            accountSid: 'IRcloud',
            apiKey: 'cloud-only',
            enablePageEvents: true,
            enableIdentifyEvents: true,
            enableScreenEvents: writeKey === 'snippet-screens',
          },
        }
      : {}
  const unbundled = writeKey === 'snippet-unbundled' ? ['Braze', CLOUD_MODE_NAME] : ['Braze']
  return {
    integrations: {
      'Segment.io': {
        apiKey: writeKey,
        apiHost: `${host}/segment/v1`,
        protocol: 'http',
        unbundledIntegrations: unbundled,
      },
      ...cloudMode,
    },
    plan: { track: { __default: { enabled: true } } },
    metrics: { sampleRate: 0 },
  }
}

/** The snippet page for `writeKey`: Segment's standard snippet with the plugin registered before page(). */
export function snippetPage(writeKey: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Snippet install · Acme Outdoor (Impact plugin demo)</title>
<script src="/config.js"></script>
<script src="/dist/impact-partnership-cloud.min.js"></script>
<script>
// config.js prepared window.analytics for the UMD build; the snippet builds its own call queue.
window.analytics = undefined
;(function () {
  // Segment's standard snippet: a queue of calls until the standalone build loads and replays it.
  var analytics = (window.analytics = window.analytics || [])
  if (analytics.initialize || analytics.invoked) return
  analytics.invoked = true
  analytics.methods = ['trackSubmit', 'trackClick', 'trackLink', 'trackForm', 'pageview', 'identify', 'reset',
    'group', 'track', 'ready', 'alias', 'debug', 'page', 'screen', 'once', 'off', 'on', 'addSourceMiddleware',
    'addIntegrationMiddleware', 'setAnonymousId', 'addDestinationMiddleware', 'register']
  analytics.factory = function (method) {
    return function () {
      var call = Array.prototype.slice.call(arguments)
      call.unshift(method)
      analytics.push(call)
      return analytics
    }
  }
  analytics.methods.forEach(function (method) {
    analytics[method] = analytics.factory(method)
  })
  analytics.load = function (key, options) {
    var script = document.createElement('script')
    script.async = true
    // Segment's CDN in production; this server in the demo.
    script.src = analytics._cdn + '/analytics.js/v1/' + key + '/analytics.min.js'
    document.head.appendChild(script)
    analytics._loadOptions = options
  }
  analytics._writeKey = ${JSON.stringify(writeKey)}
  analytics._cdn = location.origin
  analytics.SNIPPET_VERSION = '5.2.1'
  analytics.load(${JSON.stringify(writeKey)})
  // Registered before page(): the landing page view, the partner click, reaches the plugin.
  analytics.register(ImpactPartnershipCloud(window.DEMO.settings))
  analytics.page()
})()
</script>
</head>
<body><h1>Installed with Segment's snippet</h1></body>
</html>
`
}

/**
 * Answers the snippet's requests: the page, the standalone build, the CDN settings and the Segment.io
 * API (every event accepted). Returns false for any other path.
 */
export function serveSnippet(pathname: string, res: ServerResponse, host: string, umdDir: string): boolean {
  const page = /^\/snippet\/([\w-]+)$/.exec(pathname)
  const build = /^\/analytics\.js\/v1\/([\w-]+)\/analytics\.min\.js$/.exec(pathname)
  const settings = /^\/v1\/projects\/([\w-]+)\/settings$/.exec(pathname)
  const html = 'text/html; charset=utf-8'
  if (page) send(res, html, snippetPage(page[1]!))
  else if (build) void readFile(`${umdDir}/standalone.js`).then((js) => send(res, 'text/javascript', js))
  else if (settings) send(res, 'application/json', JSON.stringify(cdnSettingsFor(settings[1]!, host)))
  else if (pathname.startsWith('/segment/v1/')) send(res, 'application/json', '{"success":true}')
  else return false
  return true
}

function send(res: ServerResponse, type: string, body: string | Buffer): void {
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'access-control-allow-origin': '*' })
  res.end(body)
}

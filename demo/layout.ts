/** The demo shop's pages: one layout around each page's own fragment from demo/pages. */

/** Path to title and fragment file (under demo/pages). */
export const PAGES: Record<string, { title: string; file: string }> = {
  '/': { title: 'Home', file: 'index.html' },
  '/product': { title: 'Trail Tent', file: 'product.html' },
  '/cart': { title: 'Cart', file: 'cart.html' },
  '/thank-you': { title: 'Thank you', file: 'thank-you.html' },
}

/**
 * A whole page. The head loads, in order: the demo config (which also points analytics-next's
 * lazy chunks at this server), analytics-next's UMD build, with a consent setup Segment's consent
 * tools, the banner and the consent platform (`consent`), the plugin's CDN bundle, then the shop
 * script that wires them; the panel polls the fake Impact's log.
 */
export function renderPage(title: string, fragment: string, consent?: 'onetrust' | 'custom'): string {
  const consentScripts = consent
    ? ['/consent-tools.js', '/consent-banner.js', `/consent-${consent}.js`]
        .map((src) => `<script src="${src}"></script>\n`)
        .join('')
    : ''
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title} · Acme Outdoor (Impact plugin demo)</title>
<link rel="stylesheet" href="/style.css">
<script src="/config.js"></script>
<script src="/analytics-next/index.js"></script>
${consentScripts}<script src="/dist/impact-partnership-cloud.min.js"></script>
<script src="/shop.js"></script>
<script src="/panel.js" defer></script>
</head>
<body>
<header><a class="brand" href="/">Acme Outdoor</a>
<nav><a href="/">Home</a><a href="/product">Tent</a><a href="/cart">Cart</a></nav></header>
<main>
${fragment}</main>
<section id="impact-panel" aria-live="polite">
<h2>What Impact received <button id="panel-reset" type="button">clear</button></h2>
<table><thead><tr><th>#</th><th>time</th><th>endpoint</th><th>HTTP</th><th>valid</th><th>ClickId</th><th>details</th></tr></thead>
<tbody id="impact-rows"><tr><td colspan="7">nothing yet</td></tr></tbody></table>
</section>
</body>
</html>
`
}

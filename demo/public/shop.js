// Boots real analytics-next (UMD build, served locally) with the Impact plugin from its CDN bundle.
// Registering through AnalyticsBrowser.load({ plugins }) means no early event can miss the plugin.
// With a consent banner, Segment's consent tools wrap analytics first (consent-onetrust.js or
// consent-custom.js).
;(function () {
  var AnalyticsBrowser = window.AnalyticsNext.AnalyticsBrowser
  var settings = {
    writeKey: 'demo-write-key',
    // Settings inline (see config.js) so nothing is fetched from Segment's CDN.
    cdnSettings: window.DEMO.cdnSettings,
    plugins: [window.ImpactPartnershipCloud(window.DEMO.settings)],
  }
  var options = { integrations: { 'Segment.io': false } }
  var analytics
  if (window.demoConsent) {
    analytics = new AnalyticsBrowser()
    window.demoConsent.wrap(analytics)
    analytics.load(settings, options)
  } else analytics = AnalyticsBrowser.load(settings, options)
  window.demoAnalytics = analytics
  analytics.page()
})()

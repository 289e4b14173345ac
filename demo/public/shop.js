// Boots real analytics-next (UMD build, served locally) with the Impact plugin from its CDN bundle.
// Registering through AnalyticsBrowser.load({ plugins }) means no early event can miss the plugin.
;(function () {
  var AnalyticsBrowser = window.AnalyticsNext.AnalyticsBrowser
  var analytics = AnalyticsBrowser.load(
    {
      writeKey: 'demo-write-key',
      // Settings inline so nothing is fetched from Segment's CDN; sampleRate 0 sends no metrics.
      cdnSettings: { integrations: { 'Segment.io': { apiKey: 'demo-write-key' } }, metrics: { sampleRate: 0 } },
      plugins: [window.ImpactPartnershipCloud(window.DEMO.settings)],
    },
    { integrations: { 'Segment.io': false } },
  )
  window.demoAnalytics = analytics
  analytics.page()
})()

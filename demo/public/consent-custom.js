// A hand-wired banner: Segment's consent tools around the shop's own banner, which reports no
// categories at all ({}) until the visitor answers, then {Advertising: true or false}.
;(function () {
  function categories() {
    var c = window.demoBanner.choice()
    return c ? { Advertising: c === 'accepted' } : {}
  }
  window.demoConsent = {
    wrap: window.SegmentConsentTools.createWrapper({
      getCategories: categories,
      registerOnConsentChanged: function (onChange) {
        window.demoBanner.onChoice(function () {
          onChange(categories())
        })
      },
    }),
  }
})()

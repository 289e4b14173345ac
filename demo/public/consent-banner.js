// The shop's cookie banner, wired through Segment's consent tools (window.SegmentConsentTools):
// every event carries the visitor's choice as context.consent.categoryPreferences, and a change
// of mind is sent as 'Segment Consent Preference Updated'. The choice itself is the banner's own
// business (kept under demo_consent, as a consent platform would keep it).
;(function () {
  var KEY = 'demo_consent'
  var notify

  function choice() {
    try {
      return window.localStorage.getItem(KEY)
    } catch (e) {
      return null
    }
  }
  // No choice yet: no categories at all, which the plugin reads as "consent not known yet".
  function categories() {
    var c = choice()
    return c ? { Advertising: c === 'accepted' } : {}
  }
  function choose(accepted) {
    window.localStorage.setItem(KEY, accepted ? 'accepted' : 'rejected')
    render()
    if (notify) notify(categories())
  }
  function button(id, text, onClick) {
    var b = document.createElement('button')
    b.id = id
    b.type = 'button'
    b.textContent = text
    b.addEventListener('click', onClick)
    return b
  }
  function render() {
    var banner = document.getElementById('consent-banner') || document.body.appendChild(document.createElement('aside'))
    banner.id = 'consent-banner'
    banner.textContent = ''
    var c = choice()
    banner.className = c ? 'chosen' : 'open'
    if (c) {
      banner.appendChild(document.createTextNode('Advertising cookies: ' + c + ' '))
      banner.appendChild(
        button('consent-change', 'Change', function () {
          window.localStorage.removeItem(KEY)
          render()
        }),
      )
      return
    }
    banner.appendChild(
      document.createTextNode(
        'We and our affiliate partners (Impact) use cookies to credit the partner who sent you. ',
      ),
    )
    banner.appendChild(
      button('consent-accept', 'Accept', function () {
        choose(true)
      }),
    )
    banner.appendChild(
      button('consent-reject', 'Reject', function () {
        choose(false)
      }),
    )
  }

  window.demoConsent = {
    wrap: window.SegmentConsentTools.createWrapper({
      getCategories: categories,
      registerOnConsentChanged: function (onChange) {
        notify = onChange
      },
    }),
  }
  if (document.body) render()
  else document.addEventListener('DOMContentLoaded', render)
})()

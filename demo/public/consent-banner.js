// The shop's cookie banner: Accept / Reject, and Change once chosen. It only keeps the visitor's
// choice (under demo_consent, as a consent platform keeps its own cookie) and tells listeners;
// how the choice reaches analytics is the consent platform's business (consent-onetrust.js, the
// usual setup, or consent-custom.js, a hand-wired banner).
;(function () {
  var KEY = 'demo_consent'
  var listeners = []

  function choice() {
    try {
      return window.localStorage.getItem(KEY)
    } catch (e) {
      return null
    }
  }
  function choose(accepted) {
    window.localStorage.setItem(KEY, accepted ? 'accepted' : 'rejected')
    render()
    listeners.forEach(function (listener) {
      listener(accepted)
    })
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
    banner.appendChild(button('consent-accept', 'Accept', choose.bind(null, true)))
    banner.appendChild(button('consent-reject', 'Reject', choose.bind(null, false)))
  }

  window.demoBanner = {
    /** 'accepted', 'rejected', or null before the visitor answers. */
    choice: choice,
    /** Calls `listener(accepted)` on every answer. */
    onChoice: function (listener) {
      listeners.push(listener)
    },
  }
  if (document.body) render()
  else document.addEventListener('DOMContentLoaded', render)
})()

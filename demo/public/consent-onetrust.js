// The usual setup: a consent platform shaped like OneTrust, wrapped as Segment's OneTrust wrapper
// (@segment/analytics-consent-wrapper-onetrust) does it with Segment's consent tools.
//
// The platform: window.OneTrust (GetDomainData with its groups and consent model,
// IsAlertBoxClosed, OnConsentChanged) and window.OnetrustActiveGroups (',C0001,'). In an opt-in
// region only the strictly necessary group C0001 is active until the visitor accepts.
//
// The wrapper reports EVERY group with its current state on every event, before the choice too
// ({C0001: true, C0002: false, C0004: false}), and sends 'Segment Consent Preference Updated' on
// OnConsentChanged. Its consent model: opt-out loads analytics at once; opt-in waits until a
// group is active and the banner is closed, then removes the destinations not consented to from
// the CDN settings before anything loads.
;(function () {
  var GROUPS = ['C0001', 'C0002', 'C0004']
  var model = window.DEMO.consent.model
  var changed = []
  var activeGroups = function (accepted) {
    return accepted ? ',' + GROUPS.join(',') + ',' : ',C0001,'
  }

  window.OnetrustActiveGroups = activeGroups(window.demoBanner.choice() === 'accepted')
  window.OneTrust = {
    GetDomainData: function () {
      return {
        ShowAlertNotice: true,
        Groups: GROUPS.map(function (id) {
          return { CustomGroupId: id }
        }),
        ConsentModel: { Name: model },
      }
    },
    IsAlertBoxClosed: function () {
      return window.demoBanner.choice() !== null
    },
    OnConsentChanged: function (callback) {
      changed.push(callback)
    },
  }
  window.demoBanner.onChoice(function (accepted) {
    window.OnetrustActiveGroups = activeGroups(accepted)
    var detail = window.OnetrustActiveGroups.split(',').filter(Boolean)
    changed.forEach(function (callback) {
      callback(new CustomEvent('consent.onetrust', { detail: detail }))
    })
  })

  // What the wrapper reads: every group, true when active.
  function categories(active) {
    var ids = active || window.OnetrustActiveGroups.split(',').filter(Boolean)
    var result = {}
    GROUPS.forEach(function (id) {
      result[id] = ids.indexOf(id) >= 0
    })
    return result
  }
  function when(condition) {
    return new Promise(function (resolve) {
      ;(function poll() {
        if (condition()) resolve()
        else setTimeout(poll, 100)
      })()
    })
  }
  window.demoConsent = {
    wrap: window.SegmentConsentTools.createWrapper({
      shouldLoadWrapper: function () {
        return when(function () {
          return !!window.OneTrust
        })
      },
      shouldLoadSegment: function (ctx) {
        if (model === 'opt-out') return ctx.load({ consentModel: 'opt-out' })
        return when(function () {
          return window.OnetrustActiveGroups.length > 1 && window.OneTrust.IsAlertBoxClosed()
        }).then(function () {
          ctx.load({ consentModel: 'opt-in' })
        })
      },
      getCategories: function () {
        return categories()
      },
      registerOnConsentChanged: function (setCategories) {
        window.OneTrust.OnConsentChanged(function (event) {
          setCategories(categories(event.detail))
        })
      },
    }),
  }
})()

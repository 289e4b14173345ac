// Live view of the fake Impact's log: every request it received, valid or not, and why.
;(function () {
  var rows = document.getElementById('impact-rows')
  var base = window.DEMO.panelUrl
  var KEYS = {
    PageLoad: ['PageUrl', 'ReferringUrl', 'CustomerId'],
    Conversions: ['OrderId', 'EventTypeId', 'EventTypeCode', 'OrderPromoCode'],
    // Reversals (DELETE) and item changes (PUT) the shop's server sent for refunds and cancellations.
    Actions: ['OrderId', 'DispositionCode', 'Reason', 'Sku', 'ItemSubTotalDelta', 'Sku2', 'ItemSubTotalDelta2'],
  }

  function cell(text, cls) {
    var td = document.createElement('td')
    td.textContent = text === null || text === undefined ? '' : String(text)
    if (cls) td.className = cls
    return td
  }
  function render(entries) {
    rows.textContent = ''
    if (!entries.length) rows.appendChild(document.createElement('tr')).appendChild(cell('nothing yet')).colSpan = 7
    entries
      .slice()
      .reverse()
      .forEach(function (e) {
        var tr = document.createElement('tr')
        tr.className = e.valid ? 'valid' : 'invalid'
        tr.dataset.endpoint = e.endpoint
        var details = (KEYS[e.endpoint] || [])
          .filter(function (k) {
            return e.fields[k]
          })
          .map(function (k) {
            return k + '=' + e.fields[k]
          })
        // Impact counts a PageLoad whose URL carries the click id as a click: the plugin sends one per unique click.
        if (e.endpoint === 'PageLoad' && /[?&](irclickid|im_ref)=/.test(e.fields.PageUrl || ''))
          details.unshift('★ unique click')
        // First-party mode: the relay adds the visitor's address as it observed it.
        if (e.fields.IpAddress) details.unshift('relay saw IP ' + e.fields.IpAddress)
        // What the visitor's consent choice sent: true, false (Consent Mode), or no field (no consent gating).
        if (e.endpoint !== 'Actions') details.push('TrackingConsent=' + (e.fields.TrackingConsent || '(none)'))
        if (e.fields.CustomerEmail) details.push('CustomerEmail=' + e.fields.CustomerEmail.slice(0, 10) + '… (SHA-1)')
        e.errors.forEach(function (err) {
          details.push('✗ ' + err.field + ': ' + err.message)
        })
        ;[
          e.id,
          e.at.slice(11, 19),
          e.endpoint === 'Actions' ? 'Actions ' + e.method : e.endpoint,
          e.status,
          e.valid ? '✓ valid' : '✗ invalid',
          e.fields.ClickId || '',
          details.join('  ·  '),
        ].forEach(function (v, i) {
          tr.appendChild(cell(v, i === 4 ? 'verdict' : ''))
        })
        rows.appendChild(tr)
      })
  }
  function poll() {
    fetch(base + '/__log', { cache: 'no-store' })
      .then(function (r) {
        return r.json()
      })
      .then(function (body) {
        render(body.entries)
      })
      .catch(function () {})
  }
  document.getElementById('panel-reset').addEventListener('click', function () {
    void fetch(base + '/__reset', { method: 'POST' }).then(poll)
  })
  poll()
  setInterval(poll, 1000)
})()

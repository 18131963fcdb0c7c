// The login link's confirmation page: a browser goes straight on (a link preview, which runs no script, does not).
(function () {
  'use strict'
  var form = document.querySelector('form[data-login-confirm]')
  if (form) form.submit()
})();

// 接诉工作台: actions go to the JSON API with the session cookie and the console header (the API's
// policies decide); success reloads the page, an error shows its Chinese message.
(function () {
  'use strict'
  var HEADER = { 'x-jiesu-console': '1' }
  var toast = function (text) {
    var t = document.getElementById('toast')
    if (!t) return
    t.textContent = text
    t.className = 'show'
    clearTimeout(t._timer)
    t._timer = setTimeout(function () { t.className = '' }, 4000)
  }
  var send = function (method, url, body, contentType) {
    var headers = Object.assign({}, HEADER)
    if (contentType) headers['content-type'] = contentType
    return fetch(url, { method: method, headers: headers, body: body, credentials: 'same-origin' }).then(function (res) {
      return res.text().then(function (text) {
        var data = null
        try { data = text ? JSON.parse(text) : null } catch (e) { data = null }
        if (!res.ok) {
          var err = new Error((data && data.error && data.error.message) || ('操作失败（' + res.status + '）'))
          err.data = data
          if (res.status === 401) err.message = '登录已过期，请在微信里给社区小助手发送「后台」重新登录'
          throw err
        }
        return data
      })
    })
  }
  var uploadPhotos = function (input) {
    if (!input || !input.files || !input.files.length) return Promise.resolve([])
    var form = new FormData()
    for (var i = 0; i < input.files.length; i++) form.append('photo', input.files[i])
    return send('POST', '/api/photos', form).then(function (r) { return r.items.map(function (p) { return p.id }) })
  }
  document.addEventListener('submit', function (ev) {
    var form = ev.target
    var url = form.getAttribute('data-api')
    if (!url) return
    ev.preventDefault()
    var confirmText = form.getAttribute('data-confirm')
    if (confirmText && !window.confirm(confirmText)) return
    var buttons = form.querySelectorAll('button')
    buttons.forEach(function (b) { b.disabled = true })
    var problems = form.querySelector('[data-problems]')
    if (problems) problems.innerHTML = ''
    var method = form.getAttribute('data-method') || 'POST'
    var promise
    if (form.hasAttribute('data-yaml')) {
      promise = send(method, url, form.querySelector('textarea').value, 'text/yaml')
    } else {
      var body = {}
      // "null" chooses none (e.g. a building back to the community); empty fields are left out; a number input
      // sends a number; a field marked data-path fills its {placeholder} in the URL instead of the body.
      new FormData(form).forEach(function (v, k) {
        if (typeof v !== 'string' || v === '') return
        var el = form.elements.namedItem(k)
        if (el && el.hasAttribute && el.hasAttribute('data-path')) { url = url.replace('{' + k + '}', encodeURIComponent(v)); return }
        body[k] = v === 'null' ? null : el && el.type === 'number' ? Number(v) : v
      })
      promise = uploadPhotos(form.querySelector('input[type=file]')).then(function (ids) {
        if (ids.length) body.photos = ids
        return send(method, url, JSON.stringify(body), 'application/json')
      })
    }
    promise.then(function (data) {
      // A one-time 认证 code is shown where it was asked for, once: a reload would lose it.
      if (form.hasAttribute('data-show-code') && data && data.code) {
        var shown = form.nextElementSibling
        // the expiry on the community's clock, whatever the browser's clock or zone
        var part = {}
        new Intl.DateTimeFormat('en-US', { timeZone: form.getAttribute('data-tz') || 'Asia/Shanghai', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
          .formatToParts(new Date(data.expiresAt)).forEach(function (p) { part[p.type] = p.value })
        var until = part.month + '月' + part.day + '日 ' + part.hour + ':' + part.minute
        shown.textContent = '认证码 ' + data.code + '：请当面交给' + data.name + '，由其私聊社区小助手发送「认证 ' + data.code + '」。' + until + ' 前有效，只能用一次；离开本页后不再显示。'
        shown.setAttribute('data-code', data.code)
        shown.hidden = false
        buttons.forEach(function (b) { b.disabled = false })
        toast('已发放认证码')
        return data
      }
      toast(form.getAttribute('data-done') || '已完成')
      var next = form.getAttribute('data-redirect')
      setTimeout(function () { if (next) location.href = next; else location.reload() }, 600)
      return data
    }).catch(function (err) {
      var list = err.data && err.data.error && err.data.error.details && err.data.error.details.problems
      toast(problems && list && list.length ? '有 ' + list.length + ' 处问题，见下方' : err.message)
      if (problems && list && list.length) {
        list.forEach(function (p) {
          var li = document.createElement('li')
          // "community.yaml:12:3: grids[0].leader: …" reads as "第 12 行：grids[0].leader: …"
          var m = /^[^:]*:(\d+):\d+: ([\s\S]*)$/.exec(String(p))
          li.textContent = m ? '第 ' + m[1] + ' 行：' + m[2] : String(p)
          problems.appendChild(li)
        })
      } else if (problems) {
        var li = document.createElement('li')
        li.textContent = err.message
        problems.appendChild(li)
      }
      buttons.forEach(function (b) { b.disabled = false })
    })
  })
  document.addEventListener('click', function (ev) {
    var el = ev.target.closest && ev.target.closest('[data-logout]')
    if (!el) return
    send('POST', '/console/logout', null).then(function () { location.href = '/console/login' }, function (e) { toast(e.message) })
  })
})()

// Live meeting views: ticking timers (for guidance only), and two guards around htmx's refresh of
// #live. Everything else is htmx and plain forms.
(function () {
  'use strict';
  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }
  function tick() {
    var now = Date.now();
    var timers = document.querySelectorAll('.timer[data-since]');
    for (var i = 0; i < timers.length; i++) {
      var since = Date.parse(timers[i].getAttribute('data-since'));
      if (isNaN(since)) continue;
      var s = Math.max(0, Math.floor((now - since) / 1000));
      var text = Math.floor(s / 60) + ':' + pad(s % 60);
      if (timers[i].textContent !== text) timers[i].textContent = text;
    }
  }
  setInterval(tick, 1000);
  document.addEventListener('DOMContentLoaded', tick);

  // What someone is typing survives a refresh caused by somebody else (a signal), but not their
  // own submission (a POST, whose answer is the new state).
  var drafts = null;
  function isLive(detail) {
    return detail && detail.target && detail.target.id === 'live';
  }
  document.addEventListener('htmx:beforeSwap', function (event) {
    var detail = event.detail;
    if (!isLive(detail) || !detail.shouldSwap) return;
    var current = document.getElementById('live');
    var text = detail.serverResponse || '';
    // A refresh that started before a later change must not put an older state back on screen.
    var seq = /data-seq="(\d+)"/.exec(text);
    var proposal = /data-proposal="([^"]*)"/.exec(text);
    if (current && seq && proposal && proposal[1] === current.getAttribute('data-proposal') && Number(seq[1]) < Number(current.getAttribute('data-seq'))) {
      detail.shouldSwap = false;
      return;
    }
    drafts = null;
    if (detail.requestConfig && detail.requestConfig.verb === 'get' && current) {
      var fields = current.querySelectorAll('textarea[id], input[id]:not([type="hidden"]):not([type="radio"]):not([type="checkbox"])');
      for (var i = 0; i < fields.length; i++) {
        if (fields[i].value !== fields[i].defaultValue) (drafts = drafts || {})[fields[i].id] = fields[i].value;
      }
    }
  });
  document.addEventListener('htmx:afterSwap', function (event) {
    if (!isLive(event.detail) || !drafts) return;
    for (var id in drafts) {
      var field = document.getElementById(id);
      if (!field || field.value !== field.defaultValue) continue;
      field.value = drafts[id];
      if (field === document.activeElement && field.setSelectionRange) field.setSelectionRange(field.value.length, field.value.length);
    }
    drafts = null;
  });

  // A refused request that htmx does not swap (an error page) still says why, never a blank screen.
  document.addEventListener('htmx:responseError', function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (!xhr) return;
    var doc = new DOMParser().parseFromString(xhr.responseText || '', 'text/html');
    var found = doc.querySelector('.error-page h1');
    var detail = doc.querySelector('.error-page h1 + p');
    var text = [found && found.textContent, detail && detail.textContent].filter(Boolean).join(' — ');
    if (!text) return;
    var box = document.getElementById('request-error');
    if (!box) {
      box = document.createElement('div');
      box.id = 'request-error';
      box.className = 'alert alert-error';
      box.setAttribute('role', 'alert');
      var live = document.getElementById('live');
      (live ? live.parentNode : document.body).insertBefore(box, live || document.body.firstChild);
    }
    box.textContent = text;
  });
})();

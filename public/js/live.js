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
  // #live itself, or a person's own part fetched again (#mine-refresh, or an empty slot that fetches itself)
  function isLive(detail) {
    var id = detail && detail.target && detail.target.id;
    return id === 'live' || id === 'mine-refresh' || /^mine-/.test(id || '');
  }
  /** Whether this HTML is an older state of the proposal on screen than the one shown. */
  function isOlder(text) {
    var current = document.getElementById('live');
    var seq = /data-seq="(\d+)"/.exec(text);
    var proposal = /data-proposal="([^"]*)"/.exec(text);
    return !!(current && seq && proposal && proposal[1] === current.getAttribute('data-proposal') && Number(seq[1]) < Number(current.getAttribute('data-seq')));
  }
  // The person's place in the round is marked on their page (the region pushed to everyone cannot know it).
  function markMe() {
    var shell = document.querySelector('.live-shell[data-me]');
    var me = shell && shell.getAttribute('data-me');
    if (!me) return;
    var mine = document.querySelectorAll('#live [data-person="' + me + '"]:not([data-me])');
    for (var i = 0; i < mine.length; i++) mine[i].setAttribute('data-me', '');
  }
  // The new #live pushed on the stream (everyone's part; this person's slots stay in place): never an older one.
  // A browser without Element.moveBefore loses the focus of a field moved back into place: it is given back.
  var typing = null;
  document.addEventListener('htmx:sseBeforeMessage', function (event) {
    var message = event.detail;
    if (!message || message.type !== 'live') return;
    if (isOlder(message.data || '')) return event.preventDefault();
    var active = document.activeElement;
    typing = active && active.closest && active.closest('.mine') ? { field: active, start: active.selectionStart, end: active.selectionEnd } : null;
  });
  document.addEventListener('htmx:sseMessage', function (event) {
    if (!event.detail || event.detail.type !== 'live') return;
    markMe();
    if (typing && document.activeElement !== typing.field && document.body.contains(typing.field)) {
      typing.field.focus({ preventScroll: true });
      if (typing.start !== null && typing.field.setSelectionRange) typing.field.setSelectionRange(typing.start, typing.end);
    }
    typing = null;
  });
  document.addEventListener('htmx:beforeSwap', function (event) {
    var detail = event.detail;
    if (!isLive(detail) || !detail.shouldSwap) return;
    var current = document.getElementById('live');
    // A refresh that started before a later change must not put an older state back on screen.
    if (isOlder(detail.serverResponse || '')) {
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

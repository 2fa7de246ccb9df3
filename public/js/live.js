// Live meeting views: ticking timers (for guidance only). Everything else is htmx and plain forms.
(function () {
  'use strict';
  function pad(n) { return n < 10 ? '0' + n : String(n); }
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
})();

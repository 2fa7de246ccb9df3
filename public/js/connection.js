// The live stream of a meeting or a training séance: when it drops (the app restarts, the
// database is unreachable, the network cuts), say so at once and keep trying; when it comes back,
// hide the notice and have every live region look again, so nothing said meanwhile is missed.
(function () {
  'use strict';
  var lost = false;
  function notice(show) {
    var box = document.getElementById('connection-lost');
    if (!box) {
      if (!show) return;
      box = document.createElement('div');
      box.id = 'connection-lost';
      box.className = 'connection-lost';
      box.setAttribute('role', 'status');
      box.textContent = document.body.getAttribute('data-connection-lost') || 'Connexion perdue, reprise…';
      document.body.insertBefore(box, document.body.firstChild);
    }
    box.hidden = !show;
  }
  document.addEventListener('htmx:sseError', function () {
    lost = true;
    notice(true);
  });
  document.addEventListener('htmx:sseOpen', function () {
    if (!lost) return;
    lost = false;
    notice(false);
    var regions = document.querySelectorAll('[hx-trigger="sse:changed"]');
    for (var i = 0; i < regions.length; i++) window.htmx.trigger(regions[i], 'sse:changed');
  });
})();

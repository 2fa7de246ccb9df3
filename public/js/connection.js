// The live stream of a meeting or a training séance: when it drops (the app restarts, the
// database is unreachable, the network cuts), say so at once and keep trying; when it comes back,
// hide the notice and have every live region look again, so nothing said meanwhile is missed.
(function () {
  'use strict';
  var lost = false;
  function notice(show, text) {
    var box = document.getElementById('connection-lost');
    if (!box) {
      if (!show) return;
      box = document.createElement('div');
      box.id = 'connection-lost';
      box.className = 'connection-lost';
      box.setAttribute('role', 'status');
      document.body.insertBefore(box, document.body.firstChild);
    }
    if (show) box.textContent = text || document.body.getAttribute('data-connection-lost') || 'Connexion perdue, reprise…';
    box.hidden = !show;
  }
  // the session ended (signed out here or elsewhere, or idle): the stream said « fin » and closed
  // (sse-close), nothing more will come live until the page is loaded again
  document.addEventListener('htmx:sseClose', function (e) {
    if (!e.detail || e.detail.type !== 'message') return;
    notice(true, document.body.getAttribute('data-session-ended'));
  });
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

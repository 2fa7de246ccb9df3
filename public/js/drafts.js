// Drafts of what people type, kept in sessionStorage so that a reload (F5) in the middle of a turn
// loses nothing: saved as they type, restored when the page (or a part htmx swaps in) shows the same
// empty field again, and forgotten once the form is accepted. Without this script (or without
// sessionStorage) every page works the same, only without drafts.
(function () {
  'use strict';
  var PREFIX = 'so-draft|';
  var PENDING = 'so-draft-pending';
  var store;
  try {
    store = window.sessionStorage;
    store.setItem(PREFIX + 'probe', '1');
    store.removeItem(PREFIX + 'probe');
  } catch (e) {
    return;
  }

  /** A field's key: its form's address and its own id (one draft per form field, per tab). */
  function keyOf(field) {
    var form = field.form;
    if (!form || !field.id) return null;
    return PREFIX + (form.getAttribute('hx-post') || form.getAttribute('action') || location.pathname) + '|' + field.id;
  }
  function fieldsOf(root) {
    return root.querySelectorAll ? root.querySelectorAll('form textarea[id]') : [];
  }

  function restore(root) {
    var fields = fieldsOf(root);
    for (var i = 0; i < fields.length; i++) {
      var key = keyOf(fields[i]);
      var saved = key && store.getItem(key);
      if (saved && fields[i].value === fields[i].defaultValue && saved !== fields[i].value) {
        fields[i].value = saved;
        fields[i].setAttribute('data-draft-restored', '');
      }
    }
  }

  document.addEventListener('input', function (event) {
    var field = event.target;
    if (!field || field.tagName !== 'TEXTAREA') return;
    var key = keyOf(field);
    if (!key) return;
    if (field.value && field.value !== field.defaultValue) store.setItem(key, field.value);
    else store.removeItem(key);
  });

  // A form posted without htmx: its drafts are forgotten on the next page unless that page says it was refused.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form || form.getAttribute('hx-post')) return;
    var keys = [];
    var fields = fieldsOf(form);
    for (var i = 0; i < fields.length; i++) if (keyOf(fields[i])) keys.push(keyOf(fields[i]));
    if (keys.length) store.setItem(PENDING, JSON.stringify(keys));
  });

  // A form posted by htmx: its drafts are set aside while it is sent (so the answer swapped in does not get
  // them back), then forgotten if the answer is the new state, or kept if it says the action was refused.
  var inFlight = {};
  function postedForm(event) {
    var detail = event.detail || {};
    var form = detail.elt && detail.elt.tagName === 'FORM' ? detail.elt : null;
    if (!form || (detail.requestConfig && detail.requestConfig.verb === 'get')) return null;
    return form;
  }
  document.addEventListener('htmx:beforeRequest', function (event) {
    var form = postedForm(event);
    if (!form) return;
    var fields = fieldsOf(form);
    for (var i = 0; i < fields.length; i++) {
      var key = keyOf(fields[i]);
      var saved = key && store.getItem(key);
      if (saved) {
        inFlight[key] = saved;
        store.removeItem(key);
      }
    }
  });
  document.addEventListener('htmx:afterRequest', function (event) {
    var form = postedForm(event);
    var xhr = event.detail && event.detail.xhr;
    if (!form) return;
    var refused = !xhr || xhr.status >= 400 || (xhr.responseText || '').indexOf('id="action-error"') !== -1;
    for (var key in inFlight) if (refused) store.setItem(key, inFlight[key]);
    inFlight = {};
  });

  document.addEventListener('htmx:afterSwap', function (event) {
    if (event.detail && event.detail.target) restore(event.detail.target);
  });

  function start() {
    var pending = store.getItem(PENDING);
    if (pending) {
      store.removeItem(PENDING);
      var refused = document.querySelector('#action-error, .form-errors, .alert-error');
      if (!refused) {
        try {
          var keys = JSON.parse(pending);
          for (var i = 0; i < keys.length; i++) store.removeItem(keys[i]);
        } catch (e) {
          // a broken list: the drafts stay, the next accepted form clears them
        }
      }
    }
    restore(document);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();

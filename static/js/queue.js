// The tablet's offline queue. A tap on a form marked data-queue (check-in, undo, a logged set)
// that cannot reach the server is kept in localStorage and replayed, in order, when the
// connection is back. Every request carries an Idempotency-Key made once per tap, so a replay
// after a lost response is applied once; logged sets also carry their own tablet-made id.
(function () {
  "use strict";
  // In the body so a boosted navigation runs it: only the first run wires things up.
  if (window.FitFlow && window.FitFlow.queue) return;
  var STORE = "fitflow-queue-v1";
  var syncing = false;

  function uuid() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }
  window.FitFlow = window.FitFlow || {};
  window.FitFlow.uuid = uuid;
  window.FitFlow.queue = { pending: function () { return load().length; } };

  function load() {
    try { return JSON.parse(window.localStorage.getItem(STORE)) || []; } catch (e) { return []; }
  }
  function save(queue) {
    window.localStorage.setItem(STORE, JSON.stringify(queue));
    showStatus(queue.length);
  }
  function showStatus(count) {
    var el = document.querySelector("[data-sync-status]");
    if (!el) return;
    if (count) {
      el.textContent = el.dataset.pending.replace("{count}", String(count));
      el.hidden = false;
      el.classList.remove("is-synced");
    } else if (!el.hidden) {
      el.textContent = el.dataset.synced;
      el.classList.add("is-synced");
    }
  }
  function queueable(elt) { return elt && elt.hasAttribute && elt.hasAttribute("data-queue"); }

  function markQueued(item, key) {
    item.classList.add("is-queued");
    item.dataset.queueKey = key;
    item.querySelectorAll("form input, form button").forEach(function (el) { el.disabled = true; });
    var note = item.querySelector("[data-queue-note]");
    if (note) note.hidden = false;
  }

  // After a reload without network (the service worker served the page as last seen online),
  // show the taps still waiting, with the values they were made with.
  function showWaiting() {
    load().forEach(function (entry) {
      var item = entry.item && document.getElementById(entry.item);
      if (!item || item.classList.contains("is-queued")) return;
      var form = item.querySelector("form[data-queue]");
      if (form) {
        new URLSearchParams(entry.body).forEach(function (value, name) {
          var input = form.querySelector("input[name='" + name + "']:not([type=hidden])");
          if (input) input.value = value;
        });
      }
      markQueued(item, entry.key);
    });
  }

  function enqueue(form, target) {
    var key = form.dataset.queueKey || uuid();
    var item = form.closest("[data-queue-item]");
    var queue = load();
    queue.push({ url: form.getAttribute("hx-post"), key: key, target: target && target.id,
                 item: item && item.id, body: new URLSearchParams(new FormData(form)).toString() });
    save(queue);
    if (item) markQueued(item, key);
    form.dispatchEvent(new CustomEvent("fitflow:queued", { bubbles: true }));
  }

  // One key per tap, sent with the first attempt too: if that attempt reached the server and
  // only the answer was lost, the replay is recognised.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!queueable(form)) return;
    form.dataset.queueKey = uuid();
    event.detail.headers["Idempotency-Key"] = form.dataset.queueKey;
  });
  // Offline, or with taps still waiting, a new tap joins the queue (order matters: check in,
  // then undo).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!queueable(form)) return;
    form._queueTarget = event.detail.target;
    if (!navigator.onLine || load().length) {
      event.preventDefault();
      enqueue(form, event.detail.target);
      sync();
    }
  });
  // The network failed mid-request.
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt;
    if (queueable(form)) enqueue(form, form._queueTarget);
  });
  // Taking back a tap that has not synced yet.
  document.addEventListener("click", function (event) {
    var cancel = event.target.closest && event.target.closest("[data-queue-cancel]");
    if (!cancel) return;
    var item = cancel.closest("[data-queue-item]");
    var key = item && item.dataset.queueKey;
    if (!key) return;
    save(load().filter(function (entry) { return entry.key !== key; }));
    item.classList.remove("is-queued");
    delete item.dataset.queueKey;
    item.querySelectorAll("input, button").forEach(function (el) { el.disabled = false; });
    var note = item.querySelector("[data-queue-note]");
    if (note) note.hidden = true;
  });

  function movedCoachUrl(response) {
    return new URL(response.url, window.location.href).pathname.indexOf("/coach/") === 0;
  }

  function sync() {
    if (syncing || !navigator.onLine) return;
    var queue = load();
    if (!queue.length) return;
    syncing = true;
    var entry = queue[0];
    window.fetch(entry.url, {
      method: "POST", body: entry.body, credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true",
                 "Idempotency-Key": entry.key }
    }).then(function (response) {
      // Signed out (redirected to the sign-in page) or the server is struggling: keep it. A
      // tap queued against a coach URL that has moved since follows its 308 (method and body
      // kept) and is answered by the coach page it now lives at.
      if (response.status >= 500 || (response.redirected && !movedCoachUrl(response))) {
        throw new Error("later");
      }
      return response.text().then(function (html) {
        save(load().filter(function (e) { return e.key !== entry.key; }));
        var target = entry.target && document.getElementById(entry.target);
        if (target) window.htmx.swap(target, html, { swapStyle: "outerHTML" });
      });
    }).then(function () {
      syncing = false;
      sync();
    }, function () {
      syncing = false;
    });
  }

  function ready() {
    showWaiting();
    showStatus(load().length);
    sync();
  }
  window.addEventListener("online", sync);
  document.addEventListener("htmx:afterSettle", function () { showStatus(load().length); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
  window.setInterval(sync, 3000);
})();

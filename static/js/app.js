// FitFlow's only script besides htmx: register the service worker, tell it the page language,
// let password fields show what was typed.
(function () {
  "use strict";
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (reg) {
        var worker = navigator.serviceWorker.controller || reg.active;
        var marker = document.querySelector("meta[name=fitflow-session]");
        if (worker) worker.postMessage({ lang: document.documentElement.lang,
                                         session: marker ? marker.content : undefined });
      }).catch(function () { /* offline support is a bonus, never a blocker */ });
    });
  }
  // An htmx answer that names another session (or nobody) tells the service worker to forget
  // the coach pages it kept for the one before.
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (!xhr || !worker || !xhr.status) return;
    var marker = xhr.status === 401 ? "anon" : xhr.getResponseHeader("X-FitFlow-Session");
    if (marker) worker.postMessage({ session: marker });
  });
  // Signing out forgets the coach pages the service worker kept for offline use.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-sign-out]") && navigator.serviceWorker &&
        navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ signedOut: true });
    }
  });
  // Password fields offer to show what was typed (the button stays hidden without script).
  function passwordButtons(root) {
    root.querySelectorAll("[data-show-password][hidden]").forEach(function (button) {
      button.setAttribute("data-show", button.textContent);
      button.hidden = false;
    });
  }
  passwordButtons(document);
  document.addEventListener("htmx:load", function (event) { passwordButtons(event.target); });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-show-password]");
    if (!button) return;
    var input = document.getElementById(button.getAttribute("aria-controls"));
    var shown = input.type === "password";
    input.type = shown ? "text" : "password";
    button.setAttribute("aria-pressed", shown ? "true" : "false");
    button.textContent = button.getAttribute(shown ? "data-hide" : "data-show");
  });
  // The console's navigation is a <details> that CSS keeps open from 900 px; a browser
  // without ::details-content opens it there instead.
  var menu = document.querySelector(".console-menu");
  if (menu && window.CSS && !CSS.supports("selector(::details-content)")) {
    var wide = window.matchMedia("(min-width: 900px)");
    var follow = function () { menu.open = wide.matches; };
    follow();
    wide.addEventListener("change", follow);
  }
  // After an htmx swap, move focus to the new panel's first control so keyboard and screen
  // reader users stay in place.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("booking-panel")) {
      var fresh = document.getElementById(target.id);
      var control = fresh && fresh.querySelector("button, a.button");
      if (control) control.focus({ preventScroll: true });
    }
  });
})();

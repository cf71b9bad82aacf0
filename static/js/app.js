// FitFlow's only script besides htmx: register the service worker, tell it the page language.
(function () {
  "use strict";
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (reg) {
        var worker = navigator.serviceWorker.controller || reg.active;
        if (worker) worker.postMessage({ lang: document.documentElement.lang });
      }).catch(function () { /* offline support is a bonus, never a blocker */ });
    });
  }
  // Signing out forgets the coach pages the service worker kept for offline use.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-sign-out]") && navigator.serviceWorker &&
        navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ signedOut: true });
    }
  });
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

// The profile's time zone: when the account has none, suggest the browser's own.
(function () {
  "use strict";
  function fill() {
    var input = document.querySelector("input[data-browser-zone]");
    if (!input || input.value) return;
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone) input.value = zone;
    } catch (e) { /* an old browser: the field stays empty and the studio's zone applies */ }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fill);
  else fill();
  document.addEventListener("htmx:afterSettle", fill);
})();

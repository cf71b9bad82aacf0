// Camera scanning for the coach's roster: where the browser has BarcodeDetector, a camera
// button reads a member's QR pass and submits it like a typed code. Elsewhere the typed code
// (or a USB/Bluetooth scanner that types and presses Enter) does the same job.
(function () {
  "use strict";
  if (window.FitFlow && window.FitFlow.scan) return;  // a boosted navigation ran it before
  window.FitFlow = window.FitFlow || {};
  window.FitFlow.scan = true;
  function setup(root) {
    var form = root.querySelector("form[data-scan]");
    if (!form || form.dataset.ready || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
    form.dataset.ready = "1";
    var button = form.querySelector("[data-camera]");
    var video = form.querySelector("[data-video]");
    var input = form.querySelector("input[name=code]");
    button.hidden = false;
    button.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        var stop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; };
        var tick = function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) { stop(); input.value = codes[0].rawValue; form.requestSubmit(); }
            else if (!video.hidden) { window.requestAnimationFrame(tick); }
          }).catch(stop);
        };
        tick();
      }).catch(function () { input.focus(); });
    });
  }
  // Keep the code field focused, so a USB/Bluetooth scanner (it types and presses Enter) works.
  function ready() {
    setup(document);
    var input = document.querySelector("form[data-scan] input[name=code]");
    if (input) input.focus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
  document.addEventListener("htmx:afterSettle", ready);
  // A scan queued while offline: clear the field for the next member.
  document.addEventListener("fitflow:queued", function (event) {
    var form = event.target.closest && event.target.closest("form[data-scan]");
    if (!form) return;
    var input = form.querySelector("input[name=code]");
    form.querySelectorAll("input, button").forEach(function (el) { el.disabled = false; });
    input.value = "";
    input.focus();
  });
})();

// The logging page: each set to log gets its id here (so a retry or a double tap is one set),
// steppers move weight and reps, "Add a set" copies the exercise's row template, and a rest
// timer starts when a set is logged (or queued while offline).
(function () {
  "use strict";
  if (window.FitFlow && window.FitFlow.logbook) return;  // a boosted navigation ran it before
  window.FitFlow = window.FitFlow || {};
  window.FitFlow.logbook = true;
  var timer = null;
  var endAt = 0;

  function fillIds(root) {
    root.querySelectorAll("[data-set-id]").forEach(function (input) {
      if (!input.value) input.value = window.FitFlow.uuid();
    });
  }

  function box() { return document.querySelector("[data-rest-timer]"); }

  function tick() {
    var el = box();
    var left = Math.max(0, Math.ceil((endAt - Date.now()) / 1000));
    el.querySelector("[data-rest-clock]").textContent =
      Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    if (!left) {
      window.clearInterval(timer);
      el.classList.add("is-over");
      var done = el.querySelector("[data-rest-done-text]");
      done.textContent = done.dataset.done;
      if (navigator.vibrate) navigator.vibrate(200);
    }
  }

  function startRest(seconds) {
    var el = box();
    if (!el || !(seconds > 0)) return;
    endAt = Date.now() + seconds * 1000;
    el.hidden = false;
    el.classList.remove("is-over");
    window.clearInterval(timer);
    tick();
    timer = window.setInterval(tick, 250);
  }

  function stopRest() {
    window.clearInterval(timer);
    var el = box();
    if (el) el.hidden = true;
  }

  function step(button) {
    var field = button.parentElement.querySelector("[data-step-field]");
    var value = parseFloat((field.value || "0").replace(",", ".")) || 0;
    value = Math.max(0, Math.round((value + parseFloat(button.dataset.step)) * 100) / 100);
    field.value = String(value);
  }

  function addSet(button) {
    var section = button.closest("section");
    var list = section.querySelector("[data-set-rows]");
    var template = section.querySelector("[data-set-template]");
    var n = list.children.length;
    var row = template.content.firstElementChild.cloneNode(true);
    row.id = row.id.replace(/-\d+$/, "-" + n);
    row.querySelector("[data-position]").value = n;
    row.querySelector("[data-set-no]").textContent = String(n + 1);
    var previous = list.lastElementChild && list.lastElementChild.querySelector("form");
    ["load", "reps"].forEach(function (name) {
      var from = previous && previous.querySelector("input[name=" + name + "]");
      if (from && from.value) row.querySelector("input[name=" + name + "]").value = from.value;
    });
    list.appendChild(row);
    window.htmx.process(row);
    fillIds(row);
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : null;
    if (!target) return;
    var stepper = target.closest("[data-step]");
    if (stepper) { step(stepper); return; }
    var add = target.closest("[data-add-set]");
    if (add) { addSet(add); return; }
    if (target.closest("[data-rest-skip]")) stopRest();
  });

  // htmx:load bubbles to the document for every element htmx adds (listening there needs no
  // htmx yet: this script may run before the deferred htmx has).
  document.addEventListener("htmx:load", function (event) {
    var element = event.detail.elt;
    fillIds(element);
    if (element.matches && element.matches("[data-rest-start]")) startRest(+element.dataset.rest);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { fillIds(document); });
  } else {
    fillIds(document);
  }

  document.addEventListener("fitflow:queued", function (event) {
    var item = event.target.closest("[data-rest]");
    if (item && item.querySelector("[data-set-id]")) startRest(+item.dataset.rest);
  });
})();

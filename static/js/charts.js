// Progress charts, on the training pages only. Draws every <canvas data-chart='{...}'> with
// Chart.js (static/vendor, loaded on first use from this tag's data-lib), and again after htmx
// swaps. In Arabic the time axis runs right to left, the value axis sits on the right, legend
// and tooltips read right to left; digits stay Latin as in the rest of the UI.
(function () {
  "use strict";
  if (window.fitflowCharts) { // a boosted navigation ran this tag again
    window.fitflowCharts.drawIn(document);
    return;
  }
  var libUrl = document.currentScript && document.currentScript.dataset.lib;
  // At least 4.5:1 against white; points differ in shape too, so colour is never the only cue.
  var COLORS = ["#0f766e", "#1d4ed8", "#b45309", "#be185d"];
  var POINTS = ["circle", "triangle", "rect", "rectRot"];
  var INK = "#334155", GRID = "#e2e8f0";
  var waiting = null;

  function withChart(draw) {
    if (window.Chart) return draw();
    if (!waiting) {
      waiting = [];
      var lib = document.createElement("script");
      lib.src = libUrl;
      lib.onload = function () { var w = waiting; waiting = null; w.forEach(function (f) { f(); }); };
      document.head.appendChild(lib);
    }
    waiting.push(draw);
  }

  function locale() { return (document.documentElement.lang || "en") + "-u-nu-latn"; }
  function isRtl() { return document.documentElement.dir === "rtl"; }
  function number(v) { return new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(v); }
  function day(n, long) {
    var opts = { day: "numeric", month: "short", timeZone: "UTC" };
    if (long) opts.year = "numeric";
    return new Intl.DateTimeFormat(locale(), opts).format(new Date(n * 864e5));
  }

  function datasets(spec) {
    return spec.datasets.map(function (d, i) {
      var color = COLORS[i % COLORS.length];
      return {
        label: d.label, borderColor: color, backgroundColor: color, borderWidth: 2,
        pointStyle: POINTS[i % POINTS.length], pointRadius: 3, pointHoverRadius: 6,
        data: spec.x === "day" ? d.points.map(function (p) { return { x: p[0], y: p[1] }; }) : d.values
      };
    });
  }

  // The time axis: from the first training day to today, four evenly spaced dates.
  function dayAxis(spec) {
    var lo = spec.xMin, hi = spec.xMax, pad = Math.max(1, (hi - lo) * 0.04);
    return {
      type: "linear", min: lo - pad, max: hi + pad,
      ticks: { color: INK, align: "inner", callback: function (v) { return day(v); } },
      afterBuildTicks: function (scale) {
        var seen = {};
        scale.ticks = [0, 1, 2, 3].map(function (i) { return Math.round(lo + (hi - lo) * i / 3); })
          .filter(function (v) { return !seen[v] && (seen[v] = true); })
          .map(function (v) { return { value: v }; });
      }
    };
  }

  function config(spec) {
    var rtl = isRtl(), dir = rtl ? "rtl" : "ltr", byDay = spec.x === "day";
    var value = function (v) { return spec.valueFormat.replace("%v", number(v)); };
    var x = byDay ? dayAxis(spec) : { type: "category", ticks: { color: INK, maxRotation: 0, autoSkipPadding: 12 } };
    x.reverse = rtl;
    x.stacked = !!spec.stacked;
    x.grid = { display: false };
    return {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets(spec) },
      options: {
        locale: locale(), responsive: true, maintainAspectRatio: false,
        animation: matchMedia("(prefers-reduced-motion: reduce)").matches ? false : { duration: 300 },
        interaction: { mode: byDay ? "nearest" : "index", intersect: false },
        scales: {
          x: x,
          y: {
            position: rtl ? "right" : "left", beginAtZero: !byDay, grace: byDay ? "10%" : 0,
            stacked: !!spec.stacked, grid: { color: GRID },
            ticks: { color: INK, maxTicksLimit: 5, precision: spec.integer ? 0 : undefined, callback: number }
          }
        },
        plugins: {
          legend: {
            display: spec.datasets.length > 1, rtl: rtl, textDirection: dir,
            labels: { color: INK, usePointStyle: byDay, boxWidth: 10, boxHeight: 10 }
          },
          tooltip: {
            rtl: rtl, textDirection: dir, usePointStyle: byDay,
            callbacks: {
              title: function (items) { return byDay ? day(items[0].parsed.x, true) : items[0].label; },
              label: function (item) { return item.dataset.label + ": " + value(item.parsed.y); }
            }
          }
        }
      }
    };
  }

  function drawIn(root) {
    var canvases = root.querySelectorAll ? root.querySelectorAll("canvas[data-chart]") : [];
    if (!canvases.length) return;
    withChart(function () {
      Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
      Chart.defaults.font.size = 13;
      canvases.forEach(function (canvas) {
        if (canvas.isConnected && !Chart.getChart(canvas)) {
          new Chart(canvas, config(JSON.parse(canvas.dataset.chart)));
        }
      });
    });
  }

  document.addEventListener("htmx:load", function (event) { drawIn(event.detail.elt); });
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    var chart = window.Chart && event.detail.elt.matches && event.detail.elt.matches("canvas[data-chart]")
      && Chart.getChart(event.detail.elt);
    if (chart) chart.destroy();
  });
  window.fitflowCharts = { drawIn: drawIn };
  drawIn(document);
})();

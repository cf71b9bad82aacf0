// The reports page: draws each canvas[data-chart] with Chart.js (loaded on this page only),
// mirrored when the page reads right to left. Runs again after htmx swaps a page in.
(function () {
  "use strict";
  function draw() {
    if (!window.Chart) {
      var tag = document.getElementById("chartjs");
      if (tag) tag.addEventListener("load", draw, { once: true });
      return;
    }
    var rtl = document.documentElement.dir === "rtl";
    var lang = document.documentElement.lang || "en";
    // Only canvases not drawn yet: this script may run again when htmx swaps a page in.
    document.querySelectorAll("canvas[data-chart]:not([data-drawn])").forEach(function (canvas) {
      if (window.Chart.getChart(canvas)) return;
      var spec = JSON.parse(canvas.dataset.chart);
      var colours = ["#0f766e", "#b45309", "#7c3aed", "#be123c"];
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: spec.labels,
          datasets: spec.datasets.map(function (d, i) {
            return { label: d.label, data: d.data, backgroundColor: colours[i % colours.length] };
          })
        },
        options: {
          locale: lang,
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          scales: {
            x: { reverse: rtl },
            y: { position: rtl ? "right" : "left", beginAtZero: true,
                 max: spec.percent ? 100 : undefined,
                 ticks: spec.percent ? { callback: function (v) { return v + "%"; } } : {} }
          },
          plugins: {
            legend: { rtl: rtl, textDirection: rtl ? "rtl" : "ltr" },
            tooltip: { rtl: rtl, textDirection: rtl ? "rtl" : "ltr" }
          }
        }
      });
      canvas.dataset.drawn = "1";
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
  document.addEventListener("htmx:afterSettle", function () {
    if (document.querySelector("canvas[data-chart]:not([data-drawn])")) draw();
  });
})();

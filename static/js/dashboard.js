/* Compliance dashboard charts. Data comes from json_script blocks (not executable, so the CSP
   allows it); every chart has a table of the same numbers next to it. Colours are Okabe–Ito and
   each series also has a fill pattern, so colour is never the only way to tell them apart. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }

  function pattern(kind, colour) {
    if (kind === "none") { return colour; }
    var size = 8;
    var canvas = document.createElement("canvas");
    canvas.width = size; canvas.height = size;
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = colour;
    ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = "rgba(255,255,255,0.85)";
    ctx.fillStyle = "rgba(255,255,255,0.85)";
    ctx.lineWidth = 2;
    ctx.beginPath();
    if (kind === "diagonal" || kind === "cross") { ctx.moveTo(0, size); ctx.lineTo(size, 0); }
    if (kind === "cross") { ctx.moveTo(0, 0); ctx.lineTo(size, size); }
    if (kind === "horizontal") { ctx.moveTo(0, size / 2); ctx.lineTo(size, size / 2); }
    ctx.stroke();
    if (kind === "dots") { ctx.beginPath(); ctx.arc(size / 2, size / 2, 1.5, 0, 2 * Math.PI); ctx.fill(); }
    return ctx.createPattern(canvas, "repeat");
  }

  // A series' colour and pattern are CSS custom properties keyed by its `key` (dashboard.css).
  var style = getComputedStyle(document.documentElement);
  function css(name, fallback) { return style.getPropertyValue(name).trim() || fallback; }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.source);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var horizontal = canvas.dataset.stacked === "y";
    var chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (d) {
          return {
            label: d.label, data: d.data, urls: d.urls,
            backgroundColor: pattern(css("--chart-" + d.key + "-pattern", "none"), css("--chart-" + d.key, "#999")),
            borderColor: "#222", borderWidth: 1
          };
        })
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true, ticks: { precision: 0 } },
          y: { stacked: true, ticks: { precision: 0 } }
        },
        plugins: { legend: { position: "bottom" } },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
        onClick: function (event, elements) {
          if (!elements.length) { return; }
          var el = elements[0];
          var url = chart.data.datasets[el.datasetIndex].urls[el.index];
          if (url) { window.location.assign(url); }
        }
      }
    });
  });
})();

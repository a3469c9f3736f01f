// Renders every <div data-chart="ID"> from the JSON in <script id="ID"> (written by json_script).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || typeof Plotly === "undefined") { return; }
    var fig = JSON.parse(source.textContent);
    Plotly.newPlot(el, fig.data, fig.layout, {responsive: true, displaylogo: false});
  });
});

// Renders every <div data-chart="ID"> from the JSON in <script id="ID"> (written by json_script).
// The JSON is a figure ({data, layout}) or {figure: {data, layout}, clickable}; on a clickable chart
// a click on a point opens the URL in its customdata (e.g. the deals counted in a funnel stage).
// A page that loads a plotly locale marks it with <span data-plotly-locale="zh-CN">.
document.addEventListener("DOMContentLoaded", function () {
  var marker = document.querySelector("[data-plotly-locale]");
  // No "Share chart..." button: it uploads the figure to Plotly's cloud (and has no Chinese text).
  var config = {responsive: true, displaylogo: false, modeBarButtonsToRemove: ["sendChartToCloud"]};
  if (marker) { config.locale = marker.dataset.plotlyLocale; }
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || typeof Plotly === "undefined") { return; }
    var fig = JSON.parse(source.textContent);
    if (fig.figure) { fig = fig.figure; }
    Plotly.newPlot(el, fig.data, fig.layout, config).then(function () {
      el.dataset.rendered = "1";
    });
    if (el.dataset.clickable) {
      el.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        if (point && point.customdata) { window.location.href = point.customdata; }
      });
    }
  });
});

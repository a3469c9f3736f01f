// Dashboards: each chart's table (its screen-reader view, always in the page) can be shown on screen.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-toggle-table]").forEach(function (button) {
    var labels = {show: button.textContent, hide: button.dataset.hideLabel || button.textContent};
    button.addEventListener("click", function () {
      var table = document.getElementById(button.getAttribute("aria-controls"));
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      table.classList.toggle("table-shown", open);
      button.textContent = open ? labels.hide : labels.show;
    });
  });
  var period = document.querySelector("[data-filter] select[name=period]");
  function toggleDates() {
    var custom = period && period.value === "custom";
    document.querySelectorAll("[data-field=start], [data-field=end]").forEach(function (el) {
      el.hidden = !custom;
    });
  }
  if (period) { period.addEventListener("change", toggleDates); toggleDates(); }
});

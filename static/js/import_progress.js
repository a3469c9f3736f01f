// Import job page: poll the job's small JSON status and move the progress bar; reload the page
// once the job has finished (to show its summary). Without this script a <noscript> refresh does it.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-poll]");
  if (!box || box.hasAttribute("data-finished")) { return; }
  var url = box.getAttribute("data-job-poll");
  var bar = box.querySelector("progress");
  var note = box.querySelector("[data-job-progress]");
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { window.setTimeout(poll, 3000); return; }
        if (bar) { bar.value = job.percent; }
        if (note) { note.textContent = job.processed + " / " + job.total; }
        if (job.finished) { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();

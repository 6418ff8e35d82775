// Poll a poster batch's progress (the job may run after the page was sent) and show it without reloading.
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("batch");
    if (!box || box.getAttribute("data-running") !== "yes") { return; }
    var url = box.getAttribute("data-progress-url");
    function show(state) {
      document.getElementById("batch-progress").value = state.done;
      document.getElementById("batch-done").textContent = state.done;
      document.getElementById("batch-status").textContent = state.status_label;
      if (state.status === "done" || state.status === "failed") {
        window.location.reload();  // the finished page: file size, download until when, the download link
        return;
      }
      window.setTimeout(poll, 1500);
    }
    function poll() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(show, function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 500);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

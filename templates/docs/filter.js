// Filters the service table as you type; `#filter=TEXT` in the URL prefills it,
// so a link can point at a filtered view (and a headless test can drive it).
(function () {
  "use strict";
  var input = document.getElementById("service-filter");
  var status = document.getElementById("filter-status");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#services tbody tr"));

  function apply() {
    var query = input.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var hit = query === "" || row.textContent.toLowerCase().indexOf(query) !== -1;
      row.hidden = !hit;
      if (hit) { shown += 1; }
    });
    status.textContent = shown + " of " + rows.length + " services";
  }

  function fromHash() {
    var match = /^#filter=(.*)$/.exec(window.location.hash);
    if (!match) { return; }
    try {
      input.value = decodeURIComponent(match[1]);
    } catch (e) {
      input.value = match[1];  // a malformed escape: filter by the text as written
    }
  }

  input.addEventListener("input", apply);
  window.addEventListener("hashchange", function () { fromHash(); apply(); });
  fromHash();
  apply();
  // How many diagrams the browser laid out with a size: lets a check (or a
  // person in the console) see that the inline SVGs actually render.
  var drawn = Array.prototype.filter.call(
    document.querySelectorAll("figure.diagram svg"),
    function (svg) { var box = svg.getBoundingClientRect(); return box.width > 0 && box.height > 0; });
  document.documentElement.setAttribute("data-diagrams-drawn", String(drawn.length));
  document.documentElement.setAttribute("data-ready", "true");
}());

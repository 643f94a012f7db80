// Diagram viewer: every drawing fits the page width at first; "Zoom" shows it at its
// own size (scroll to pan) and "Full window" gives it the whole window (Esc closes).
(function () {
  "use strict";
  function figureOf(button) { return button.closest("figure.diagram"); }

  function toggle(figure, name, button, on, off) {
    var active = figure.classList.toggle(name);
    button.textContent = active ? on : off;
    button.setAttribute("aria-pressed", String(active));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) { return; }
    var figure = figureOf(button);
    if (button.getAttribute("data-action") === "zoom") {
      toggle(figure, "actual-size", button, "Fit to width", "Zoom to full size");
    } else if (button.getAttribute("data-action") === "window") {
      toggle(figure, "full-window", button, "Close full window", "Full window");
    }
  });
  // Large drawings wait in a <template> until they come near the screen.
  function draw(canvas) {
    var template = canvas.querySelector("template");
    if (!template) { return; }
    canvas.replaceChildren(template.content.cloneNode(true));
    canvas.removeAttribute("data-lazy");
  }
  var lazy = document.querySelectorAll(".canvas[data-lazy]");
  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { observer.unobserve(entry.target); draw(entry.target); }
      });
    }, { rootMargin: "600px" });
    Array.prototype.forEach.call(lazy, function (canvas) { observer.observe(canvas); });
  } else {
    Array.prototype.forEach.call(lazy, draw);
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    Array.prototype.forEach.call(document.querySelectorAll("figure.full-window"), function (f) {
      f.querySelector("button[data-action=window]").click();
    });
  });
}());

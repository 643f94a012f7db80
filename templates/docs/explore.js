// Explore the drawings: pan (drag) and zoom (buttons, ctrl + wheel or pinch); hover or
// click a service to highlight its callers, callees, store and topics in every drawing
// and dim the rest; search services, endpoints and events; `#service=NAME`,
// `#event=NAME` and `#context=SLUG` links open a focus; a bounded context node opens
// the view of its services. Graphviz writes each node's id into its <title>: the
// model (JSON in the page) relates those ids.
(function () {
  "use strict";
  var source = document.getElementById("explore-model");
  if (!source) { return; }
  var model = JSON.parse(source.textContent);
  var panel = document.getElementById("explore-focus");
  var search = document.getElementById("explore-search");
  var results = document.getElementById("explore-results");
  var drill = document.getElementById("explore-context");
  var byId = {};
  Object.keys(model.services).forEach(function (name) { byId[model.services[name].id] = name; });

  function titleOf(g) { var t = g.querySelector("title"); return t ? t.textContent : ""; }
  function svgs() { return document.querySelectorAll("figure.diagram svg, #explore-context svg"); }
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  // ------------------------------------------------------------------ highlight
  function clear() {
    each(document.querySelectorAll(".x-dim, .x-hl, .x-focus"), function (el) {
      el.classList.remove("x-dim", "x-hl", "x-focus");
    });
  }

  function mark(focus, ids) {
    clear();
    each(svgs(), function (svg) {
      var nodes = svg.querySelectorAll("g.node");
      var present = false;
      each(nodes, function (g) { if (focus[titleOf(g)]) { present = true; } });
      if (!present) { return; }  // this drawing does not show the focus: leave it as it is
      each(nodes, function (g) {
        var id = titleOf(g);
        g.classList.add(focus[id] ? "x-focus" : ids[id] ? "x-hl" : "x-dim");
      });
      each(svg.querySelectorAll("g.edge"), function (g) {
        var ends = titleOf(g).split("->");
        var a = ends[0], b = ends[1];
        var on = (focus[a] && (ids[b] || focus[b])) || (focus[b] && (ids[a] || focus[a]));
        g.classList.add(on ? "x-hl" : "x-dim");
      });
    });
  }

  function serviceIds(name) {
    var svc = model.services[name];
    var focus = {}, ids = {};
    focus[svc.id] = true;
    focus[svc.ctx] = true;  // the context node of the collapsed system view
    svc.calls.concat(svc.callers).forEach(function (c) {
      ids[c[1]] = true;
      if (model.services[c[0]]) { ids[model.services[c[0]].ctx] = true; }
    });
    if (svc.store) { ids[svc.store[0]] = true; }
    svc.topics.forEach(function (t) { ids[t] = true; });
    if (svc.routed) { ids.gateway = true; }
    return [focus, ids];
  }

  // ------------------------------------------------------------------ focus panel
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  function link(href, text) { var a = el("a", text); a.href = href; return a; }

  function list(title, rows) {
    var block = el("div");
    block.appendChild(el("strong", title + ": "));
    if (!rows.length) { block.appendChild(el("span", "none", "muted")); }
    rows.forEach(function (row, i) {
      if (i) { block.appendChild(document.createTextNode(", ")); }
      block.appendChild(row);
    });
    return block;
  }

  function callRow(c) {
    var span = el("span");
    span.appendChild(model.services[c[0]] ? link("#service=" + encodeURIComponent(c[0]), c[0])
                                         : el("span", c[0]));
    span.appendChild(el("span", " (" + c[2] + ")", "muted"));
    return span;
  }

  function showService(name) {
    var svc = model.services[name];
    var both = serviceIds(name);
    mark(both[0], both[1]);
    panel.replaceChildren();
    panel.appendChild(el("h3", name));
    panel.appendChild(el("p", svc.context, "muted"));
    panel.appendChild(list("Calls", svc.calls.map(callRow)));
    panel.appendChild(list("Called by", svc.callers.map(callRow)));
    panel.appendChild(list("Store", svc.store ? [el("code", svc.store[1])] : []));
    panel.appendChild(list("Publishes", svc.publishes.map(eventLink)));
    panel.appendChild(list("Consumes", svc.consumes.map(eventLink)));
    panel.appendChild(list("Endpoints", svc.endpoints.map(function (e) { return el("code", e); })));
    var more = el("p");
    more.appendChild(link("#service-" + name, "Details"));
    more.appendChild(document.createTextNode(" · "));
    more.appendChild(link(panel.getAttribute("data-views") + "service-" + name + "." +
                          panel.getAttribute("data-service-format"), "Service view"));
    panel.appendChild(more);
    panel.hidden = false;
    document.documentElement.setAttribute("data-focus", name);
  }

  function eventLink(name) { return link("#event=" + encodeURIComponent(name), name); }

  function showEvent(name) {
    var ev = model.events[name];
    var focus = {}, ids = {};
    ev.topics.forEach(function (t) { focus[t] = true; });
    ev.producers.concat(ev.consumers).forEach(function (s) {
      if (model.services[s]) { ids[model.services[s].id] = true; ids[model.services[s].ctx] = true; }
    });
    mark(focus, ids);
    panel.replaceChildren();
    panel.appendChild(el("h3", name));
    panel.appendChild(list("Produced by", ev.producers.map(serviceLink)));
    panel.appendChild(list("Consumed by", ev.consumers.map(serviceLink)));
    panel.hidden = false;
    document.documentElement.setAttribute("data-focus", name);
  }

  function serviceLink(name) {
    return model.services[name] ? link("#service=" + encodeURIComponent(name), name) : el("span", name);
  }

  // ------------------------------------------------------------------ drill down
  function showContext(ctxId) {
    var ctx = model.contexts[ctxId];
    if (!ctx || !drill) { return; }
    var template = document.getElementById("context-view-" + ctx.slug);
    drill.querySelector(".canvas").replaceChildren(template ? template.content.cloneNode(true)
                                                            : el("p", "No drawing.", "muted"));
    drill.querySelector(".x-title").textContent = ctx.name + " (" + ctx.services.length + " services)";
    drill.hidden = false;
    each(drill.querySelectorAll("svg"), enablePanZoom);
    drill.scrollIntoView({ block: "nearest" });
    document.documentElement.setAttribute("data-context", ctx.slug);
  }

  // ------------------------------------------------------------------ the URL says the focus
  function fromHash() {
    var match = /^#(service|event|context)=(.*)$/.exec(window.location.hash);
    if (!match) { return; }
    var value;
    try { value = decodeURIComponent(match[2]); } catch (e) { value = match[2]; }
    if (match[1] === "service" && model.services[value]) { showService(value); }
    if (match[1] === "event" && model.events[value]) { showEvent(value); }
    if (match[1] === "context") {
      Object.keys(model.contexts).forEach(function (id) {
        if (model.contexts[id].slug === value) { showContext(id); }
      });
    }
  }

  document.addEventListener("click", function (event) {
    var g = event.target.closest ? event.target.closest("g.node") : null;
    if (!g || !g.closest("svg")) { return; }
    var id = titleOf(g);
    if (byId[id]) { window.location.hash = "service=" + encodeURIComponent(byId[id]); }
    else if (model.contexts[id]) {
      window.location.hash = "context=" + encodeURIComponent(model.contexts[id].slug);
    }
  });
  // Hover previews a service's neighbours; leaving it goes back to the focus the URL says.
  document.addEventListener("mouseover", function (event) {
    var g = event.target.closest ? event.target.closest("g.node") : null;
    if (g && byId[titleOf(g)]) {
      var both = serviceIds(byId[titleOf(g)]);
      mark(both[0], both[1]);
    }
  });
  document.addEventListener("mouseout", function (event) {
    var g = event.target.closest ? event.target.closest("g.node") : null;
    if (g && byId[titleOf(g)]) { clear(); fromHash(); }
  });
  window.addEventListener("hashchange", fromHash);

  // ------------------------------------------------------------------ search
  var entries = [];
  Object.keys(model.services).forEach(function (name) {
    var svc = model.services[name];
    entries.push([name, "service, " + svc.context, "service=" + name]);
    svc.endpoints.forEach(function (e) { entries.push([e, "endpoint of " + name, "service=" + name]); });
  });
  Object.keys(model.events).forEach(function (name) { entries.push([name, "event", "event=" + name]); });

  function find() {
    var query = search.value.trim().toLowerCase();
    results.replaceChildren();
    if (!query) { return; }
    var hits = entries.filter(function (e) { return e[0].toLowerCase().indexOf(query) !== -1; });
    hits.slice(0, 12).forEach(function (e) {
      var item = el("li");
      item.appendChild(link("#" + e[2].replace(/=(.*)$/, function (m, v) { return "=" + encodeURIComponent(v); }), e[0]));
      item.appendChild(el("span", " " + e[1], "muted"));
      results.appendChild(item);
    });
    if (hits.length > 12) { results.appendChild(el("li", (hits.length - 12) + " more", "muted")); }
    if (!hits.length) { results.appendChild(el("li", "nothing found", "muted")); }
  }
  search.addEventListener("input", find);
  search.addEventListener("keydown", function (event) {
    var first = results.querySelector("a");
    if (event.key === "Enter" && first) { window.location.hash = first.getAttribute("href").slice(1); }
  });

  // ------------------------------------------------------------------ pan and zoom
  function enablePanZoom(svg) {
    if (svg.getAttribute("data-panzoom")) { return; }
    svg.setAttribute("data-panzoom", "1");
    var box = svg.viewBox.baseVal;
    var home = [box.x, box.y, box.width, box.height];
    function zoom(factor, cx, cy) {
      var w = box.width * factor, h = box.height * factor;
      box.x = cx - (cx - box.x) * factor; box.y = cy - (cy - box.y) * factor;
      box.width = w; box.height = h;
    }
    function point(event) {
      var r = svg.getBoundingClientRect();
      return [box.x + (event.clientX - r.left) / r.width * box.width,
              box.y + (event.clientY - r.top) / r.height * box.height];
    }
    svg.addEventListener("wheel", function (event) {
      if (!event.ctrlKey && !event.metaKey) { return; }  // plain wheel scrolls the page
      event.preventDefault();
      var p = point(event);
      zoom(event.deltaY > 0 ? 1.15 : 1 / 1.15, p[0], p[1]);
    }, { passive: false });
    var drag = null;
    svg.addEventListener("pointerdown", function (event) {
      if (event.target.closest("g.node")) { return; }  // a click on a node focuses it
      drag = [event.clientX, event.clientY, box.x, box.y];
      svg.classList.add("x-dragging");
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      var r = svg.getBoundingClientRect();
      box.x = drag[2] - (event.clientX - drag[0]) / r.width * box.width;
      box.y = drag[3] - (event.clientY - drag[1]) / r.height * box.height;
    });
    function end() { drag = null; svg.classList.remove("x-dragging"); }
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointerleave", end);
    var figure = svg.closest("figure");
    var tools = figure && figure.querySelector(".tools");
    if (tools && !tools.querySelector("[data-zoom]")) {
      [["+", 1 / 1.3], ["−", 1.3], ["Reset", 0]].forEach(function (spec) {
        var button = el("button", spec[0]);
        button.type = "button";
        button.setAttribute("data-zoom", spec[0]);
        button.addEventListener("click", function () {
          var s = figure.querySelector("svg").viewBox.baseVal;
          if (spec[1] === 0) { s.x = home[0]; s.y = home[1]; s.width = home[2]; s.height = home[3]; return; }
          zoom(spec[1], s.x + s.width / 2, s.y + s.height / 2);
        });
        tools.insertBefore(button, tools.firstChild);
      });
    }
  }

  each(document.querySelectorAll("figure.diagram .canvas svg"), enablePanZoom);
  // Lazy drawings arrive later (viewer.js): give them pan and zoom when they do.
  new MutationObserver(function () {
    each(document.querySelectorAll("figure.diagram .canvas svg:not([data-panzoom])"), enablePanZoom);
  }).observe(document.body, { childList: true, subtree: true });
  fromHash();
}());

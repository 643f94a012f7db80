// The dashboard page: polls the JSON API (parts and traces every 2 s, logs every second)
// and draws what it gets. Text from the system goes in with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const ACTION = { "X-Archgen-Dashboard": "1", "Content-Type": "application/json" };

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

async function getJSON(url) {
  const answer = await fetch(url);
  if (!answer.ok) throw new Error(url + ": " + answer.status);
  return answer.json();
}

function bytes(n) {
  if (n === null || n === undefined) return "–";
  return n > 1 << 30 ? (n / (1 << 30)).toFixed(1) + " GiB" : (n / (1 << 20)).toFixed(0) + " MiB";
}

// -- parts ------------------------------------------------------------------------------
let partStates = {};

async function refreshParts() {
  const data = await getJSON("/api/parts");
  $("system").textContent = data.system + " · archgen up";
  $("gateway").textContent = data.gateway ? "gateway " + data.gateway : "";
  const body = $("parts-body");
  body.replaceChildren();
  partStates = {};
  const ready = data.parts.filter((p) => p.ready).length;
  $("status").textContent = ready + " of " + data.parts.length + " parts ready";
  for (const p of data.parts) {
    partStates[p.name] = p.state;
    const row = el("tr");
    row.dataset.part = p.name;
    row.append(el("td", p.name, "nowrap"), el("td", p.kind));
    const state = el("td");
    state.append(el("span", p.state, "badge " + p.state));
    row.append(state, el("td", p.port ?? "–"), el("td", p.pid ?? "–"), el("td", p.restarts),
      el("td", p.reloads), el("td", p.cpu_pct === null ? "–" : p.cpu_pct + " %", "num nowrap"),
      el("td", bytes(p.rss_bytes), "num nowrap"), el("td", p.url, "url"), el("td", p.last_error, "err"));
    const action = el("td");
    if (p.restartable) {
      const button = el("button", "Restart", "restart");
      button.disabled = !["ready", "unhealthy", "failed"].includes(p.state);
      button.title = "Stop " + p.name + " and start it again; the other parts keep running";
      button.addEventListener("click", () => restartPart(p.name, button));
      action.append(button);
    }
    row.append(action);
    body.append(row);
  }
  const select = $("log-part");
  const known = new Set([...select.options].map((o) => o.value));
  for (const p of data.parts) if (!known.has(p.name)) select.append(el("option", p.name));
  colourDiagram();
}

async function restartPart(name, button) {
  button.disabled = true;
  const answer = await fetch("/api/parts/" + encodeURIComponent(name) + "/restart",
    { method: "POST", headers: ACTION });
  $("part-note").textContent = answer.ok ? "(" + name + " restarting)"
    : "(not restarted: " + (await answer.json()).error + ")";
  await refreshParts();
}

// -- architecture -------------------------------------------------------------------------
let serviceIds = {};

async function loadDiagram() {
  const model = await getJSON("/api/architecture");
  for (const [name, svc] of Object.entries(model.services)) serviceIds[svc.id] = name;
  const answer = await fetch("/api/diagram.svg");
  if (!answer.ok) {
    $("diagram").textContent = "No drawing: " + (await answer.json()).error;
    return;
  }
  const svg = new DOMParser().parseFromString(await answer.text(), "image/svg+xml");
  const drawing = document.importNode(svg.documentElement, true);
  // Graphviz sizes the drawing in points; without that size it scales to the box through
  // its viewBox ("fit"), and the button shows it at its own size, scrolled, to read labels.
  const size = [drawing.getAttribute("width"), drawing.getAttribute("height")];
  drawing.removeAttribute("width");
  drawing.removeAttribute("height");
  const box = $("diagram");
  box.replaceChildren(drawing);
  box.classList.add("fit");
  const zoom = $("diagram-zoom");
  zoom.hidden = false;
  zoom.onclick = () => {
    const fit = box.classList.toggle("fit");
    drawing.style.width = fit ? "" : size[0];
    drawing.style.height = fit ? "" : size[1];
    zoom.textContent = fit ? "Actual size" : "Fit";
  };
  colourDiagram();
}

function colourDiagram() {
  for (const node of document.querySelectorAll("#diagram g.node")) {
    const title = node.querySelector("title");
    if (!title) continue;
    const id = title.textContent.trim();
    const part = serviceIds[id] || (id.includes("gateway") ? "gateway" : null);
    const state = part ? partStates[part] : null;
    let dot = node.querySelector("circle.state-dot");
    if (!state) { if (dot) dot.remove(); continue; }
    if (!dot) {  // a dot at the node's top right: its drawing is an icon, not a shape
      const box = node.getBBox();
      dot = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      dot.setAttribute("cx", box.x + box.width - 6);
      dot.setAttribute("cy", box.y + 8);
      dot.setAttribute("r", 8);
      dot.append(document.createElementNS("http://www.w3.org/2000/svg", "title"));
      node.append(dot);
    }
    dot.setAttribute("class", "state-dot state-" + state);
    dot.firstChild.textContent = part + ": " + state;
  }
}

// -- logs --------------------------------------------------------------------------------
let logSince = 0;
let logKey = "";

async function refreshLogs() {
  const part = $("log-part").value, level = $("log-level").value, text = $("log-text").value;
  const key = [part, level, text].join("\u0000");
  const pre = $("log-lines");
  if (key !== logKey) { logKey = key; logSince = 0; pre.replaceChildren(); }
  const query = new URLSearchParams({ since: logSince, part: part, level: level, q: text });
  const data = await getJSON("/api/logs?" + query);
  $("log-bound").textContent = "(the last " + data.per_part + " lines of each part)";
  for (const line of data.lines) {
    const row = el("div", null, line.level);
    row.append(el("span", line.part + " | ", "p"), document.createTextNode(line.text));
    pre.append(row);
    logSince = line.seq;
  }
  while (pre.childElementCount > 2000) pre.firstElementChild.remove();
  if (data.lines.length && $("log-follow").checked) pre.scrollTop = pre.scrollHeight;
}

// -- traces ------------------------------------------------------------------------------
let selectedTrace = null;

async function refreshTraces() {
  const data = await getJSON("/api/traces");
  $("trace-count").textContent = "(" + data.traces.length + " kept, at most " + data.max_traces + ")";
  const list = $("trace-list");
  list.replaceChildren();
  for (const t of data.traces) {
    const item = el("li");
    item.dataset.trace = t.trace_id;
    if (t.trace_id === selectedTrace) item.classList.add("sel");
    item.append(el("div", t.root), el("div", t.duration_ms.toFixed(1) + " ms · " + t.spans +
      " spans · " + t.services.join(", "), t.errors ? "error" : "muted"));
    item.addEventListener("click", () => showTrace(t.trace_id));
    list.append(item);
  }
  if (!selectedTrace && data.traces.length) showTrace(data.traces[0].trace_id);
}

async function showTrace(id) {
  selectedTrace = id;
  for (const li of document.querySelectorAll("#trace-list li"))
    li.classList.toggle("sel", li.dataset.trace === id);
  const answer = await fetch("/api/traces/" + encodeURIComponent(id));
  if (!answer.ok) return;
  const trace = await answer.json();
  const spans = trace.span_list;
  const start = Math.min(...spans.map((s) => s.start_ns));
  const end = Math.max(...spans.map((s) => s.end_ns));
  const total = Math.max(end - start, 1);
  const byId = Object.fromEntries(spans.map((s) => [s.span_id, s]));
  const depth = (s) => { let d = 0; while (byId[s.parent_span_id] && d < 30) { s = byId[s.parent_span_id]; d++; } return d; };
  const box = $("waterfall");
  box.replaceChildren(el("div", trace.root + " · " + trace.duration_ms.toFixed(1) + " ms", "muted"));
  for (const s of spans) {
    const row = el("div", null, "span");
    const left = (100 * (s.start_ns - start)) / total;
    const width = Math.max((100 * (s.end_ns - s.start_ns)) / total, 0.3);
    const bar = el("div", null, "bar" + (s.status === "error" ? " error" : ""));
    bar.style.left = left + "%";
    bar.style.width = width + "%";
    const label = el("div", "  ".repeat(depth(s)) + s.service + ": " + s.name + " (" +
      ((s.end_ns - s.start_ns) / 1e6).toFixed(1) + " ms)", "label");
    if (left < 50) label.style.left = left + "%";
    else { label.style.right = Math.max(100 - left - width, 0) + "%"; label.style.textAlign = "right"; }
    label.title = JSON.stringify(s.attributes);
    row.append(bar, label);
    box.append(row);
  }
}

// -- events ------------------------------------------------------------------------------
let selectedTopic = null;  // the one the user picked; until then, the first with messages

async function refreshTopics() {
  const data = await getJSON("/api/topics");
  const body = $("topic-body");
  body.replaceChildren();
  for (const t of data.topics) {
    const row = el("tr");
    row.dataset.topic = t.name;
    const name = el("td");
    const link = el("a", t.name);
    link.href = "#events";
    link.addEventListener("click", () => { selectedTopic = t.name; refreshTopics(); });
    name.append(link);
    row.append(name, el("td", t.events.join(", ")), el("td", t.partitions), el("td", t.seen),
      el("td", t.dead_letter ? t.dead_lettered : "–"));
    body.append(row);
  }
  const topic = data.topics.find((t) => t.name === selectedTopic)
    || data.topics.find((t) => t.messages.length) || data.topics[0];
  const list = $("messages");
  list.replaceChildren();
  $("messages-topic").textContent = topic ? "on " + topic.name : "";
  if (!topic) list.append(el("li", "The catalog declares no topics.", "muted"));
  else if (!topic.messages.length) {
    list.append(el("li", "No messages on " + topic.name + " yet" +
      (selectedTopic ? "." : " (nor on any other topic)."), "muted"));
  }
  for (const m of topic ? topic.messages : []) {
    list.append(el("li", m.topic + " [" + m.partition + "@" + m.offset + "] " +
      (m.headers.ce_type || "") + " " + m.value));
  }
  const dlq = $("dlq-body");
  dlq.replaceChildren();
  for (const m of data.dead_letters) {
    const row = el("tr");
    row.dataset.dlq = m.topic + "/" + m.partition + "/" + m.offset;
    const cell = el("td");
    const button = el("button", "Re-drive to " + m.original);
    button.addEventListener("click", () => redrive(m));
    cell.append(button);
    row.append(el("td", m.topic), el("td", m.partition + "@" + m.offset),
      el("td", m.reason, "err"), el("td", m.value.slice(0, 120)), cell);
    dlq.append(row);
  }
  if (!data.dead_letters.length) {
    const row = el("tr");
    row.append(el("td", data.error ? "Topic watch stopped: " + data.error : "No dead letters."));
    dlq.append(row);
  }
}

async function refreshLag() {
  const data = await getJSON("/api/lag");
  const body = $("lag-body");
  body.replaceChildren();
  $("lag-note").textContent = data.error ? "(not read: " + data.error + ")" : "";
  for (const g of data.groups) {
    const row = el("tr");
    row.dataset.lag = g.group + "/" + g.topic;
    const consumers = g.members === null ? "–" : g.members === 0 ? "none" : g.members;
    const state = g.lag === 0 ? "ready" : g.members === 0 ? "failed" : "starting";
    const lag = el("td", null, "num");
    lag.append(el("span", g.lag, "badge " + state));
    lag.title = g.lag === 0 ? "caught up" : g.members === 0
      ? "behind, and no consumer of the group is running" : "behind";
    const behind = g.partitions.filter((p) => p.lag > 0);
    const parts = behind.map((p) => p.partition + ": " + p.lag).join(" · ") || "none";
    row.append(el("td", g.group, "nowrap"), el("td", g.topic, "nowrap"),
      el("td", consumers, g.members === 0 ? "err" : ""),
      el("td", g.committed ?? "–", "num"), el("td", g.end, "num"), lag, el("td", parts, "muted"));
    body.append(row);
  }
  if (!data.groups.length) {
    const row = el("tr");
    row.append(el("td", data.error ? "" : "No consumer group."));
    body.append(row);
  }
}

async function redrive(m) {
  const answer = await fetch("/api/dlq/redrive", { method: "POST", headers: ACTION,
    body: JSON.stringify({ topic: m.topic, partition: m.partition, offset: m.offset }) });
  const data = await answer.json();
  $("redrive-note").textContent = answer.ok
    ? "Re-driven to " + data.redriven.topic + " (partition " + data.redriven.partition +
      ", offset " + data.redriven.offset + ")"
    : "Not re-driven: " + data.error;
}

// -- polling -----------------------------------------------------------------------------
function every(ms, work) {
  const run = async () => {
    try { await work(); } catch (err) { $("status").textContent = "dashboard: " + err.message; }
    setTimeout(run, ms);
  };
  run();
}

every(2000, refreshParts);
every(1000, refreshLogs);
every(2000, refreshTraces);
every(2000, refreshTopics);
every(2000, refreshLag);
loadDiagram().catch((err) => { $("diagram").textContent = "No drawing: " + err.message; });

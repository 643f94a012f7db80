"""Soak: the e-commerce blueprint under steady load for a long time, with the dashboard on.

    python -m bench.soak --minutes 30 --rate 5 [--every 30] [--out bench/soak]
    python -m bench.soak --seconds 90 --rate 5 --dashboard-traces 50   # a short run

It copies the blueprint's catalog into a temporary folder and starts `archgen up` on it
(it generates the system there; `--embedded memory` for the document stores, PostgreSQL for
the others, the dashboard on), then
POSTs orders through the gateway at `--rate` per second with `archgen loadtest`'s own
pieces (its token, its target for the order POST, wrk paced by its Lua script), in chunks
of `CHUNK_S` so each chunk's figures are kept. Every `--every` seconds it samples:

- the resident memory (VmRSS, /proc) of `archgen up` itself: the supervisor, the
  dashboard and its OTLP receiver are that one process;
- what the dashboard holds (`/api/stats`) against its window (its bounds);
- how long the page and its main API answers take (parts, logs, traces, one trace,
  topics, lag, stats);
- the load average, and one probe order of its own (its id kept).

When the load stops it waits for the backlog to drain (every consumer group's lag 0, every
probe order shipped or cancelled), checks every part is still ready, loads the page in
headless Chromium (DOM and a 1400 px wide screenshot) and judges the run (`judge`):
the receiver never held more than its window, the memory of the last third of the run
grew less than PLATEAU_MB over the middle third, it stayed under a bound derived from the
window (`memory_bound`), the dashboard answered every sample in under ANSWER_LIMIT_S.
It writes soak.json and soak.md to `--out`, and exits 1 when a check failed.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.common import ROOT

CATALOG = ROOT / "blueprints" / "ecommerce" / "catalog.yaml"
ORDERS = "/api/v1/orders"
FINAL = frozenset({"shipped", "cancelled"})
READY_TIMEOUT_S = 300.0
CHUNK_S = 60.0  # one wrk run: its figures are kept per chunk
DRAIN_TIMEOUT_S = 300.0
ANSWER_LIMIT_S = 2.0  # every dashboard answer, every sample (the page polls every 2 s)
PLATEAU_MB = 16.0  # last third's median RSS over the middle third's, at most
# What one held item may cost in the supervisor's memory, at most (Python objects, with
# the rings' cuts: a span's 32 attributes of 300 characters, a 2,000-character line,
# a 4,000-character message): the window's share of the memory bound.
SPAN_BYTES = 8 * 1024
LINE_BYTES = 4 * 1024
MESSAGE_BYTES = 12 * 1024
SLACK_MB = 48.0  # the rest: allocator fragmentation, connections, caches
ENDPOINTS = ("/", "/api/parts", "/api/logs", "/api/traces", "/api/topics", "/api/lag",
             "/api/stats")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run")
MB = 1024 * 1024
# MongoDB cannot run here: the two document stores live in their services' memory (as
# bench/running.py runs the blueprint); the relational ones are PostgreSQL.
UP_ARGS = ("--embedded", "memory")


@dataclass
class Sample:
    at_s: float  # since the load started (negative: before it)
    phase: str  # idle | load | drained
    rss_mb: float  # `archgen up`: supervisor, dashboard, receiver
    hwm_mb: float  # its peak so far
    held: dict[str, int]  # /api/stats: log_lines, traces, spans, messages, spans_received
    answer_ms: dict[str, float]  # endpoint -> time to its full answer
    load1: float
    orders_seen: int  # messages the dashboard saw on the orders topic


@dataclass
class Report:
    command: str
    rate: float
    seconds: float
    bounds: dict[str, int]
    window: dict[str, int]  # the most each count may reach: bounds x parts / topics
    samples: list[Sample] = field(default_factory=list)
    chunks: list[dict[str, Any]] = field(default_factory=list)  # wrk's figures per chunk
    probes: int = 0
    unfinished: list[str] = field(default_factory=list)  # probe orders not final
    drain_s: float | None = None  # load stop -> lag 0 and probes final
    lag_left: int | None = None
    parts: list[dict[str, Any]] = field(default_factory=list)  # at the end
    page_status: str = ""  # the page's "N of M parts ready", as Chromium drew it
    screenshot: str = ""
    problems: list[str] = field(default_factory=list)

    def load_samples(self) -> list[Sample]:
        return [s for s in self.samples if s.phase == "load"]


# ---------------------------------------------------------------- the system
def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MiB."""
    fields = dict(line.split(":", 1) for line in
                  Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


class System:
    """`archgen up` of the blueprint in `folder` (generated there), in its own session."""

    def __init__(self, folder: Path, up_args: Sequence[str]) -> None:
        shutil.copy(CATALOG, folder / "catalog.yaml")
        self.folder = folder
        self.out = folder / "out"
        self.log_path = folder / "up.log"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "archgen", "up", "catalog.yaml", "-o", "out", "-q",
                 *UP_ARGS, *up_args], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        self.state = self._wait_ready()
        self.dashboard = str(self.state["dashboard"])
        self.gateway = str(self.state["gateway"])

    def _wait_ready(self) -> dict[str, Any]:
        path = self.out / ".archgen" / "up.json"
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"`archgen up` exited {self.proc.returncode}:\n"
                                   + self.log_tail())
            with contextlib.suppress(OSError, ValueError):
                state: dict[str, Any] = json.loads(path.read_text())
                if state.get("dashboard"):
                    return state
            time.sleep(0.2)
        raise RuntimeError(f"`archgen up` not ready in {READY_TIMEOUT_S:.0f} s:\n"
                           + self.log_tail())

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def stop(self) -> int | None:
        """Ctrl-C, then harder; the session is the one this started."""
        for sig, wait in ((signal.SIGINT, 40), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            if self.proc.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(wait)
        return self.proc.returncode


# ---------------------------------------------------------------- the load
class Load(threading.Thread):
    """The order POST of `archgen loadtest` at `rate`, chunk after chunk, until stopped or
    `seconds` are over."""

    def __init__(self, system: System, rate: float, seconds: float) -> None:
        super().__init__(daemon=True)
        from archgen.catalog import load_catalog
        from archgen.runtime.loadtargets import live_targets, load_token

        catalog = load_catalog(system.folder / "catalog.yaml").catalog
        assert catalog is not None
        self.token = load_token(catalog, system.out, seconds + DRAIN_TIMEOUT_S)
        targets, _ = live_targets(catalog, system.gateway, self.token, "order-service", rate)
        self.target = next(t for t in targets if t.method == "POST" and t.path == ORDERS)
        self.system, self.seconds = system, seconds
        self.chunks: list[dict[str, Any]] = []
        self.error = ""
        self._halt = threading.Event()

    def run(self) -> None:
        from archgen.runtime.loadtest import LoadError, run_wrk

        end = time.monotonic() + self.seconds
        while not self._halt.is_set() and (left := end - time.monotonic()) > 1:
            try:
                # whole seconds: wrk refuses a duration of "59.5s"
                result = run_wrk(self.system.gateway, self.target, self.token,
                                 int(min(CHUNK_S, left)))
            except LoadError as exc:
                self.error = str(exc)
                return
            self.chunks.append(result.as_dict())

    def stop(self) -> None:
        """No next chunk, and the running wrk (a child of this process) ends now."""
        self._halt.set()
        for entry in Path("/proc").iterdir():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                if (stat.split(" (", 1)[1].startswith("wrk)")
                        and int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid()):
                    os.kill(int(entry.name), signal.SIGTERM)


# ---------------------------------------------------------------- samples
def timed_get(client: httpx.Client, path: str) -> tuple[float, Any]:
    start = time.perf_counter()
    answer = client.get(path)
    took = (time.perf_counter() - start) * 1000
    answer.raise_for_status()
    data = answer.json() if answer.headers.get("content-type", "").startswith(
        "application/json") else None
    return took, data


def sample(system: System, client: httpx.Client, at_s: float, phase: str) -> Sample:
    answers: dict[str, float] = {}
    data: dict[str, Any] = {}
    for path in ENDPOINTS:
        answers[path], data[path] = timed_get(client, path)
    newest = data["/api/traces"]["traces"]
    if newest:  # one trace's waterfall, as a click on the list asks for it
        answers["/api/traces/{id}"], _ = timed_get(client,
                                                   f"/api/traces/{newest[0]['trace_id']}")
    stats = data["/api/stats"]
    held = {k: int(stats[k]) for k in ("log_lines", "traces", "spans", "messages",
                                       "spans_received")}
    held["log_streams"] = len(data["/api/logs"]["parts"])
    parts = data["/api/parts"]["parts"]  # not held: how the system fares, sample by sample
    held["restarts"] = sum(int(p["restarts"]) for p in parts)
    held["not_ready"] = sum(1 for p in parts if p["state"] != "ready")
    orders = next((t["seen"] for t in data["/api/topics"]["topics"] if t["name"] == "orders"),
                  0)
    rss, hwm = rss_mb(system.proc.pid)
    return Sample(round(at_s, 1), phase, round(rss, 1), round(hwm, 1), held,
                  {k: round(v, 1) for k, v in answers.items()}, os.getloadavg()[0], orders)


def window_of(client: httpx.Client) -> tuple[dict[str, int], dict[str, int]]:
    """The dashboard's bounds, and the most each held count may reach under them."""
    bounds = {k: int(v) for k, v in client.get("/api/stats").json()["bounds"].items()}
    topics = client.get("/api/topics").json()
    streams = len(topics["topics"]) + sum(1 for t in topics["topics"] if t["dead_letter"])
    return bounds, {
        "traces": bounds["max_traces"],
        "spans": bounds["max_traces"] * bounds["max_spans_per_trace"],
        "log_lines_per_stream": bounds["log_lines_per_part"],  # x the parts logging
        "messages": bounds["messages_per_topic"] * streams,
    }


@functools.cache
def order_body() -> dict[str, Any]:
    """The example order the catalog's models give (what `archgen loadtest` sends)."""
    from archgen.catalog import load_catalog
    from archgen.runtime.flows import create_call

    catalog = load_catalog(CATALOG).catalog
    call = create_call(catalog.services["order-service"]) if catalog else None
    return dict(call.body) if call and isinstance(call.body, dict) else {}


def probe_order(client: httpx.Client, token: str) -> str | None:
    """One order through the gateway, as a client would place it; its id."""
    made = client.post(ORDERS, json={**order_body(), "customer_id": str(uuid.uuid4())},
                       headers={"Authorization": f"Bearer {token}"})
    return str(made.json()["id"]) if made.status_code == 201 else None


def drained(dashboard: httpx.Client, gateway: httpx.Client, token: str,
            probes: list[str]) -> tuple[int, list[str]]:
    """(total consumer lag, the probe orders not yet final)."""
    lag = dashboard.get("/api/lag").json()
    left = sum(int(row["lag"] or 0) for row in lag["groups"])
    headers = {"Authorization": f"Bearer {token}"}
    open_ = [key for key in probes
             if gateway.get(f"{ORDERS}/{key}", headers=headers).json().get("status")
             not in FINAL]
    return left, open_


# ---------------------------------------------------------------- the page
def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def page(url: str, profile: Path, screenshot: Path | None = None) -> str:
    """The page's DOM after its scripts ran, or a 1400 px wide screenshot of it."""
    args = [chromium() or "chromium", *FLAGS, f"--user-data-dir={profile}",
            "--window-size=1400,1800", "--virtual-time-budget=8000",
            f"--screenshot={screenshot}" if screenshot else "--dump-dom", url]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"chromium exited {done.returncode}: {done.stderr[-1000:]}")
    return done.stdout


# ---------------------------------------------------------------- the run
def run(seconds: float, rate: float, every_s: float, out: Path,
        up_args: Sequence[str] = ()) -> Report:
    """The soak; `out` receives the screenshot (the report is the caller's to write)."""
    command = " ".join(["archgen up catalog.yaml -o out -q", *UP_ARGS, *up_args])
    with tempfile.TemporaryDirectory(prefix="archgen-soak-") as folder:
        system = System(Path(folder), up_args)
        try:
            return _soak(system, Report(command, rate, seconds, {}, {}), every_s, out)
        finally:
            system.stop()
            out.mkdir(parents=True, exist_ok=True)  # the system's log outlives its folder
            shutil.copy(system.log_path, out / "up.log")


def _soak(system: System, report: Report, every_s: float, out: Path) -> Report:
    dashboard = httpx.Client(base_url=system.dashboard, timeout=30, trust_env=False)
    gateway = httpx.Client(base_url=system.gateway, timeout=30, trust_env=False)
    with dashboard, gateway:
        report.bounds, report.window = window_of(dashboard)
        report.samples.append(sample(system, dashboard, 0.0, "idle"))
        load = Load(system, report.rate, report.seconds)
        probes: list[str] = []
        start = time.monotonic()
        load.start()
        try:
            _under_load(system, report, load, dashboard, gateway, probes, start, every_s)
        finally:
            load.stop()
        stopped = time.monotonic()
        report.chunks, report.probes = load.chunks, len(probes)
        if load.error:
            report.problems.append(f"the load stopped: {load.error}")
        try:
            _after_load(system, report, dashboard, gateway, load.token, probes, start,
                        stopped, out)
        except httpx.HTTPError as exc:
            report.problems.append(f"after the load: {type(exc).__name__}: {exc}")
    report.problems += judge(report)
    return report


def _after_load(system: System, report: Report, dashboard: httpx.Client,
                gateway: httpx.Client, token: str, probes: list[str], start: float,
                stopped: float, out: Path) -> None:
    """The backlog drains, the parts' states, the page in Chromium."""
    lag, unfinished = drained(dashboard, gateway, token, probes)
    while (lag or unfinished) and time.monotonic() - stopped < DRAIN_TIMEOUT_S:
        time.sleep(2)
        lag, unfinished = drained(dashboard, gateway, token, probes)
    report.drain_s = round(time.monotonic() - stopped, 1)
    report.lag_left, report.unfinished = lag, unfinished
    report.samples.append(sample(system, dashboard, time.monotonic() - start, "drained"))
    report.parts = [{k: p[k] for k in ("name", "state", "restarts", "rss_bytes")}
                    for p in dashboard.get("/api/parts").json()["parts"]]
    if chromium() is not None:
        with tempfile.TemporaryDirectory(prefix="archgen-soak-chromium-") as profiles:
            dom = page(system.dashboard + "/", Path(profiles) / "dom")
            found = re.search(r"\d+ of \d+ parts ready", dom)
            report.page_status = found.group(0) if found else "no status line"
            out.mkdir(parents=True, exist_ok=True)
            shot = out / "soak-dashboard.png"
            page(system.dashboard + "/", Path(profiles) / "shot", shot)
            report.screenshot = str(shot)


def _under_load(system: System, report: Report, load: Load, dashboard: httpx.Client,
                gateway: httpx.Client, probes: list[str], start: float, every_s: float) -> None:
    """A sample and a probe order every `every_s` until the load ends; a dashboard that
    does not answer is a problem of the run, not the end of it."""
    while load.is_alive():
        load.join(timeout=max(0.0, start + len(report.samples) * every_s - time.monotonic()))
        if not load.is_alive():
            return
        at_s = time.monotonic() - start
        try:
            key = probe_order(gateway, load.token)
            if key is not None:
                probes.append(key)
            report.samples.append(sample(system, dashboard, at_s, "load"))
        except httpx.HTTPError as exc:
            report.problems.append(f"at {at_s:.0f} s: {type(exc).__name__}: {exc}")
            memory = (0.0, 0.0)
            with contextlib.suppress(OSError):
                memory = rss_mb(system.proc.pid)
            report.samples.append(Sample(round(at_s, 1), "failed", *memory, {}, {},
                                         os.getloadavg()[0], 0))


# ---------------------------------------------------------------- the verdict
def thirds(samples: list[Sample]) -> tuple[list[Sample], list[Sample]]:
    """The middle and the last third of the samples under load."""
    n = len(samples)
    return samples[n // 3: 2 * n // 3], samples[2 * n // 3:]


def memory_bound(report: Report) -> float:
    """The most RSS the run may reach: before the load, plus what the window can hold at
    SPAN_BYTES, LINE_BYTES and MESSAGE_BYTES each (the counts actually held, which
    `judge` checks against the window), plus SLACK_MB."""
    held = {k: max(s.held[k] for s in report.samples if s.held)
            for k in ("spans", "log_lines", "messages")}
    window = (held["spans"] * SPAN_BYTES + held["log_lines"] * LINE_BYTES
              + held["messages"] * MESSAGE_BYTES) / MB
    return report.samples[0].rss_mb + window + SLACK_MB


def plateau_growth(report: Report) -> float | None:
    middle, last = thirds(report.load_samples())
    if not middle or not last:
        return None
    return (statistics.median(s.rss_mb for s in last)
            - statistics.median(s.rss_mb for s in middle))


def judge(report: Report) -> list[str]:
    """What the run broke, one line each."""
    problems = []
    for s in (s for s in report.samples if s.held):  # not the samples that failed
        most_held = {**report.window, "log_lines": report.window["log_lines_per_stream"]
                     * s.held["log_streams"]}
        for key, most in most_held.items():
            if key in s.held and s.held[key] > most:
                problems.append(f"at {s.at_s:.0f} s the dashboard held {s.held[key]} {key}, "
                                f"over its window of {most}")
        slow = {k: v for k, v in s.answer_ms.items() if v > ANSWER_LIMIT_S * 1000}
        if slow:
            problems.append(f"at {s.at_s:.0f} s the dashboard answered slower than "
                            f"{ANSWER_LIMIT_S:g} s: {slow}")
    growth = plateau_growth(report)
    if growth is None:
        problems.append("too few samples under load to compare the thirds")
    elif growth > PLATEAU_MB:
        problems.append(f"RSS grew {growth:.1f} MB from the middle to the last third of the "
                        f"run (at most {PLATEAU_MB:g})")
    bound = memory_bound(report)
    peak = max(s.rss_mb for s in report.samples)
    if peak > bound:
        problems.append(f"RSS reached {peak:.0f} MB, over the window's bound of {bound:.0f} MB")
    if report.lag_left or report.unfinished:
        problems.append(f"the backlog did not drain in {DRAIN_TIMEOUT_S:.0f} s: lag "
                        f"{report.lag_left}, {len(report.unfinished)} probe order(s) not final")
    if report.probes == 0:
        problems.append("no probe order was created")
    bad = [p["name"] for p in report.parts if p["state"] != "ready"]
    if bad:
        problems.append(f"not ready at the end: {', '.join(bad)}")
    everything = f"{len(report.parts)} of {len(report.parts)} parts ready"
    if report.screenshot and report.page_status != everything:
        problems.append(f"the page said {report.page_status!r}, not {everything!r}")
    failed = [c for c in report.chunks if c["error_rate"] > 0.01]
    if failed:
        problems.append(f"{len(failed)} load chunk(s) had more than 1% errors")
    return problems


# ---------------------------------------------------------------- the report
def markdown(report: Report) -> str:
    load = report.load_samples()
    middle, last = thirds(load)
    first, end = report.samples[0], report.samples[-1]
    sent = sum(int(c["requests"]) for c in report.chunks)
    rows = ["| at (s) | phase | RSS MB | spans | traces | log lines | messages | "
            "slowest answer (ms) | load 1 min |", "|---|---|---|---|---|---|---|---|---|"]
    for s in report.samples:
        if not s.answer_ms:
            rows.append(f"| {s.at_s:.0f} | {s.phase} | {s.rss_mb:.1f} | | | | | none | "
                        f"{s.load1:.2f} |")
            continue
        slowest = max(s.answer_ms, key=lambda k: s.answer_ms[k])
        rows.append(f"| {s.at_s:.0f} | {s.phase} | {s.rss_mb:.1f} | {s.held['spans']} | "
                    f"{s.held['traces']} | {s.held['log_lines']} | {s.held['messages']} | "
                    f"{s.answer_ms[slowest]:.0f} {slowest} | {s.load1:.2f} |")
    growth = plateau_growth(report)
    lines = [
        f"# Soak: {report.seconds / 60:g} min at {report.rate:g} orders/s",
        "",
        f"`{report.command}`, then `archgen loadtest`'s POST {ORDERS} through the gateway "
        f"at {report.rate:g}/s; {sent} requests in {len(report.chunks)} chunks, "
        f"{sum(int(c['errors']) for c in report.chunks)} errors; "
        f"{end.orders_seen} order events seen by the dashboard.",
        "",
        f"- window: {report.bounds}; at most {report.window}",
        f"- RSS of `archgen up` (supervisor, dashboard, receiver): {first.rss_mb:.1f} MB "
        f"before the load, median {_median(middle):.1f} MB in the middle third, "
        f"{_median(last):.1f} MB in the last third (growth "
        f"{'n/a' if growth is None else f'{growth:+.1f}'} MB, at most {PLATEAU_MB:g}), peak "
        f"{max(s.hwm_mb for s in report.samples):.1f} MB; bound from the window "
        f"{memory_bound(report):.0f} MB",
        f"- answers at start: {_answers(load[0] if load else first)}",
        f"- answers at end of load: {_answers(load[-1] if load else end)}",
        f"- drain after the load: {report.drain_s} s (lag left {report.lag_left}, "
        f"{len(report.unfinished)} of {report.probes} probe orders not final)",
        f"- parts at the end: {sum(p['state'] == 'ready' for p in report.parts)} of "
        f"{len(report.parts)} ready, restarts "
        f"{sum(int(p['restarts']) for p in report.parts)}; page: "
        f"{report.page_status!r}; screenshot {report.screenshot or 'none'}",
        f"- verdict: {'PASS' if not report.problems else 'FAIL'}",
        *(f"  - {p}" for p in report.problems),
        "",
        *rows,
        "",
    ]
    return "\n".join(lines)


def _median(samples: list[Sample]) -> float:
    return statistics.median(s.rss_mb for s in samples) if samples else float("nan")


def _answers(s: Sample) -> str:
    return ", ".join(f"{k} {v:.0f} ms" for k, v in s.answer_ms.items())


def write(report: Report, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    data, text = out / "soak.json", out / "soak.md"
    data.write_text(json.dumps(asdict(report), indent=2) + "\n")
    text.write_text(markdown(report))
    return data, text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split(
        "\n\n")[0])
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=float, help="how long to load (default 30)")
    length.add_argument("--seconds", type=float, help="how long to load, in seconds")
    parser.add_argument("--rate", type=float, default=5.0, help="orders per second (5)")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / ".cache" / "soak",
                        help="where soak.json, soak.md and the screenshot go")
    parser.add_argument("--dashboard-traces", type=int, help="archgen up's option")
    parser.add_argument("--dashboard-log-lines", type=int, help="archgen up's option")
    args = parser.parse_args(argv)
    seconds = args.seconds if args.seconds else 60 * (args.minutes or 30.0)
    up_args = [*([f"--dashboard-traces={args.dashboard_traces}"]
                 if args.dashboard_traces else []),
               *([f"--dashboard-log-lines={args.dashboard_log_lines}"]
                 if args.dashboard_log_lines else [])]
    report = run(seconds, args.rate, args.every, args.out, up_args)
    paths = write(report, args.out)
    print(paths[1].read_text())
    print(f"written: {paths[0]}, {paths[1]}")
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())

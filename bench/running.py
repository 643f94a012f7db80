"""The running system: `archgen up` of the e-commerce blueprint.

Runs only when this checkout has `archgen up` (and `token`, `loadtest`) and wrk is
installed; otherwise every row says what is missing. The system is started in its
own process group and stopped with SIGINT (the supervisor then stops its parts).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import ROOT, WORK, Context, Section, s, table

CATALOG = ROOT / "blueprints" / "ecommerce" / "catalog.yaml"
OUT = WORK / "up-ecommerce"
STATE = OUT / ".archgen" / "up.json"
READY_TIMEOUT_S = 180.0
ORDER_PATH = "/api/v1/orders"
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}
_PCT = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_TOTAL = re.compile(r"(\d+) requests in")


@dataclass(frozen=True)
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int


def parse_wrk(text: str) -> WrkResult | None:
    """Throughput and latency percentiles of `wrk --latency` output; None if it has none."""
    pct = {p: float(v) * _UNIT[u] for p, v, u in _PCT.findall(text)}
    rps, total = _RPS.search(text), _TOTAL.search(text)
    if rps is None or total is None or "50" not in pct or "99" not in pct:
        return None
    bad = _NON2XX.search(text)
    return WrkResult(float(rps.group(1)), pct["50"], pct["99"], int(total.group(1)),
                     int(bad.group(1)) if bad else 0)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(pct / 100 * len(ordered))))
    return ordered[rank - 1]


class System:
    """One `archgen up` of the blueprint, in its own process group."""

    def __init__(self, archgen: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            STATE.unlink()
        self.log = (WORK / "up.log").open("wb")
        self.started = time.perf_counter()
        # MongoDB cannot run here: its stores live in the services (`--embedded memory`).
        self.proc = subprocess.Popen([archgen, "up", str(CATALOG), "-o", str(OUT), "-q",
                                      "--embedded", "memory"],
                                     cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self) -> float:
        """Seconds from spawn to the state file (written once every part is healthy)."""
        while time.perf_counter() - self.started < READY_TIMEOUT_S:
            if self.proc.poll() is not None:
                raise RuntimeError(f"`archgen up` exited {self.proc.returncode}: "
                                   f"{_last_line(WORK / 'up.log')}")
            with contextlib.suppress(OSError, ValueError):
                if json.loads(STATE.read_text(encoding="utf-8")).get("services"):
                    return time.perf_counter() - self.started
            time.sleep(0.05)
        raise RuntimeError(f"not healthy after {READY_TIMEOUT_S:.0f} s")

    def state(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(STATE.read_text(encoding="utf-8"))
        return data

    def stop(self) -> None:
        for sig, wait in ((signal.SIGINT, 30), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            if self.proc.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)  # the group this benchmark started
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(wait)
        self.log.close()


def _last_line(path: Path) -> str:
    lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return lines[-1][:200] if lines else "no output"


def _request(method: str, url: str, token: str, body: object | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:  # 127.0.0.1 only
        return json.loads(resp.read() or b"null")


def _new_order(base: str, token: str) -> dict[str, Any]:
    """POST the order `archgen up --smoke` would: its body is derived from the catalog's
    models (decimals as strings, as the generated strict models want)."""
    from archgen.catalog import load_catalog
    from archgen.runtime.flows import create_call

    catalog = load_catalog(CATALOG).catalog
    call = create_call(catalog.services["order-service"]) if catalog else None
    body = dict(call.body) if call and isinstance(call.body, dict) else {}
    body["customer_id"] = str(uuid.uuid4())
    order: dict[str, Any] = _request("POST", base + ORDER_PATH, token, body)
    return order


def _token(ctx: Context) -> str:
    proc = subprocess.run([ctx.tools["archgen"], "token", str(CATALOG), "-o", str(OUT),
                           "--tier", "enterprise"], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    return proc.stdout.strip().splitlines()[-1]


def _wrk(url: str, token: str) -> WrkResult | None:
    wrk = shutil.which("wrk") or "wrk"
    proc = subprocess.run([wrk, "-t2", "-c50", "-d10s", "--latency", "-H",
                           f"Authorization: Bearer {token}", url],
                          capture_output=True, text=True, check=False, timeout=60)
    return parse_wrk(proc.stdout)


def gateway_overhead(ctx: Context, state: dict[str, Any], token: str) -> list[list[str]]:
    gateway, direct = state.get("gateway"), state.get("services", {}).get("order-service")
    if not gateway or not direct:
        return [["gateway overhead", "not measured: no gateway or order-service in up.json"]]
    order_id = _new_order(gateway, token)["id"]
    urls = {"direct": f"{direct}{ORDER_PATH}/{order_id}",
            "gateway": f"{gateway}{ORDER_PATH}/{order_id}"}
    runs: dict[str, list[WrkResult]] = {"direct": [], "gateway": []}
    for r in range(ctx.repeats(1, 3)):
        for name in (["direct", "gateway"] if r % 2 == 0 else ["gateway", "direct"]):
            result = _wrk(urls[name], token)
            if result is not None:
                runs[name].append(result)
            ctx.log(f"    wrk {name}: {result}")
    if not runs["direct"] or not runs["gateway"]:
        return [["gateway overhead", "not measured: wrk printed no results"]]
    med = {k: WrkResult(statistics.median(x.rps for x in v),
                        statistics.median(x.p50_ms for x in v),
                        statistics.median(x.p99_ms for x in v),
                        int(statistics.median(x.requests for x in v)),
                        int(statistics.median(x.non_2xx for x in v))) for k, v in runs.items()}
    d, g = med["direct"], med["gateway"]
    over, share = g.p99_ms - d.p99_ms, g.rps / d.rps if d.rps else 0.0
    ctx.goal("gateway p99 overhead (wrk 2 threads, 50 connections, 10 s)", "<= 10 ms",
             f"{over:.1f} ms", over <= 10)
    ctx.goal("gateway throughput vs direct", ">= 0.65x", f"{share:.2f}x", share >= 0.65)
    return [[f"GET {ORDER_PATH}/{{id}} {k}: {len(runs[k])} run(s)", f"{x.rps:,.0f} req/s",
             f"p50 {x.p50_ms:.2f} ms", f"p99 {x.p99_ms:.2f} ms", f"{x.non_2xx} non-2xx"]
            for k, x in med.items()]


def order_creation(ctx: Context) -> list[list[str]]:
    if not ctx.archgen_has("loadtest"):
        ctx.goal("order creation p95 at 500 req/s, 30 s", "< 200 ms",
                 "not measured: command missing", None)
        return [["order creation at 500 req/s", "not measured: `archgen loadtest` missing"]]
    report = WORK / "loadtest.json"
    subprocess.run([ctx.tools["archgen"], "loadtest", str(CATALOG), "-o", str(OUT),
                    "--service", "order-service", "--rate", "500", "--duration", "30s",
                    "--json", str(report)], cwd=ROOT, capture_output=True, check=False,
                   timeout=900)
    rows = [r for r in json.loads(report.read_text(encoding="utf-8"))["results"]
            if str(r.get("route", "")).startswith(f"POST {ORDER_PATH}")] \
        if report.exists() else []
    if not rows:
        ctx.goal("order creation p95 at 500 req/s, 30 s", "< 200 ms", "failed", None)
        return [["order creation at 500 req/s", "not measured: no POST row in loadtest JSON"]]
    r = rows[0]
    ctx.goal("order creation p95 at 500 req/s, 30 s, through the gateway", "< 200 ms",
             f"{r['p95_ms']:.1f} ms at {r['achieved_rps']:.0f} req/s",
             r["p95_ms"] < 200 and r["achieved_rps"] >= 0.95 * 500)
    return [[f"POST {ORDER_PATH} via `archgen loadtest` (500 req/s, 30 s)",
             f"{r['achieved_rps']:.0f} req/s", f"p95 {r['p95_ms']:.1f} ms",
             f"p99 {r['p99_ms']:.1f} ms", f"{r['error_rate']:.1%} errors"]]


def event_latency(ctx: Context, gateway: str, token: str) -> list[list[str]]:
    """POST an order, poll it until a consumer's reaction changes its status."""
    samples: list[float] = []
    for _ in range(ctx.repeats(20, 100)):
        start = time.perf_counter()
        order = _new_order(gateway, token)
        first = order.get("status")
        while time.perf_counter() - start < 5.0:
            if _request("GET", f"{gateway}{ORDER_PATH}/{order['id']}", token).get(
                    "status") != first:
                samples.append((time.perf_counter() - start) * 1000)
                break
            time.sleep(0.002)
        else:
            break
    if not samples:
        ctx.goal("event latency POST -> consumer handled, p99", "<= 100 ms",
                 "not measured: the order's status never changed", None)
        return [["event latency", "not measured: no consumer effect visible on the order "
                 "within 5 s"]]
    p50, p99 = percentile(samples, 50), percentile(samples, 99)
    ctx.goal("event latency POST -> consumer handled, p99", "<= 100 ms", f"{p99:.1f} ms",
             p99 <= 100)
    return [[f"POST order -> its status changed by the event chain ({len(samples)} orders)",
             f"p50 {p50:.1f} ms", f"p99 {p99:.1f} ms", "", ""]]


RELOAD_HANDLER = """

async def get_v1_inventory_by_sku(runtime: object, sku: str) -> dict[str, object]:
    return {{"sku": sku, "available": {marker}, "reserved": 0}}
"""


def hot_reload(ctx: Context, state: dict[str, Any]) -> list[list[str]]:
    """Save to new code answering: inventory-service's handlers.py gets a handler that
    answers a marker, timed from the write to the first answer with it. Each save waits
    for the warm standby (up.json says when it is ready), as a developer's next save
    would; the file is restored (and reloaded) after."""
    handlers = (OUT / "services" / "inventory-service" / "src" / "inventory_service"
                / "handlers.py")
    url = f"{state['services']['inventory-service']}/api/v1/inventory/bench-reload"
    original = handlers.read_text(encoding="utf-8")
    samples: list[float] = []
    try:
        for marker in range(1000, 1000 + ctx.repeats(3, 5)):
            _until(lambda: _standby(STATE) == "ready", 60, "no warm standby")
            handlers.write_text(original + RELOAD_HANDLER.format(marker=marker),
                                encoding="utf-8")
            saved = time.perf_counter()
            _until(lambda m=marker: _available(url) == m, 30, "the new code never answered")
            samples.append(time.perf_counter() - saved)
            ctx.log(f"    save to new code answering: {samples[-1]:.2f} s")
    finally:
        handlers.write_text(original, encoding="utf-8")
        with contextlib.suppress(RuntimeError):
            _until(lambda: _available(url) not in range(1000, 1010), 30, "")
            _until(lambda: _standby(STATE) == "ready", 60, "")
    median = statistics.median(samples)
    ctx.goal("save to new code answering (hot reload)", "<= 3 s", f"{s(median)} s",
             median <= 3)
    return [[f"save to new code answering, inventory-service ({len(samples)} saves)",
             f"median {s(median)} s", f"max {s(max(samples))} s", "", ""]]


def _until(check: Any, timeout_s: float, failure: str) -> None:
    deadline = time.perf_counter() + timeout_s
    while not check():
        if time.perf_counter() > deadline:
            raise RuntimeError(failure)
        time.sleep(0.02)


def _standby(state_file: Path) -> str:
    with contextlib.suppress(OSError, ValueError):
        return str(json.loads(state_file.read_text(encoding="utf-8")).get("standby", ""))
    return ""


def _available(url: str) -> object:
    """The `available` of the stock level GET answers; None while it answers nothing."""
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # 127.0.0.1 only
            return json.loads(resp.read()).get("available")
    except (OSError, ValueError, AttributeError):
        return None


def _not_measured(ctx: Context, why: str) -> Section:
    for what, target in (("`archgen up` to all-healthy (e-commerce)", "< 5 s"),
                         ("gateway p99 overhead", "<= 10 ms"),
                         ("save to new code answering (hot reload)", "<= 3 s"),
                         ("gateway throughput vs direct", ">= 0.65x"),
                         ("order creation p95 at 500 req/s, 30 s", "< 200 ms"),
                         ("event latency POST -> consumer handled, p99", "<= 100 ms")):
        ctx.goal(what, target, f"not measured: {why}", None)
    return Section("running_system", "The running system (`archgen up`)",
                   f"Not measured: {why}.")


def running_system(ctx: Context) -> Section:
    """Start-up, gateway overhead, order creation under load, event latency."""
    if not ctx.archgen_has("up") or not ctx.archgen_has("token"):
        return _not_measured(ctx, "command missing (`archgen up`/`archgen token`)")
    if shutil.which("wrk") is None:
        return _not_measured(ctx, "wrk is not installed")
    subprocess.run([ctx.tools["archgen"], "generate", str(CATALOG), "-o", str(OUT)], cwd=ROOT,
                   capture_output=True, check=False)
    startups: list[float] = []
    rows: list[list[str]] = []
    system = None
    try:
        for i in range(ctx.repeats(2, 3)):
            system = System(ctx.tools["archgen"])
            startups.append(system.wait_ready())
            ctx.log(f"    archgen up ready in {startups[-1]:.2f} s")
            if i < ctx.repeats(2, 3) - 1:
                system.stop()
        assert system is not None
        state, token = system.state(), _token(ctx)
        # Event latency first, on an idle system: after the load runs the consumers
        # still work through thousands of queued orders, and one more waits behind them.
        if state.get("gateway"):
            rows += event_latency(ctx, state["gateway"], token)
        rows += hot_reload(ctx, state)
        rows += gateway_overhead(ctx, state, token)
        rows += order_creation(ctx)
    except (RuntimeError, OSError, ValueError, KeyError, urllib.error.URLError,
            subprocess.SubprocessError) as exc:
        rows.append(["failed", f"{type(exc).__name__}: {str(exc)[:200]}", "", "", ""])
    finally:
        if system is not None:
            system.stop()
    up = statistics.median(startups) if startups else None
    ctx.goal("`archgen up` to all-healthy (e-commerce)", "< 5 s",
             f"{s(up)} s" if up else "failed", up < 5 if up else None)
    rows.insert(0, [f"`archgen up` to all-healthy ({len(startups)} start(s))", f"{s(up)} s",
                    "", "", ""])
    rows = [r + [""] * (5 - len(r)) for r in rows]
    body = table(["measure", "", "", "", ""], rows)
    body += ("\n\n`archgen up` runs the blueprint with its default stores (PostgreSQL, the "
             "broker) in its own process group; all-healthy is the moment it writes "
             "`.archgen/up.json`, after every part's health check. wrk: 2 threads, 50 "
             "connections, 10 s, `--latency`, GET of one order, direct to order-service vs "
             "through the gateway, alternating. Event latency polls the order every 2 ms "
             "after the POST until a consumer's reaction changes its status: an upper bound "
             "on one event's trip that includes the whole chain it triggers. Hot reload: "
             "from the write of inventory-service's handlers.py to the first GET answered "
             "by the new code (the file polled 4 times a second, the service restarted "
             "from a warm standby).\n")
    return Section("running_system", "The running system (`archgen up`)", body)

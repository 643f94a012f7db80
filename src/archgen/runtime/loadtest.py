"""Load each public endpoint through the local gateway with wrk and judge it against the SLA.

Why wrk: a C event loop that holds thousands of requests per second on one
core, where a Python client on 2 shared cores would measure itself. It comes
from Debian (`apt-get install wrk`); a generated Lua script adds the token and
bodies, paces each connection (`delay`) to the target rate, stops each thread
after a bounded count, and prints the figures as one JSON line.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

MAX_ERROR_RATE = 0.01  # above 1 % errors an endpoint misses its SLA
MIN_RATE_SHARE = 0.9  # and below 90 % of the target rate
# Above this share of client errors (4xx other than 429) the test asked wrongly: a set-up
# problem (ids, bodies), not a measure of the system.
SETUP_4XX_SHARE = 0.5
_SETUP_HINTS = {"400": "the body was refused", "401": "the token was refused",
                "403": "the token's scopes were refused", "404": "the path's ids do not exist",
                "405": "the method is not routed", "422": "the path values or the body do not "
                "validate"}
RICH_MIN_WIDTH = 120  # below this the ten columns' headers alone do not fit
_RESULT = re.compile(r"^ARCHGEN (\{.*\})$", re.MULTILINE)


class LoadError(Exception):
    """The load test cannot run; one line."""


@dataclass(frozen=True)
class Target:
    service: str
    method: str
    path: str  # with path parameters filled in
    route: str  # the catalog's route, for the report
    rate: float  # requests per second wanted
    sla_p95_ms: float | None
    body: str | None  # JSON text


@dataclass(frozen=True)
class Result:
    service: str
    route: str
    target_rps: float
    achieved_rps: float
    requests: int
    errors: int
    error_rate: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    sla_p95_ms: float | None
    codes: dict[str, int] = field(default_factory=dict)  # HTTP status -> responses

    @property
    def setup_problem(self) -> str | None:
        """Why the answers measure the test's set-up rather than the system, or None."""
        client = {c: n for c, n in self.codes.items() if c.startswith("4") and c != "429"}
        answered = sum(self.codes.values())
        if not answered or sum(client.values()) / answered < SETUP_4XX_SHARE:
            return None
        code, count = max(client.items(), key=lambda kv: kv[1])
        why = _SETUP_HINTS.get(code, "the requests were refused")
        return (f"{count / answered:.0%} of answers were {code} ({why}): a set-up problem of "
                "the load test, not a measure of the service; see its log")

    @property
    def verdict(self) -> str:
        return "set-up" if self.setup_problem else "pass" if self.passed else "missed"

    @property
    def passed(self) -> bool:
        return (self.setup_problem is None and self.error_rate <= MAX_ERROR_RATE
                and self.achieved_rps >= MIN_RATE_SHARE * self.target_rps
                and (self.sla_p95_ms is None or self.p95_ms <= self.sla_p95_ms))

    def error_codes(self) -> str:
        """`504 x80, 429 x13` (the failing statuses), or `` when every answer succeeded."""
        bad = [(code, n) for code, n in self.codes.items() if not code.startswith(("2", "3"))]
        return ", ".join(f"{code} x{n}" for code, n in sorted(bad, key=lambda c: -c[1]))

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "passed": self.passed, "verdict": self.verdict,
                "setup_problem": self.setup_problem}


@dataclass(frozen=True)
class Skipped:
    """An endpoint the load test could not call: why."""

    service: str
    route: str
    reason: str


def lua_string(text: str) -> str:
    """A Lua string literal of `text` (quotes, backslashes and newlines escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def wrk_script(target: Target, token: str | None, connections: int, threads: int,
               duration_s: float) -> str:
    """The Lua script: one request shape, paced to the rate, bounded in count per thread.

    Pacing: each thread keeps a schedule of send times 1/rate apart (LuaJIT's
    ffi reads the monotonic clock) and `delay` holds each request until its
    slot, so the rate holds while the connections in flight cover the latency.
    """
    per_ms = target.rate / threads / 1000
    cap = math.ceil(target.rate * duration_s * 1.5 / threads) + 1
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    lua_headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
    body = lua_string(target.body) if target.body is not None else "nil"
    return f"""-- generated by archgen loadtest
local ffi = require("ffi")
ffi.cdef[[
typedef struct {{ long tv_sec; long tv_nsec; }} archgen_timespec;
int clock_gettime(int clk_id, archgen_timespec *tp);
]]
local ts = ffi.new("archgen_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local headers = {{{lua_headers}}}
local body = {body}
local interval_ms = {1 / per_ms!r}
local next_slot = 0
local count = 0
codes = {{}}  -- status -> count, per thread; done() collects them through setup's handles
local threads = {{}}
setup = function(thread) table.insert(threads, thread) end
request = function()
  return wrk.format({lua_string(target.method)}, {lua_string(target.path)}, headers, body)
end
delay = function()
  local t = now_ms()
  if next_slot < t then next_slot = t end
  local wait = next_slot - t
  next_slot = next_slot + interval_ms
  return wait
end
response = function(status, hdrs, resp)
  codes[status] = (codes[status] or 0) + 1
  count = count + 1
  if count >= {cap} then wrk.thread:stop() end
end
done = function(summary, latency, requests)
  local e = summary.errors
  local seen = {{}}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("codes") or {{}}) do
      seen[status] = (seen[status] or 0) + n
    end
  end
  local parts = {{}}
  for status, n in pairs(seen) do table.insert(parts, string.format('"%d":%d', status, n)) end
  io.write(string.format('ARCHGEN {{"requests":%d,"duration_us":%d,"connect":%d,' ..
    '"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p95":%d,"p99":%d,' ..
    '"codes":{{%s}}}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    table.concat(parts, ",")))
end
"""


def shape(rate: float) -> tuple[int, int]:
    """Connections and threads: enough connections in flight to hold the rate while each
    answer takes up to 250 ms (a quarter second's worth of requests), at least 2."""
    connections = max(2, min(256, math.ceil(rate / 4)))
    return connections, min(2, connections)


def run_wrk(base_url: str, target: Target, token: str | None, duration_s: float) -> Result:
    if not base_url.startswith(("http://127.0.0.1:", "http://localhost:")):
        raise LoadError(f"refusing to load {base_url}: archgen loadtest targets 127.0.0.1 only")
    wrk = shutil.which("wrk")
    if wrk is None:
        raise LoadError("wrk is not installed: `apt-get install wrk` (Debian/Ubuntu)")
    connections, threads = shape(target.rate)
    with tempfile.TemporaryDirectory(prefix="archgen-load-") as folder:
        script = Path(folder) / "load.lua"
        script.write_text(wrk_script(target, token, connections, threads, duration_s),
                          encoding="utf-8")
        argv = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{duration_s:g}s",
                "--timeout", "5s", "-s", str(script), base_url.rstrip("/") + target.path]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, check=False,
                                  timeout=duration_s + 30)
        except subprocess.TimeoutExpired:
            raise LoadError(f"wrk did not finish within {duration_s + 30:.0f} s") from None
    return parse(done.stdout, target, done.stderr)


def parse(stdout: str, target: Target, stderr: str = "") -> Result:
    match = _RESULT.search(stdout)
    if match is None:
        why = (stderr.strip().splitlines() or stdout.strip().splitlines() or ["no output"])[-1]
        raise LoadError(f"wrk gave no result for {target.route}: {why}")
    data = json.loads(match.group(1))
    requests = int(data["requests"])
    errors = sum(int(data[k]) for k in ("connect", "read", "write", "status", "timeout"))
    seconds = max(int(data["duration_us"]), 1) / 1e6
    return Result(target.service, target.route, target.rate, round(requests / seconds, 1),
                  requests, errors, round(errors / requests, 4) if requests else 1.0,
                  data["p50"] / 1000, data["p95"] / 1000, data["p99"] / 1000, target.sla_p95_ms,
                  {k: int(v) for k, v in sorted(data.get("codes", {}).items())})


def report_json(results: Sequence[Result], skipped: Sequence[Skipped] = ()) -> str:
    return json.dumps({"tool": "wrk", "passed": all(r.passed for r in results),
                       "results": [r.as_dict() for r in results],
                       "skipped": [asdict(s) for s in skipped]}, indent=2)


def plain_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell, never cut: for a pipe or a CI log."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    lines = [headers, ["-" * w for w in widths], *rows]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
                     for line in lines)


COLUMNS = ("service", "endpoint", "target/s", "achieved/s", "p50 ms", "p95 ms", "p99 ms",
           "SLA p95 ms", "errors", "verdict")


def rows(results: Sequence[Result]) -> list[list[str]]:
    return [[r.service, r.route, f"{r.target_rps:g}", f"{r.achieved_rps:.0f}",
             f"{r.p50_ms:.1f}", f"{r.p95_ms:.1f}", f"{r.p99_ms:.1f}",
             f"{r.sla_p95_ms:g}" if r.sla_p95_ms else "-",
             f"{r.error_rate:.1%}" + (f" ({r.error_codes()})" if r.error_codes() else ""),
             {"pass": "pass", "missed": "MISSED", "set-up": "SET-UP"}[r.verdict]]
            for r in results]


def print_table(results: Sequence[Result], skipped: Sequence[Skipped] = (),
                console: Console | None = None) -> None:
    """A rich table on a wide terminal (cells wrap, never cut); plain padded lines in a pipe
    or a CI log, where no width is right, and on a terminal too narrow for ten columns."""
    from rich.table import Table
    from rich.text import Text

    from archgen.runtime.console import wide_console

    console = console or wide_console()
    title = "archgen loadtest (wrk, through the gateway)"
    lines = rows(results)
    notes = [f"{r.service} {r.route}: {r.setup_problem}" for r in results if r.setup_problem]
    notes += [f"skipped {s.service} {s.route}: {s.reason}" for s in skipped]
    if not console.is_terminal or console.width < RICH_MIN_WIDTH:
        console.print(title, markup=False, highlight=False)
        if lines:
            console.print(plain_table(COLUMNS, lines), markup=False, highlight=False,
                          soft_wrap=True)
        for note in notes:
            console.print(note, markup=False, highlight=False, soft_wrap=True)
        return
    table = Table(title=title, title_justify="left")
    for column in COLUMNS:
        table.add_column(column, overflow="fold", min_width=len(column))
    styles = {"pass": "green", "MISSED": "bold red", "SET-UP": "bold yellow"}
    for row in lines:
        table.add_row(*row[:-1], Text(row[-1], styles[row[-1]]))
    console.print(table)
    for note in notes:
        console.print(Text(note, "yellow"))

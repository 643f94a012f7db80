"""Order creation through the gateway at fixed rates while the saga runs: the seed's SLA.

    python -m bench.sla_rate [--rates 500,200,100,50] [--seconds 30] [--drain 180]

One `archgen up` of the e-commerce blueprint (`--embedded memory`, dashboard on, as
bench.system_cpu starts it). For each rate, `archgen loadtest`'s wrk run (its Lua
script, its connection shape, a token of the enterprise tier) POSTs orders to
order-service through Envoy for `--seconds`; every order starts the saga (inventory,
payment, shipping, notification), so the consumers run under the same load. Then
the consumer groups' lag, read from the dashboard's `/api/lag`, is polled until it is
back to 0: the backlog's drain time. CPU is read from /proc per part over the load
window (bench.system_cpu), so the figures say where the machine went when a rate is
not carried.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from archgen.runtime.loadtest import Result, Target, run_wrk
from bench.common import ROOT, WORK
from bench.system_cpu import (
    CORES,
    ORDERS,
    TICK,
    System,
    drive,
    gateway_token,
    order_body,
    settled,
)

SLA_P95_MS = 200.0  # order-service's catalog SLA


@dataclass
class Step:
    rate: float
    result: Result
    seconds: float
    per_part: dict[str, float]  # CPU seconds in the load window
    drain_s: float | None  # lag back to 0 after the load; None: not within --drain

    @property
    def machine_pct(self) -> float:
        return 100 * sum(self.per_part.values()) / self.seconds / CORES


def total_lag(dashboard: str) -> int | None:
    """Messages not yet handled over every consumer group; None when unreadable."""
    try:
        data: dict[str, Any] = httpx.get(f"{dashboard}/api/lag", timeout=10).json()
    except (httpx.HTTPError, ValueError):
        return None
    if data.get("error") or data.get("read_at") is None:
        return None
    return sum(int(row.get("lag", 0)) for row in data.get("groups", []))


def drained(dashboard: str, timeout_s: float) -> float | None:
    """Seconds until the lag reads 0 twice in a row (the probe may answer from its last
    read while it reads again); None when not within `timeout_s`."""
    start = time.monotonic()
    zeros = 0
    while time.monotonic() - start < timeout_s:
        lag = total_lag(dashboard)
        zeros = zeros + 1 if lag == 0 else 0
        if zeros >= 2:
            return time.monotonic() - start
        time.sleep(0.5)
    return None


def step(system: System, token: str, body: str, rate: float, seconds: float,
         drain_timeout_s: float) -> Step:
    target = Target("order-service", "POST", ORDERS, f"POST {ORDERS}", rate, SLA_P95_MS, body)
    before, start = system.ticks(), time.monotonic()
    result = run_wrk(str(system.state["gateway"]), target, token, seconds)
    after, took = system.ticks(), time.monotonic() - start
    per = {k: (after[k] - before.get(k, 0)) / TICK for k in after}
    dashboard = system.state.get("dashboard")
    drain = drained(str(dashboard), drain_timeout_s) if dashboard else None
    return Step(rate, result, took, per, drain)


def report(steps: list[Step]) -> str:
    lines = ["| target/s | achieved/s | p50 ms | p95 ms | p99 ms | errors | SLA (p95 < 200 ms, "
             "no 5xx) | machine CPU | CPU-ms per request | backlog drained |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for s in steps:
        r = s.result
        five = sum(n for code, n in r.codes.items() if code.startswith("5"))
        met = r.p95_ms < SLA_P95_MS and five == 0 and r.achieved_rps >= 0.9 * s.rate
        per_request = 1000 * sum(s.per_part.values()) / r.requests if r.requests else 0
        drain = "not in time" if s.drain_s is None else f"{s.drain_s:.1f} s"
        lines.append(f"| {s.rate:g} | {r.achieved_rps:.0f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | "
                     f"{r.p99_ms:.1f} | {r.error_rate:.1%} {r.error_codes()} | "
                     f"{'met' if met else 'missed'} | {s.machine_pct:.0f}% | "
                     f"{per_request:.1f} | "
                     f"{drain} |")
    lines.append("")
    lines.append("CPU per part in each load window, share of the machine:")
    parts = sorted({p for s in steps for p in s.per_part},
                   key=lambda p: -max(s.per_part.get(p, 0) for s in steps))
    for p in parts[:10]:
        shares = ", ".join(f"{100 * s.per_part.get(p, 0) / s.seconds / CORES:.1f}%"
                           for s in steps)
        lines.append(f"    {p}: {shares}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sla_rate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="500,200,100,50",
                        help="orders per second, comma-separated, run in this order")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--drain", type=float, default=180,
                        help="seconds to wait for the backlog after each rate")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--src", type=Path, default=ROOT / "src",
                        help="the archgen source tree whose `archgen up` is loaded (another "
                        "commit's src/, to compare)")
    args = parser.parse_args(argv)
    rates = [float(r) for r in args.rates.split(",")]
    WORK.mkdir(parents=True, exist_ok=True)
    system = System(args.src.resolve(), "sla", [])
    steps: list[Step] = []
    try:
        token = gateway_token(system)
        base, body = system.service("order-service"), order_body()
        warm = asyncio.run(drive(base, body, 5, 10))  # pools, statements, consumers
        asyncio.run(settled(base, warm, 30, 0.05))
        load = os.getloadavg()
        for rate in rates:
            steps.append(step(system, token, json.dumps(body), rate, args.seconds,
                              args.drain))
            r = steps[-1].result
            print(f"{rate:g}/s: {r.achieved_rps:.0f}/s achieved, p95 {r.p95_ms:.1f} ms, "
                  f"{r.error_codes() or 'no errors'}", file=sys.stderr)
    finally:
        system.stop()
    print(f"{CORES} cores; load average at start {', '.join(f'{x:.2f}' for x in load)}, "
          f"at end {', '.join(f'{x:.2f}' for x in os.getloadavg())}; {args.seconds:g} s per "
          "rate, POST /api/v1/orders through the gateway, the saga running")
    print(report(steps))
    if args.json is not None:
        args.json.write_text(json.dumps([{**s.__dict__, "result": s.result.as_dict()}
                                         for s in steps], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""After a burst past capacity: how soon is the SLA met again, and is any order lost?

    python -m bench.burst [--rate 200] [--seconds 10] [--probe 10] [--after 20]

One `archgen up` of the e-commerce blueprint (as bench.sla_rate starts it). A probe
client creates orders through the gateway at `--probe` per second, open loop, from
5 s before the burst to `--after` seconds after it, and records when each request
started, its latency and its status. The burst is `archgen loadtest`'s wrk run at
`--rate` orders per second for `--seconds` (2x what this machine carries with the
saga running: bench.sla_rate measured about 100/s within the SLA).

Recovery is read in one-second windows of the probe's requests, by start time: the
first window after the burst's end from which every later window has its p95 under
the SLA and no 503 or 5xx. Afterwards the consumers' lag must drain to 0 and every
order the probe had answered 201 must reach a final state (nothing lost or stuck);
the burst's own orders are covered by the drained lag.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from archgen.runtime.loadtest import Result, Target, run_wrk
from bench.common import ROOT, WORK
from bench.running import percentile
from bench.sla_rate import SLA_P95_MS, drained
from bench.system_cpu import ORDERS, System, drive, gateway_token, order_body, settled

LEAD_S = 5.0  # the probe runs alone before the burst: the baseline windows


@dataclass
class Probe:
    at_s: float  # when the request started, seconds after the burst's start
    ms: float
    status: int  # 0: no answer (a connection error or the client's timeout)
    key: str = ""  # the order's id when created


@dataclass
class Window:
    start_s: float  # seconds after the burst's end
    requests: int
    p95_ms: float
    shed: int  # 503
    failed: int  # other 5xx and no answer

    @property
    def within(self) -> bool:
        return self.p95_ms < SLA_P95_MS and self.shed == 0 and self.failed == 0


async def probe(gateway: str, token: str, body: dict[str, Any], rate: float, until: float,
                origin: float) -> list[Probe]:
    """Orders at `rate` per second until `until` (monotonic), each timed on its own."""
    found: list[Probe] = []
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=gateway, timeout=10, headers=headers,
                                 limits=httpx.Limits(max_connections=100)) as client:
        async def one() -> None:
            start = time.monotonic()
            try:
                made = await client.post(ORDERS, json={**body,
                                                       "customer_id": str(uuid.uuid4())})
                status = made.status_code
                key = str(made.json().get("id", "")) if status == 201 else ""
            except httpx.HTTPError:
                status, key = 0, ""
            found.append(Probe(start - origin, (time.monotonic() - start) * 1000, status, key))

        tasks = []
        i = 0
        while (due := origin - LEAD_S + i / rate) < until:
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
            i += 1
        await asyncio.gather(*tasks)
    return found


def windows(probes: list[Probe], burst_end_s: float) -> list[Window]:
    """One-second windows by start time, from the probe's first request on."""
    first = min(p.at_s for p in probes)
    buckets: dict[int, list[Probe]] = {}
    for p in probes:
        buckets.setdefault(int(p.at_s - first), []).append(p)
    found = []
    for index in sorted(buckets):
        rows = buckets[index]
        found.append(Window(first + index - burst_end_s, len(rows),
                            percentile([p.ms for p in rows], 95),
                            sum(p.status == 503 for p in rows),
                            sum(p.status == 0 or (p.status >= 500 and p.status != 503)
                                for p in rows)))
    return found


def recovery_s(found: list[Window]) -> float | None:
    """Seconds after the burst's end until every later window is within the SLA."""
    after = [w for w in found if w.start_s >= 0]
    if not after or not after[-1].within:
        return None
    start = len(after) - 1
    while start > 0 and after[start - 1].within:
        start -= 1
    return after[start].start_s


def report(found: list[Window], burst: Result, rate: float, recovered: float | None,
           drain_s: float | None, unfinished: int, created: int) -> str:
    lines = [f"burst: {rate:g}/s target, {burst.achieved_rps:.0f}/s achieved, p95 "
             f"{burst.p95_ms:.1f} ms, {burst.error_codes() or 'no errors'}",
             "", "| window (s after the burst's end) | probes | p95 ms | 503 | other 5xx or "
             "no answer | within the SLA |", "|---|---|---|---|---|---|"]
    lines += [f"| {w.start_s:+.1f} | {w.requests} | {w.p95_ms:.1f} | {w.shed} | {w.failed} | "
              f"{'yes' if w.within else 'no'} |" for w in found]
    lines += ["", "recovered: " + ("not within the run" if recovered is None
                                   else f"{recovered:.1f} s after the burst's end"),
              "backlog drained: " + ("not in time" if drain_s is None else f"{drain_s:.1f} s"),
              f"probe orders created: {created}, not final after the drain: {unfinished}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.burst", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200, help="the burst's orders/s")
    parser.add_argument("--seconds", type=float, default=10, help="the burst's length")
    parser.add_argument("--probe", type=float, default=10, help="the probe's orders/s")
    parser.add_argument("--after", type=float, default=20,
                        help="seconds the probe goes on after the burst")
    parser.add_argument("--drain", type=float, default=180)
    parser.add_argument("--json", type=Path, help="also write the probe's requests here")
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    system = System(args.src.resolve(), "burst", [])
    try:
        token = gateway_token(system)
        base, body = system.service("order-service"), order_body()
        warm = asyncio.run(drive(base, body, 5, 10))
        asyncio.run(settled(base, warm, 30, 0.05))
        load = os.getloadavg()
        origin = time.monotonic() + LEAD_S
        until = origin + args.seconds + args.after
        probes: list[Probe] = []
        gateway = str(system.state["gateway"])
        prober = threading.Thread(target=lambda: probes.extend(asyncio.run(
            probe(gateway, token, body, args.probe, until, origin))))
        prober.start()
        time.sleep(max(0.0, origin - time.monotonic()))
        target = Target("order-service", "POST", ORDERS, f"POST {ORDERS}", args.rate,
                        SLA_P95_MS, json.dumps(body))
        burst = run_wrk(gateway, target, token, args.seconds)
        burst_end = time.monotonic() - origin
        prober.join()
        dashboard = system.state.get("dashboard")
        drain = drained(str(dashboard), args.drain) if dashboard else None
        keys = [p.key for p in probes if p.key]
        unfinished = asyncio.run(settled(base, keys, 60, 0.2))
    finally:
        system.stop()
    found = windows(probes, burst_end)
    recovered = recovery_s(found)
    statuses = Counter(p.status for p in probes)
    print(f"{os.cpu_count()} cores; load average at start {', '.join(f'{x:.2f}' for x in load)}"
          f", at end {', '.join(f'{x:.2f}' for x in os.getloadavg())}; probe {args.probe:g}/s "
          f"from {LEAD_S:g} s before the burst to {args.after:g} s after; statuses "
          f"{dict(sorted(statuses.items()))}; probe p50 before the burst "
          f"{statistics.median(p.ms for p in probes if p.at_s < 0):.1f} ms")
    print(report(found, burst, args.rate, recovered, drain, unfinished, len(keys)))
    if args.json is not None:
        args.json.write_text(json.dumps({"burst": burst.as_dict(), "burst_end_s": burst_end,
                                         "probes": [asdict(p) for p in probes]}, indent=1))
    return 0 if recovered is not None and unfinished == 0 and drain is not None else 1


if __name__ == "__main__":
    sys.exit(main())

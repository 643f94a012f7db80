"""CPU of the whole running blueprint (`archgen up`), idle and per order of the saga.

    python -m bench.system_cpu idle [--seconds 60] [--rounds 3] [--vs OTHER_SRC]
    python -m bench.system_cpu saga [--rate 20] [--orders 400] [--rounds 3] [--vs OTHER_SRC]
    python -m bench.system_cpu idle --profile LABEL   # also py-spy the Python parts
    python -m bench.system_cpu saga --profile LABEL   # py-spy two services under load
    python -m bench.system_cpu gateway --seconds 5    # Envoy's CPU per request, JWT included
    python -m bench.system_cpu idle --vs src --vs-env KAFKA_FETCH_MAX_WAIT_MS=10  # settings

Each round starts `archgen up` of the e-commerce blueprint (`--embedded memory`, as
bench/running.py does) with this tree's archgen (`src/`), or, with `--vs`, alternately
with this tree's and with another source tree's (a `git worktree` of the commit to
compare against): paired rounds A B, B A, ... on the same machine at nearly the same
time. The CPU is read from /proc: utime + stime of every process under `archgen up`
(the supervisor and dashboard, the broker, PostgreSQL and its backends, Valkey, the
services, Envoy, the standby), plus what each reaped of its children (cutime + cstime),
so a busy machine's other work is not counted. Figures are shares of the whole machine
(all cores) and CPU-ms per order; the medians over rounds and of the per-pair ratios
are what to read.

idle: after all-healthy and a settling pause, nothing is sent for `--seconds`; then
`--latency` orders are created one at a time (POST to order-service directly) and each
is polled until the saga has finished with it (shipped or cancelled): the event
latency the idle figure must not buy.

saga: orders are POSTed to order-service at a fixed `--rate` (open loop) until
`--orders` were sent; the CPU window runs from the first POST until the last order has
reached its final state (only that order is polled, every 50 ms), and the CPU per order
is the window's CPU over the orders created (a POST refused with 503, when the service
sheds, is counted apart). Every order is then checked (outside the window).

gateway: wrk (2 threads, 20 connections) GETs one order through the gateway with a token
of `archgen token`; the figure is Envoy's CPU per request (JWT verification included).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.common import PROFILES, ROOT, WORK
from bench.running import parse_wrk, percentile
from bench.side_by_side import summarize

CATALOG = ROOT / "blueprints" / "ecommerce" / "catalog.yaml"
TICK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1
ORDERS = "/api/v1/orders"
FINAL = frozenset({"shipped", "cancelled"})
READY_TIMEOUT_S = 240.0
SUPERVISOR = "archgen up (supervisor, dashboard)"


@dataclass(frozen=True)
class Proc:
    ppid: int
    ticks: int  # utime + stime + cutime + cstime
    cmd: str


def processes() -> dict[int, Proc]:
    found: dict[int, Proc] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile: its ticks are in its parent's cutime
        # after the comm field: state=0 ppid=1 ... utime=11 stime=12 cutime=13 cstime=14
        found[int(entry.name)] = Proc(int(stat[1]), sum(int(x) for x in stat[11:15]), cmd)
    return found


def descendants(root: int, procs: dict[int, Proc]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, p in procs.items():
        children.setdefault(p.ppid, []).append(pid)
    seen, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


class System:
    """One `archgen up` of the blueprint from the archgen in `src`, in its own session."""

    def __init__(self, src: Path, label: str, extra: list[str],
                 env_extra: dict[str, str] | None = None) -> None:
        self.src, self.label = src, label
        self.out = WORK / f"system-cpu-{label}"
        self.state_file = self.out / ".archgen" / "up.json"
        with contextlib.suppress(FileNotFoundError):
            self.state_file.unlink()
        self.out.mkdir(parents=True, exist_ok=True)
        self.log = (WORK / f"system-cpu-{label}.log").open("wb")
        env = {**os.environ, **(env_extra or {}), "PYTHONPATH": str(src)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "archgen", "up", str(CATALOG), "-o", str(self.out), "-q",
             "--embedded", "memory", *extra], cwd=ROOT, env=env, stdout=self.log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.state = self._wait_ready()

    def _wait_ready(self) -> dict[str, Any]:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"`archgen up` ({self.label}) exited {self.proc.returncode}")
            with contextlib.suppress(OSError, ValueError):
                state: dict[str, Any] = json.loads(self.state_file.read_text())
                if state.get("services"):
                    return state
            time.sleep(0.2)
        raise RuntimeError(f"`archgen up` ({self.label}) not healthy in {READY_TIMEOUT_S} s")

    def part_of(self) -> dict[int, str]:
        """Each process of the system -> the part it belongs to."""
        procs = processes()
        owner = {self.proc.pid: SUPERVISOR}
        for part in self.state.get("parts", []):
            for pid in descendants(int(part["pid"]), procs):
                owner[pid] = str(part["name"])
        for pid in descendants(self.proc.pid, procs):
            if pid not in owner:
                cmd = procs[pid].cmd
                owner[pid] = "standby" if "runtime.standby" in cmd else (
                    "reaper" if "runtime.reaper" in cmd else cmd.split(" ")[0].rsplit("/")[-1])
        return owner

    def ticks(self) -> Counter[str]:
        """CPU ticks so far per part (processes that exited are in their parent's cutime)."""
        procs = processes()
        owner = self.part_of()
        per: Counter[str] = Counter()
        for pid in descendants(self.proc.pid, procs):
            per[owner.get(pid, "other")] += procs[pid].ticks
        return per

    def service(self, name: str) -> str:
        return str(self.state["services"][name])

    def pid(self, name: str) -> int:
        return next(int(p["pid"]) for p in self.state["parts"] if p["name"] == name)

    def stop(self) -> None:
        for sig, wait in ((signal.SIGINT, 30), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            if self.proc.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)  # the session this benchmark started
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(wait)
        self.log.close()


def order_body() -> dict[str, Any]:
    """The order `archgen up --smoke` creates: derived from the catalog's models."""
    from archgen.catalog import load_catalog
    from archgen.runtime.flows import create_call

    catalog = load_catalog(CATALOG).catalog
    call = create_call(catalog.services["order-service"]) if catalog else None
    return dict(call.body) if call and isinstance(call.body, dict) else {}


@dataclass
class Round:
    label: str
    seconds: float
    per_part: dict[str, float]  # CPU seconds in the window
    orders: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    unfinished: int = 0
    refused: int = 0  # saga: POSTs answered other than 201 (503 when the service sheds)

    @property
    def cpu_s(self) -> float:
        return sum(self.per_part.values())

    @property
    def machine_pct(self) -> float:
        return 100 * self.cpu_s / self.seconds / CORES

    @property
    def per_order_ms(self) -> float:
        return 1000 * self.cpu_s / self.orders if self.orders else 0.0


def window(system: System, seconds: float) -> tuple[float, dict[str, float]]:
    before, start = system.ticks(), time.monotonic()
    time.sleep(seconds)
    after, took = system.ticks(), time.monotonic() - start
    return took, {k: (after[k] - before.get(k, 0)) / TICK for k in after}


async def latencies(base: str, body: dict[str, Any], count: int) -> list[float]:
    """POST -> the order's final state, one order at a time, polled every 5 ms."""
    found: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        for _ in range(count):
            start = time.perf_counter()
            made = await client.post(ORDERS, json={**body, "customer_id": str(uuid.uuid4())})
            made.raise_for_status()
            key = made.json()["id"]
            while time.perf_counter() - start < 10:
                if (await client.get(f"{ORDERS}/{key}")).json().get("status") in FINAL:
                    found.append((time.perf_counter() - start) * 1000)
                    break
                await asyncio.sleep(0.005)
    return found


async def drive(base: str, body: dict[str, Any], rate: float, count: int,
                refused: Counter[int] | None = None) -> list[str]:
    """POST `count` orders at `rate` per second (open loop); the ids of those created (the
    others' statuses are counted in `refused`)."""
    ids: list[str] = []
    async with httpx.AsyncClient(base_url=base, timeout=30,
                                 limits=httpx.Limits(max_connections=50)) as client:
        async def one() -> None:
            made = await client.post(ORDERS, json={**body, "customer_id": str(uuid.uuid4())})
            if made.status_code == 201 or refused is None:
                made.raise_for_status()
                ids.append(made.json()["id"])
            else:
                refused[made.status_code] += 1

        start = time.perf_counter()
        tasks = []
        for i in range(count):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
    return ids


async def settled(base: str, ids: list[str], timeout_s: float, every_s: float) -> int:
    """Wait until every order is final, polling only the last until it is; the unfinished."""
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        async def final(key: str) -> bool:
            return (await client.get(f"{ORDERS}/{key}")).json().get("status") in FINAL

        pending = list(ids)
        while pending and time.monotonic() < deadline:
            if await final(pending[-1]):
                pending.pop()
                if pending:
                    pending = [k for k in pending if not await final(k)]
            else:
                await asyncio.sleep(every_s)
        return len(pending)


def saga_round(system: System, rate: float, count: int, profile_label: str = "") -> Round:
    base, body = system.service("order-service"), order_body()
    warm = asyncio.run(drive(base, body, 5, 10))  # warm up: pools, statements, consumers
    asyncio.run(settled(base, warm, 30, 0.05))
    time.sleep(3)
    spies = [_spy(system, part, profile_label, int(count / rate))
             for part in (("order-service", "payment-service") if profile_label else ())]
    before, start = system.ticks(), time.monotonic()
    refused: Counter[int] = Counter()
    ids = asyncio.run(drive(base, body, rate, count, refused))

    async def last_done() -> None:  # only the last order is polled inside the window
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                got = (await client.get(f"{ORDERS}/{ids[-1]}")).json().get("status")
                if got in FINAL:
                    return
                await asyncio.sleep(0.05)

    asyncio.run(last_done())
    after, took = system.ticks(), time.monotonic() - start
    unfinished = asyncio.run(settled(base, ids, 60, 0.2))
    for part, spy in zip(("order-service", "payment-service"), spies, strict=False):
        spy.wait(timeout=120)
        raw = PROFILES / f"saga-{part}-{profile_label}.collapsed.txt"
        (PROFILES / f"saga-{part}-{profile_label}.txt").write_text(summarize(
            raw.read_text(), f"{part} during the saga at {rate:g} orders/s, {profile_label}")
            .replace("of the generated order-service at saturation", ""))
    per = {k: (after[k] - before.get(k, 0)) / TICK for k in after}
    return Round(system.label, took, per, orders=len(ids), unfinished=unfinished,
                 refused=sum(refused.values()))


def _spy(system: System, part: str, label: str, seconds: int) -> subprocess.Popen[bytes]:
    if shutil.which("py-spy") is None:
        raise SystemExit("py-spy is not installed: pip install py-spy")
    PROFILES.mkdir(exist_ok=True)
    raw = PROFILES / f"saga-{part}-{label}.collapsed.txt"
    return subprocess.Popen(["py-spy", "record", "--nonblocking", "-r", "250", "-d",
                             str(seconds), "-f", "raw", "-o", str(raw), "-p",
                             str(system.pid(part))], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def gateway_token(system: System) -> str:
    """A JWT of the enterprise tier for the running system's gateway (`archgen token`)."""
    done = subprocess.run(
        [sys.executable, "-m", "archgen", "token", str(CATALOG), "-o", str(system.out),
         "--tier", "enterprise"], cwd=ROOT, capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(system.src)})
    return done.stdout.strip().splitlines()[-1]


def gateway_round(system: System, seconds: int) -> Round:
    """wrk GETs of one order through the gateway with a token: Envoy's CPU per request."""
    base, body = system.service("order-service"), order_body()
    key = asyncio.run(drive(base, body, 5, 1))[0]
    token = gateway_token(system)
    url = f"{system.state['gateway']}{ORDERS}/{key}"
    args = ["wrk", "-t2", "-c20", "--latency", "-H", f"Authorization: Bearer {token}", url]
    subprocess.run([*args[:3], "-d2s", *args[3:]], capture_output=True, check=True)  # warm
    before, start = system.ticks(), time.monotonic()
    done = subprocess.run([*args[:3], f"-d{seconds}s", *args[3:]], capture_output=True,
                          text=True, check=True)
    after, took = system.ticks(), time.monotonic() - start
    result = parse_wrk(done.stdout)
    if result is None:
        raise RuntimeError(f"wrk measured nothing: {done.stdout}")
    per = {k: (after[k] - before.get(k, 0)) / TICK for k in after}
    return Round(system.label, took, per, orders=result.requests, refused=result.non_2xx)


def profile(system: System, label: str, seconds: int, parts: list[str]) -> list[Path]:
    """py-spy of the Python parts while idle (non-idle samples only)."""
    if shutil.which("py-spy") is None:
        raise SystemExit("py-spy is not installed: pip install py-spy")
    PROFILES.mkdir(exist_ok=True)
    written = []
    for part in parts:
        pid = system.proc.pid if part == "supervisor" else system.pid(part)
        raw = PROFILES / f"idle-{part}-{label}.collapsed.txt"
        subprocess.run(["py-spy", "record", "--nonblocking", "-r", "200", "-d", str(seconds),
                        "-f", "raw", "-o", str(raw), "-p", str(pid)], capture_output=True,
                       check=True, timeout=seconds + 60)
        summary = PROFILES / f"idle-{part}-{label}.txt"
        summary.write_text(summarize(raw.read_text(), f"{part} of the idle blueprint, {label}")
                           .replace("of the generated order-service at saturation", "")
                           .replace("idle included", "threads blocked in a syscall counted"))
        written.append(summary)
    return written


def report(kind: str, rounds: list[Round], labels: list[str]) -> str:
    lines = []
    for label in labels:
        mine = [r for r in rounds if r.label == label]
        if not mine:
            continue
        parts = sorted({p for r in mine for p in r.per_part},
                       key=lambda p: -statistics.median(r.per_part.get(p, 0) for r in mine))
        if kind == "idle":
            head = (f"{label}: idle, median of {len(mine)} rounds: "
                    f"{statistics.median(r.machine_pct for r in mine):.2f}% of the machine "
                    f"({', '.join(f'{r.machine_pct:.2f}' for r in mine)})")
            lat = [x for r in mine for x in r.latencies_ms]
            if lat:
                head += (f"; POST -> final state over {len(lat)} orders: p50 "
                         f"{percentile(lat, 50):.0f} ms, p99 {percentile(lat, 99):.0f} ms")
            lines.append(head)
            for p in parts:
                share = statistics.median(100 * r.per_part.get(p, 0) / r.seconds / CORES
                                          for r in mine)
                lines.append(f"    {share:6.2f}%  {p}")
        elif kind == "gateway":
            gw = [1000 * r.per_part.get("gateway", 0) / r.orders for r in mine]
            lines.append(f"{label}: gateway, median of {len(mine)} rounds: "
                         f"{statistics.median(gw):.3f} CPU-ms of Envoy per request "
                         f"({', '.join(f'{x:.3f}' for x in gw)}), "
                         f"{sum(r.orders for r in mine)} requests, "
                         f"{sum(r.refused for r in mine)} non-2xx")
            for p in parts:
                per = statistics.median(1000 * r.per_part.get(p, 0) / r.orders for r in mine)
                lines.append(f"    {per:6.3f} ms  {p}")
        else:
            lines.append(f"{label}: saga, median of {len(mine)} rounds: "
                         f"{statistics.median(r.per_order_ms for r in mine):.1f} CPU-ms per "
                         f"order ({', '.join(f'{r.per_order_ms:.1f}' for r in mine)}), "
                         f"{sum(r.orders for r in mine)} orders created, "
                         f"{sum(r.refused for r in mine)} refused, "
                         f"{sum(r.unfinished for r in mine)} not final after 60 s")
            for p in parts:
                per = statistics.median(1000 * r.per_part.get(p, 0) / r.orders for r in mine)
                lines.append(f"    {per:6.2f} ms  {p}")
    if len(labels) == 2:
        a = [r for r in rounds if r.label == labels[0]]
        b = [r for r in rounds if r.label == labels[1]]
        def key(r: Round) -> float:
            if kind == "gateway":
                return r.per_part.get("gateway", 0) / r.orders
            return r.machine_pct if kind == "idle" else r.per_order_ms

        ratios = [key(x) / key(y) for x, y in zip(a, b, strict=False) if key(y)]
        if ratios:
            lines.append(f"{labels[0]} / {labels[1]}: median of the pairs' ratios "
                         f"{statistics.median(ratios):.2f}x "
                         f"({', '.join(f'{x:.2f}' for x in ratios)})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.system_cpu", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=("idle", "saga", "gateway"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=60,
                        help="idle: the CPU window; gateway: wrk's run")
    parser.add_argument("--settle", type=float, default=15,
                        help="idle: seconds after all-healthy before the window")
    parser.add_argument("--latency", type=int, default=20,
                        help="idle: orders timed POST -> final state after the window")
    parser.add_argument("--rate", type=float, default=20, help="saga: orders per second")
    parser.add_argument("--orders", type=int, default=400, help="saga: orders per round")
    parser.add_argument("--vs", type=Path, metavar="SRC",
                        help="another archgen source tree (its src/) to pair against")
    parser.add_argument("--label", default="this", help="this tree's name in the report")
    parser.add_argument("--vs-label", default="other")
    parser.add_argument("--vs-env", action="append", default=[], metavar="NAME=VALUE",
                        help="environment of the --vs tree's `archgen up` (repeatable); "
                        "--vs src --vs-env ... compares settings of this tree")
    parser.add_argument("--up-args", default="", help="more options for `archgen up`, "
                        "e.g. --up-args=--no-dashboard")
    parser.add_argument("--profile", metavar="LABEL",
                        help="py-spy into bench/profiles/: idle, the supervisor and "
                        "order-service (idle-<part>-LABEL.txt); saga, order-service and "
                        "payment-service while orders are sent (saga-<part>-LABEL.txt); "
                        "first round, this tree")
    args = parser.parse_args(argv)
    trees = [(args.label, ROOT / "src")]
    if args.vs is not None:
        trees.append((args.vs_label, args.vs.resolve()))
    vs_env = dict(kv.split("=", 1) for kv in args.vs_env)
    WORK.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()
    rounds: list[Round] = []
    for r in range(args.rounds):
        for label, src in trees[r % 2:] + trees[:r % 2]:
            system = System(src, label, args.up_args.split(),
                            vs_env if label == args.vs_label else None)
            try:
                if args.kind == "idle":
                    time.sleep(args.settle)
                    took, per = window(system, args.seconds)
                    done = Round(label, took, per)
                    if args.profile and r == 0 and label == args.label:
                        for path in profile(system, args.profile, 15,
                                            ["supervisor", "order-service"]):
                            print(f"profile: {path.relative_to(ROOT)}", file=sys.stderr)
                    done.latencies_ms = asyncio.run(latencies(
                        system.service("order-service"), order_body(), args.latency))
                elif args.kind == "gateway":
                    done = gateway_round(system, int(args.seconds))
                else:
                    done = saga_round(system, args.rate, args.orders,
                                      args.profile if r == 0 and label == args.label else "")
            finally:
                system.stop()
            rounds.append(done)
            print(f"[{r + 1}/{args.rounds}] {label}: " + report(args.kind, [done], [label])
                  .splitlines()[0].split(": ", 1)[1], file=sys.stderr)
    load_end = os.getloadavg()
    print(f"\n{args.kind}, {args.rounds} round(s) per tree, alternating; {CORES} cores; "
          f"load average (1, 5, 15 min) at start {', '.join(f'{x:.2f}' for x in load_start)}"
          f", at end {', '.join(f'{x:.2f}' for x in load_end)}")
    if args.kind == "saga":
        print(f"{args.orders} orders per round at {args.rate:g}/s, POST to order-service")
    print(report(args.kind, rounds, [t[0] for t in trees]))
    (WORK / f"system-cpu-{args.kind}.json").write_text(json.dumps(
        {"load": [load_start, load_end], "rounds": [r.__dict__ for r in rounds]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

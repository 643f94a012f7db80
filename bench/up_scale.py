"""`archgen up` of a synthetic catalog of N services: time to all parts ready, and its CPU.

    python -m bench.up_scale [--services 40 | --catalog PATH] [--runs 3] [-- EXTRA UP ARGS]

The catalog is bench.synth's (`cached_catalog(N)`), or a copy of `--catalog` (e.g. the
e-commerce blueprint), generated once (not timed). Each run
starts `archgen up --embedded memory` (MongoDB cannot run here) in its own session, and
when up.json appears (every part ready) reads, from /proc, the CPU `archgen up` and every
process under it have used so far (user + system, reaped children included) and each
service process's own. It prints the median of the runs and the machine's load around them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import BENCH, ROOT
from bench.synth import cached_catalog

READY_TIMEOUT_S = 300.0
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    ready_s: float  # spawn to up.json
    cpu_s: float  # `archgen up` and every process under it, at ready
    service_cpu_s: list[float]  # each service process's own, at ready
    by_kind: dict[str, float]  # CPU at ready per kind of part ("archgen": up itself)
    timeline: list[tuple[float, str]]  # (s since spawn, service) as each logs it is serving
    load: tuple[float, float]  # 1-min load average before and after


def _stat(pid: str) -> tuple[int, float] | None:
    """(parent pid, CPU seconds incl. reaped children) of a process, None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    # after the command: state ppid ... utime(11) stime(12) cutime(13) cstime(14)
    return int(fields[1]), sum(int(f) for f in fields[11:15]) / TICK


def tree_cpu(root: int) -> float:
    """CPU seconds of `root` and every process under it (the services run in sessions of
    their own, so the tree, not the session, is the run)."""
    stats = {int(pid): found for pid in os.listdir("/proc")
             if pid.isdigit() and (found := _stat(pid)) is not None}
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
        todo += children.get(pid, [])
    return total


def _load() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def prepare(source: Path, folder: Path) -> Path:
    """A copy of the catalog `source` in `folder`, its system generated in folder/out."""
    folder.mkdir(parents=True, exist_ok=True)
    catalog = folder / "catalog.yaml"
    text = source.read_text(encoding="utf-8")
    if not catalog.exists() or catalog.read_text(encoding="utf-8") != text:
        catalog.write_text(text, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "archgen", "generate", str(catalog), "-o",
                    str(folder / "out")], check=True, stdout=subprocess.DEVNULL, env=_env())
    return catalog


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def run_once(catalog: Path, extra: list[str]) -> Run:
    folder = catalog.parent
    state = folder / "out" / ".archgen" / "up.json"
    with contextlib.suppress(FileNotFoundError):
        state.unlink()
    load_before = _load()
    log_path = folder / "up.log"
    started = time.perf_counter()
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "archgen", "up", str(catalog), "-o",
                                 str(folder / "out"), "--embedded", "memory", *extra],
                                cwd=folder, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, env=_env())
    timeline: list[tuple[float, str]] = []
    seen = 0
    try:
        while True:
            now = time.perf_counter() - started
            if now > READY_TIMEOUT_S or proc.poll() is not None:
                raise RuntimeError(f"archgen up: not ready (exit {proc.poll()}); see {log_path}")
            text = log_path.read_bytes()[seen:]
            cut = text.rfind(b"\n") + 1
            seen += cut
            for line in text[:cut].decode(errors="replace").splitlines():
                if "Application startup complete" in line:
                    timeline.append((now, line.split("|", 1)[0].strip()))
            with contextlib.suppress(OSError, ValueError):
                data = json.loads(state.read_text(encoding="utf-8"))
                if data.get("services"):
                    break
            time.sleep(0.05)
        ready = time.perf_counter() - started
        cpu = tree_cpu(proc.pid)
        kinds = {p["name"]: p["kind"] for p in data.get("parts", [])}
        services = [found[1] for name, pid in data["pids"].items()
                    if kinds.get(name) == "service" and (found := _stat(str(pid)))]
        by_kind = {"archgen": (_stat(str(proc.pid)) or (0, 0.0))[1]}
        for name, pid in data["pids"].items():
            kind = kinds.get(name, "other")
            by_kind[kind] = by_kind.get(kind, 0.0) + tree_cpu(int(pid))
    finally:
        for sig, wait in ((signal.SIGINT, 60), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            if proc.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)  # the session this benchmark started
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(wait)
    return Run(ready, cpu, services, by_kind, timeline, (load_before, _load()))


def import_cpu(catalog: Path) -> tuple[float, float]:
    """CPU seconds of a bare `python -c pass`, and of a Python importing what one generated
    service imports from outside its own code (the kit included) and uvicorn: the part of
    a service's start that is the same in every service (median of 3)."""
    import resource

    from archgen.runtime.standby import third_party_imports

    services = catalog.parent / "out" / "services"
    one = next(p for p in sorted(services.iterdir()) if (p / "src").is_dir() and p.name != "_kit")
    modules = third_party_imports([one / "src"])  # the kit counts: every service shares it
    script = "import contextlib, importlib\n" + "".join(
        f"with contextlib.suppress(Exception): importlib.import_module({m!r})\n"
        for m in [*modules, "uvicorn"])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(one / "src"),
                                                         str(services / "_kit" / "src")])}

    def cpu(code: str) -> float:
        times = []
        for _ in range(3):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([sys.executable, "-c", code], env=env, check=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        return statistics.median(times)

    return cpu("pass"), cpu(script)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.up_scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=40)
    parser.add_argument("--catalog", type=Path, help="this catalog instead of a synthetic one")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("extra", nargs="*", help="more `archgen up` arguments (after --)")
    args = parser.parse_args(argv)
    if args.catalog is not None:
        catalog = prepare(args.catalog.resolve(),
                          BENCH / ".cache" / f"up-{args.catalog.parent.name}")
    else:
        catalog = prepare(cached_catalog(args.services),
                          BENCH / ".cache" / f"up-scale-{args.services}")
    bare, imports = import_cpu(catalog)
    print(f"one Python: {bare:.2f} s CPU; importing one service's libraries and the kit: "
          f"{imports:.2f} s CPU", flush=True)
    runs = []
    for i in range(args.runs):
        run = run_once(catalog, args.extra)
        runs.append(run)
        first = run.timeline[0][0] if run.timeline else float("nan")
        print(f"run {i + 1}: ready {run.ready_s:.1f} s, CPU {run.cpu_s:.1f} s "
              f"({len(run.service_cpu_s)} services, {statistics.median(run.service_cpu_s):.2f} s "
              f"each, median), first service serving at {first:.1f} s, "
              f"load {run.load[0]:.1f} -> {run.load[1]:.1f}", flush=True)
        print("  CPU by part kind: " + ", ".join(f"{k} {v:.1f} s" for k, v in
                                                 sorted(run.by_kind.items())), flush=True)
        marks = [t for t, _ in run.timeline]
        print("  services serving at (s): " + " ".join(f"{t:.0f}" for t in marks), flush=True)
        time.sleep(5)  # let the stopped run's processes go
    print(f"median of {len(runs)}: ready {statistics.median(r.ready_s for r in runs):.1f} s, "
          f"CPU {statistics.median(r.cpu_s for r in runs):.1f} s, per service "
          f"{statistics.median(s for r in runs for s in r.service_cpu_s):.2f} s; "
          f"{os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

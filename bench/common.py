"""Shared by the benchmark harness: paths, running commands interleaved,
the run context and table formatting.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / ".cache" / "run"
PROFILES = BENCH / "profiles"
PEERS_VENV = BENCH / ".venvs" / "peers"
NOTES = BENCH / "NOTES.md"
RUN_TIMEOUT_S = 900.0
PROFILE_MAX_S = 60.0
PROFILE_SMALL = 500
TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None


# ---------------------------------------------------------------- running commands
@dataclass
class Cmd:
    """A command to time. `prepare` runs before each run (untimed), `after` after it."""

    label: str
    argv: list[str]
    ok_codes: tuple[int, ...] = (0,)
    prepare: Callable[[], None] | None = None
    after: Callable[[Sample], None] | None = None
    cwd: Path = ROOT
    once_over_s: float = 60.0  # a run longer than this is not repeated (the machine is shared)
    env: dict[str, str] | None = None  # added to the environment


@dataclass
class Sample:
    wall: float
    rss_mb: float
    code: int
    ok: bool
    stdout: str
    stderr: str
    inproc: float | None = None
    extra: dict[str, float] = field(default_factory=dict)


@dataclass
class Stats:
    label: str
    argv: list[str]
    samples: list[Sample]

    @property
    def good(self) -> list[Sample]:
        return [s for s in self.samples if s.ok]

    @property
    def ok(self) -> bool:
        return bool(self.samples) and all(s.ok for s in self.samples)

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.good) if self.good else float("nan")

    @property
    def wall_min(self) -> float:
        return min((s.wall for s in self.good), default=float("nan"))

    @property
    def wall_max(self) -> float:
        return max((s.wall for s in self.good), default=float("nan"))

    @property
    def rss(self) -> float:
        return statistics.median(s.rss_mb for s in self.good) if self.good else float("nan")

    @property
    def inproc(self) -> float | None:
        values = [s.inproc for s in self.good if s.inproc is not None]
        return statistics.median(values) if values else None

    def extra(self, key: str) -> float | None:
        values = [s.extra[key] for s in self.good if key in s.extra]
        return statistics.median(values) if values else None

    @property
    def failure(self) -> str:
        bad = next((s for s in self.samples if not s.ok), None)
        if bad is None:
            return ""
        text = (bad.stderr.strip() or bad.stdout.strip()).splitlines()
        return f"exit {bad.code}: {text[-1][:160] if text else 'no output'}"


# Installed commands run from bytecode (pip compiles it at install): on a machine that sets
# PYTHONDONTWRITEBYTECODE (this one does) every run would time Python's compiler too.
_NOT_PASSED = frozenset({"PYTHONDONTWRITEBYTECODE"})


def command_env(extra: dict[str, str] | None) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k not in _NOT_PASSED}, **(extra or {})}


def cpu_of_script(script: str, args: Sequence[str], path: Sequence[Path],
                  cwd: Path | None = None) -> float:
    """Run `script` (python -c) with `path` first on PYTHONPATH; the figure it prints last."""
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", script, *args],
                          capture_output=True, text=True, check=False, cwd=cwd,
                          env=command_env({"PYTHONPATH": os.pathsep.join(map(str, path))}))
    if done.returncode != 0:
        raise SystemExit(f"{os.pathsep.join(map(str, path))}: "
                         f"{done.stderr.strip().splitlines()[-1:]}")
    return float(done.stdout.strip().splitlines()[-1])


def before_after(measure: Callable[[Path], float], before: Path, after: Path, pairs: int,
                 per: str) -> None:
    """`measure` of two trees, alternating, `pairs` times; prints each pair and the
    medians, the ratio after/before being the median of the pairs'."""
    found = []
    for _ in range(pairs):
        b, a = measure(before), measure(after)
        found.append((b, a))
        print(f"before {b:.2f} us, after {a:.2f} us: {a / b:.2f}x")
    print(f"median: before {statistics.median(b for b, _ in found):.2f} us, after "
          f"{statistics.median(a for _, a in found):.2f} us per {per}; after/before "
          f"{statistics.median(a / b for b, a in found):.2f}x (median of {pairs} pairs)")


def run_once(cmd: Cmd) -> Sample:
    if cmd.prepare:
        cmd.prepare()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as rss:
        # A forked child starts with the parent's resident set and Linux keeps that in its
        # ru_maxrss even after exec: /usr/bin/time (small) reports the command's own peak.
        argv = [TIME, "-f", "%M", "-o", rss.name, *cmd.argv] if TIME else cmd.argv
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                cwd=cmd.cwd, env=command_env(cmd.env))
        timer = threading.Timer(RUN_TIMEOUT_S, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        peak_kb = float(usage.ru_maxrss)
        with contextlib.suppress(ValueError, IndexError):
            peak_kb = float(rss.read().split()[-1])
    sample = Sample(wall, peak_kb / 1024, code, code in cmd.ok_codes, stdout, stderr)
    if cmd.argv[1:3] == ["-m", "bench.worker"] and sample.ok:
        with contextlib.suppress(ValueError, IndexError, KeyError):
            sample.inproc = float(json.loads(stdout.strip().splitlines()[-1])["seconds"])
    if cmd.after and sample.ok:
        cmd.after(sample)
    return sample


def interleaved(cmds: Sequence[Cmd], repeats: int, warmup: int = 0,
                log: Callable[[str], None] = print) -> dict[str, Stats]:
    """Run every command `repeats` times, rotating the order each round; medians per label."""
    stats = {c.label: Stats(c.label, c.argv, []) for c in cmds}
    for _ in range(warmup):
        for c in cmds:
            run_once(c)
    for r in range(repeats):
        order = list(cmds[r % len(cmds):]) + list(cmds[: r % len(cmds)])
        for c in order:
            done = stats[c.label].samples
            if done and (not stats[c.label].ok or done[0].wall > c.once_over_s):
                continue  # failed, or too slow to repeat: do not spend the machine on it again
            sample = run_once(c)
            stats[c.label].samples.append(sample)
            log(f"    [{r + 1}/{repeats}] {c.label}: {sample.wall:.3f} s, "
                f"{sample.rss_mb:.0f} MB" + ("" if sample.ok else f" FAILED (exit {sample.code})"))
    return stats


# ---------------------------------------------------------------- context and results
@dataclass
class Goal:
    what: str
    target: str
    measured: str
    met: bool | None  # None: not measurable yet


@dataclass
class Section:
    key: str
    title: str
    body: str


@dataclass
class Context:
    quick: bool
    sizes: tuple[int, ...]
    tools: dict[str, str]
    notes: list[str] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    candidates: list[tuple[float, str, list[str]]] = field(default_factory=list)
    results: dict[str, Stats] = field(default_factory=dict)
    _available: dict[str, bool] = field(default_factory=dict)

    @property
    def py(self) -> str:
        return sys.executable

    def log(self, text: str) -> None:
        print(text, flush=True)

    def bench(self, cmds: Sequence[Cmd], repeats: int, warmup: int = 0) -> dict[str, Stats]:
        stats = interleaved(cmds, repeats, warmup, self.log)
        self.results.update(stats)
        return stats

    def repeats(self, quick: int, full: int) -> int:
        return quick if self.quick else full

    def goal(self, what: str, target: str, measured: str, met: bool | None) -> None:
        self.goals.append(Goal(what, target, measured, met))

    def candidate(self, stats: Stats, argv: list[str] | None = None) -> None:
        """Offer an archgen command to the profiler; the slowest one is profiled."""
        if stats.ok:
            self.candidates.append((stats.wall, stats.label, argv or stats.argv))

    def archgen_has(self, command: str) -> bool:
        """Whether `archgen COMMAND` exists in this checkout (commands land over time)."""
        if command not in self._available:
            proc = subprocess.run([self.tools["archgen"], command, "--help"], cwd=ROOT,
                                  capture_output=True, check=False)
            self._available[command] = proc.returncode == 0
        return self._available[command]

    def worker(self, label: str, mode: str, file: Path) -> Cmd:
        return Cmd(label, [self.py, "-m", "bench.worker", mode, str(file)])


# ---------------------------------------------------------------- formatting
def s(value: float | None, digits: int = 3) -> str:
    if value is None or value != value:  # noqa: PLR0124 - NaN
        return "-"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.{digits}f}"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or a != a or b != b or b == 0:  # noqa: PLR0124
        return "-"
    return f"{a / b:.2f}x"


def spread(st: Stats) -> str:
    if len(st.good) < 2:
        return "1 run" if st.good else ""
    return f"{s(st.wall_min)}-{s(st.wall_max)}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def show_cmd(argv: Sequence[str]) -> str:
    parts = []
    for arg in argv:
        shown = arg
        p = Path(arg)
        if p.is_absolute():
            with contextlib.suppress(ValueError):
                shown = str(p.relative_to(ROOT))
            if arg == sys.executable:
                shown = "python"
            elif p.name in ("archgen", "check-jsonschema", "fastapi-codegen") \
                    and "/shims/" not in arg:
                shown = p.name
        parts.append(shown)
    return shlex.join(parts)


def file_facts(path: Path) -> tuple[int, float]:
    with path.open("rb") as handle:
        lines = sum(1 for _ in handle)
    return lines, path.stat().st_size / 1e6


def count_files(directory: Path) -> int:
    return sum(1 for p in directory.rglob("*") if p.is_file()) if directory.exists() else 0


def tree_facts(directory: Path, skip: Sequence[str] = ()) -> tuple[int, int, int]:
    """(files, lines, bytes) under `directory`, leaving out files named in `skip`."""
    files = lines = size = 0
    if not directory.exists():
        return 0, 0, 0
    for path in directory.rglob("*"):
        if path.name in skip or not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        files += 1
        size += len(data)
        lines += data.count(b"\n")
    return files, lines, size


def archgen_kinds(py: str) -> list[str]:
    """The generator kinds registered in the archgen this run imports (they land over time)."""
    proc = subprocess.run([py, "-c", "from archgen.generators import GENERATORS; "
                                     "print(','.join(GENERATORS))"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return [k for k in proc.stdout.strip().split(",") if k]


def fresh_dir(path: Path) -> Callable[[], None]:
    def prepare() -> None:
        shutil.rmtree(path, ignore_errors=True)
    return prepare


def files_after(path: Path) -> Callable[[Sample], None]:
    def after(sample: Sample) -> None:
        sample.extra["files"] = float(count_files(path))
    return after

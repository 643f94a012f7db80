"""Reproduce every table of BENCHMARKS.md, and rewrite it.

    python -m bench.run            # the full run (~20 min on the 2-core machine)
    python -m bench.run --quick    # 100 and 2,000 services, few repeats (development)
    python -m bench.run --only cold_start,validation_scale --output /tmp/B.md

Every command runs in a fresh process; commands that are compared run
interleaved (round 1: A B C, round 2: B C A, ...) rather than in blocks,
because the machine is shared and its load drifts. Tables show medians; wall
time is measured around the process, peak memory is the command's own maximum
resident set (`/usr/bin/time -f %M`, i.e. wait4 of a small parent: a child
forked from this process would report this process's RSS). In-process times
come from bench.worker, which imports first and then starts its clock.

Add a measure: write `def my_measure(ctx: Context) -> Section` and append it
to MEASURES. Helpers: `ctx.bench(cmds, repeats)` runs Cmds interleaved and
returns their Stats; `ctx.goal(...)` records a goal for the summary table;
`ctx.candidate(...)` offers a command to the profiler (the slowest is profiled).
Benchmarks are not tests: nothing here fails on a time.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
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
from importlib import metadata
from pathlib import Path

from bench.synth import cached_catalog

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
                                cwd=cmd.cwd, env={**os.environ, **cmd.env} if cmd.env else None)
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


def fresh_dir(path: Path) -> Callable[[], None]:
    def prepare() -> None:
        shutil.rmtree(path, ignore_errors=True)
    return prepare


def files_after(path: Path) -> Callable[[Sample], None]:
    def after(sample: Sample) -> None:
        sample.extra["files"] = float(count_files(path))
    return after


# ---------------------------------------------------------------- measures
def cold_start(ctx: Context) -> Section:
    """1. Cold start."""
    minimal = ROOT / "blueprints" / "minimal" / "catalog.yaml"
    schema = WORK / "schema.json"
    cmds = [
        Cmd("python -c pass", [ctx.py, "-c", "pass"]),
        Cmd("archgen --version", [ctx.tools["archgen"], "--version"]),
        Cmd("check-jsonschema --version", [ctx.tools["check-jsonschema"], "--version"]),
        Cmd("archgen validate (minimal blueprint)",
            [ctx.tools["archgen"], "validate", str(minimal)], ok_codes=(0, 1)),
        Cmd("check-jsonschema (minimal blueprint, archgen schema)",
            [ctx.tools["check-jsonschema"], "--schemafile", str(schema), str(minimal)]),
        Cmd("archgen --help (typer, every command imported)",
            [ctx.tools["archgen"], "--help"]),
    ]
    shim = ctx.tools.get("archgen-shim")
    if shim:
        cmds.append(Cmd("archgen --version via the pyenv shim", [shim, "--version"]))
    st = ctx.bench(cmds, ctx.repeats(5, 15), warmup=1)
    base = st["python -c pass"].wall
    rows = [[f"`{show_cmd(x.argv)}`" if x.ok else f"`{show_cmd(x.argv)}` ({x.failure})",
             s(x.wall), spread(x), s(x.rss, 0), ratio(x.wall, base)] for x in st.values()]
    version = st["archgen --version"]
    ctx.goal("`archgen --version` cold start", "<= 0.10 s", f"{s(version.wall)} s",
             version.ok and version.wall <= 0.10)
    note = ""
    if shim:
        extra = st["archgen --version via the pyenv shim"].wall - version.wall
        note = (f"\nThe console scripts on PATH are pyenv shims (`{shim}`): a shim is a bash "
                f"script that runs `pyenv exec`, adding about {s(extra)} s to every call. "
                f"The rows above run the real scripts in `{Path(ctx.py).parent}` directly; "
                "users of a virtualenv or pipx get those figures.\n")
    body = (table(["command", "median s", "range s", "peak RSS MB", "vs python -c pass"], rows)
            + "\n" + note)
    return Section("cold_start", "Cold start", body)


def validation_scale(ctx: Context) -> Section:
    """2. Validation scale: floor, archgen, check-jsonschema on the same file."""
    schema = WORK / "schema.json"
    rows: list[list[str]] = []
    summary: list[list[str]] = []
    per_size: dict[int, dict[str, Stats]] = {}
    facts: dict[int, tuple[int, float]] = {}
    for n in ctx.sizes:
        catalog = cached_catalog(n)
        facts[n] = file_facts(catalog)
        ctx.log(f"  {n} services: {facts[n][0]:,} lines, {facts[n][1]:.1f} MB")
        cmds = [
            ctx.worker("floor", "floor", catalog),
            ctx.worker("load", "load", catalog),
            ctx.worker("validate-inproc", "validate", catalog),
            Cmd("archgen", [ctx.tools["archgen"], "validate", str(catalog)], ok_codes=(0, 1)),
            Cmd("check-jsonschema",
                [ctx.tools["check-jsonschema"], "--schemafile", str(schema), str(catalog)]),
        ]
        if n < 10_000:  # what the garbage collector costs the floor (informative)
            cmds.insert(1, ctx.worker("floor-nogc", "floor-nogc", catalog))
        repeats = ctx.repeats(3, 7) if n <= 100 else ctx.repeats(2, 5) if n <= 2000 else 3
        stats = {k.split("@")[0]: v for k, v in ctx.bench(
            [Cmd(f"{c.label}@{n}", c.argv, c.ok_codes) for c in cmds], repeats,
            warmup=1 if n <= 100 else 0).items()}
        per_size[n] = stats
        floor = stats["floor"]
        names = {
            "floor": "CSafeLoader load (the floor)",
            "floor-nogc": "CSafeLoader load, gc disabled",
            "load": "archgen `load_catalog` (in-process worker)",
            "validate-inproc": "archgen `validate_file`, all rules (in-process worker)",
            "archgen": "`archgen validate` (all rules)",
            "check-jsonschema": "`check-jsonschema --schemafile <archgen schema>`",
        }
        for key, label in names.items():
            if key not in stats:
                continue
            x = stats[key]
            if not x.ok:
                rows.append([f"{n:,}", label, f"failed: {x.failure}", "", "", "", ""])
                continue
            rows.append([f"{n:,}", label, s(x.wall), spread(x), s(x.inproc), s(x.rss, 0),
                         ratio(x.wall, floor.wall)])
        if stats["archgen"].ok:
            first = stats["archgen"].good[0]
            last = (first.stdout.strip().splitlines() or ["no output"])[-1]
            ctx.notes.append(f"`archgen validate` on the {n:,}-service catalog exited "
                             f"{first.code}: {last}")
        summary.append([
            f"{n:,}", f"{facts[n][0]:,}", f"{facts[n][1]:.1f}",
            ratio(stats["archgen"].wall, floor.wall),
            ratio(stats["load"].inproc, floor.inproc),
            ratio(stats["validate-inproc"].inproc, floor.inproc),
            ratio(stats["check-jsonschema"].wall, stats["archgen"].wall),
        ])
        ctx.candidate(stats["archgen"])
    body = table(["services", "measure", "median wall s", "range s", "in-process s",
                  "peak RSS MB", "wall vs floor"], rows)
    body += "\n\nRatios (medians):\n\n" + table(
        ["services", "lines", "MB", "archgen validate / floor (commands)",
         "load_catalog / floor (in-process)", "validate_file / floor (in-process)",
         "check-jsonschema / archgen validate"], summary)
    if 2000 in per_size:
        st = per_size[2000]
        a, f, c = st["archgen"], st["floor"], st["check-jsonschema"]
        ctx.goal("`archgen validate` at 2,000 services vs the CSafeLoader floor",
                 "<= 2x", f"{ratio(a.wall, f.wall)} (commands); in-process load "
                 f"{ratio(st['load'].inproc, f.inproc)}",
                 (a.wall <= 2 * f.wall) if a.ok and f.ok else None)
        ctx.goal("`archgen validate` vs check-jsonschema at 2,000 services", ">= 5x faster",
                 f"{ratio(c.wall, a.wall)} faster",
                 (c.wall >= 5 * a.wall) if a.ok and c.ok else None)
    if 2000 in per_size and 10_000 in per_size:
        a2, a10 = per_size[2000]["archgen"], per_size[10_000]["archgen"]
        l2, l10 = per_size[2000]["load"], per_size[10_000]["load"]
        scale = [["`archgen validate`", s(a2.wall), s(a10.wall), ratio(a10.wall, a2.wall)],
                 ["`load_catalog` in-process", s(l2.inproc), s(l10.inproc),
                  ratio(l10.inproc, l2.inproc)]]
        for key, label in (("floor", "CSafeLoader floor (in-process)"),
                           ("check-jsonschema", "check-jsonschema")):
            x2, x10 = per_size[2000][key], per_size[10_000][key]
            v2 = x2.inproc if key == "floor" else x2.wall
            v10 = x10.inproc if key == "floor" else x10.wall
            scale.append([label, s(v2), s(v10), ratio(v10, v2)])
        body += "\n\nScaling from 2,000 to 10,000 services (5x the services):\n\n" + table(
            ["measure", "2,000 s", "10,000 s", "10,000 / 2,000"], scale)
        ctx.goal("10,000 services vs 2,000 (`archgen validate`)", "<= 5.5x",
                 ratio(a10.wall, a2.wall),
                 (a10.wall <= 5.5 * a2.wall) if a2.ok and a10.ok else None)
    elif 10_000 not in ctx.sizes:
        ctx.goal("10,000 services vs 2,000 (`archgen validate`)", "<= 5.5x",
                 "not measured (--quick)", None)
    body += ("\n\nThe same synthetic catalog (seed 0, `python -m bench.synth N`) is given to "
             "every tool. check-jsonschema reads the schema from a file written once by "
             "`archgen schema` (not `<(archgen schema)`, which would add archgen's start-up to "
             "its time). \"in-process\" is the time inside a warm interpreter after imports "
             "(bench/worker.py); wall is the whole command, start-up included.")
    return Section("validation_scale", "Validation at scale", body)


def specs_and_docs(ctx: Context) -> Section:
    """3. `archgen generate` and `archgen docs` on the 2,000-service catalog."""
    n = 2000
    catalog = cached_catalog(n)
    cmds: list[Cmd] = []
    missing: list[str] = []
    for command in ("generate", "docs"):
        if not ctx.archgen_has(command):
            missing.append(command)
            continue
        out = WORK / f"{command}-{n}"
        cmds.append(Cmd(f"archgen {command}", [ctx.tools["archgen"], command, str(catalog),
                                               "-o", str(out)],
                        prepare=fresh_dir(out), after=files_after(out)))
    rows: list[list[str]] = []
    if cmds:
        st = ctx.bench(cmds, ctx.repeats(1, 3))
        for c in cmds:
            x = st[c.label]
            if not x.ok:
                rows.append([f"`{show_cmd(x.argv)}`", f"failed: {x.failure}", "", "", "", ""])
                continue
            files = x.extra("files") or 0
            rate = files / x.wall if x.wall else 0.0
            rows.append([f"`{show_cmd(x.argv)}`", s(x.wall), spread(x), f"{files:.0f}",
                         f"{rate:.0f}" if rate >= 10 else f"{rate:.2f}", s(x.rss, 0)])
            ctx.candidate(x)
    rows += [[f"`archgen {m}`", "not available yet", "", "", "", ""] for m in missing]
    body = table(["command (2,000 services)", "median s", "range s", "files", "files/s",
                  "peak RSS MB"], rows)
    return Section("specs_and_docs", "Specs and docs at scale", body)


def fastapi_codegen(ctx: Context) -> Section:
    """3b. One service: archgen's output vs fastapi-codegen on the OpenAPI archgen emits."""
    codegen = ctx.tools.get("fastapi-codegen")
    header = ["command (one service)", "median s", "range s", "files", "peak RSS MB"]
    if not ctx.archgen_has("generate"):
        return Section("fastapi_codegen", "One service: archgen vs fastapi-codegen",
                       table(header, [["`archgen generate`", "not available yet", "", "", ""]]))
    catalog = cached_catalog(1)
    spec_dir = WORK / "one-service-spec"
    shutil.rmtree(spec_dir, ignore_errors=True)
    subprocess.run([ctx.tools["archgen"], "generate", str(catalog), "-o", str(spec_dir)],
                   cwd=ROOT, capture_output=True, check=False)
    specs = sorted(p for p in spec_dir.rglob("*.yaml") if "openapi" in p.parts
                   and "gateway" not in p.name)
    archgen_out = WORK / "one-service-archgen"
    cmds = [Cmd("archgen generate (1-service catalog)",
                [ctx.tools["archgen"], "generate", str(catalog), "-o", str(archgen_out)],
                prepare=fresh_dir(archgen_out), after=files_after(archgen_out))]
    note = ""
    if codegen and specs:
        spec = WORK / "one-service-openapi.yaml"
        shutil.copyfile(specs[0], spec)
        fc_out = WORK / "one-service-fastapi-codegen"
        cmds.append(Cmd("fastapi-codegen", [codegen, "--input", str(spec), "--output",
                                            str(fc_out)],
                        prepare=fresh_dir(fc_out), after=files_after(fc_out)))
        note = (f"\nfastapi-codegen reads `{specs[0].relative_to(spec_dir)}` as archgen "
                "emitted it for the one service of `python -m bench.synth 1`.\n")
    elif not specs:
        note = "\narchgen generate emitted no per-service OpenAPI file; fastapi-codegen skipped.\n"
    else:
        note = ("\nfastapi-codegen is not installed (bench/.venvs/peers or PATH); "
                "see BENCHMARKS.md, Setup.\n")
    st = ctx.bench(cmds, ctx.repeats(3, 7), warmup=1)
    rows = []
    for c in cmds:
        x = st[c.label]
        if not x.ok:
            rows.append([f"`{show_cmd(x.argv)}`", f"failed: {x.failure}", "", "", ""])
            continue
        rows.append([f"`{show_cmd(x.argv)}`", s(x.wall), spread(x),
                     f"{x.extra('files') or 0:.0f}", s(x.rss, 0)])
    if len(cmds) == 2 and all(st[c.label].ok for c in cmds):
        a, f = st[cmds[0].label], st[cmds[1].label]
        note += (f"\nfastapi-codegen / archgen generate: {ratio(f.wall, a.wall)} "
                 "(archgen emits specs today; the service code it will generate is a later "
                 "issue, and lands in this table).\n")
    return Section("fastapi_codegen", "One service: archgen vs fastapi-codegen",
                   table(header, rows) + "\n" + note)


def diagrams(ctx: Context) -> Section:
    """4. Diagram views of a 200-service catalog (goal: <= 3 s)."""
    n = 200
    what = "all diagram views of a 200-service catalog"
    header = ["command (200 services)", "median s", "range s", "files", "peak RSS MB"]
    if not ctx.archgen_has("diagram"):
        ctx.goal(what, "<= 3 s", "not available yet", None)
        return Section("diagrams", "Diagrams",
                       table(header, [["`archgen diagram`", "not available yet", "", "", ""]]))
    catalog = cached_catalog(n)
    archgen = ctx.tools["archgen"]

    def diagram_cmd(label: str, *options: str) -> Cmd:
        out = WORK / f"diagram-{n}-{len(label)}"
        return Cmd(label, [archgen, "diagram", str(catalog), "-o", str(out), *options],
                   prepare=fresh_dir(out), after=files_after(out))

    text = diagram_cmd("every view, text formats", "--format", "mermaid,plantuml,dot")
    svg = diagram_cmd("overview views as SVG", "--view", "system,context,events",
                      "--format", "svg")
    st = ctx.bench([text, svg], ctx.repeats(2, 5), warmup=1)
    cmds = [text, svg]
    if not ctx.quick:  # PNG and SVG of every service view: graphviz-bound, one run
        full = diagram_cmd("every view, every format (default)")
        st.update(ctx.bench([full], 1))
        cmds.append(full)
    rows = []
    for c in cmds:
        x = st[c.label]
        if not x.ok:
            rows.append([f"{c.label}: `{show_cmd(x.argv)}`", f"failed: {x.failure}", "", "",
                         ""])
            continue
        if c is not cmds[-1] or ctx.quick:  # the PNG run is graphviz's time, not archgen's
            ctx.candidate(x)
        rows.append([f"{c.label}: `{show_cmd(x.argv)}`", s(x.wall), spread(x),
                     f"{x.extra('files') or 0:.0f}", s(x.rss, 0)])
    a, b = st[text.label], st[svg.label]
    if a.ok and b.ok:
        ctx.goal(what + " (every view as text + the overview SVGs, two commands)", "<= 3 s",
                 f"{s(a.wall + b.wall)} s", a.wall + b.wall <= 3.0)
    else:
        ctx.goal(what, "<= 3 s", "failed", None)
    if len(cmds) == 3 and st[cmds[2].label].ok:
        w = st[cmds[2].label].wall
        ctx.goal(what + " (every view in every format, PNG included, one command)", "<= 3 s",
                 f"{s(w)} s", w <= 3.0)
    body = table(header, rows)
    if (BENCH / "bench_diagrams.py").exists():
        proc = subprocess.run([ctx.py, "-m", "bench.bench_diagrams", str(n), "--runs",
                               str(ctx.repeats(3, 5))], cwd=ROOT, capture_output=True,
                              text=True, check=False, timeout=RUN_TIMEOUT_S)
        shown = proc.stdout.strip() or proc.stderr.strip()[-500:]
        body += ("\n\nIn-process, without start-up and loading (`python -m bench.bench_diagrams "
                 f"{n}`, written with the diagrams):\n\n```\n{shown}\n```\n")
    return Section("diagrams", "Diagrams", body)


def profile(ctx: Context) -> Section:
    """5. pyinstrument profile of the slowest archgen command measured in this run."""
    if not ctx.candidates:
        return Section("profile", "Profile", "Nothing to profile: no archgen command ran.")
    wall, label, argv = max(ctx.candidates)
    PROFILES.mkdir(parents=True, exist_ok=True)
    args = argv[1:]
    smaller = ""
    if wall > PROFILE_MAX_S:  # profile the same command on a smaller catalog
        small = cached_catalog(PROFILE_SMALL)
        for i, arg in enumerate(args):
            if arg.startswith(str(cached_catalog(1).parent)) and arg.endswith(".yaml"):
                args[i] = str(small)
                smaller = (f" It took {s(wall)} s, too long to profile in every run, so the "
                           f"profile is of the same command on the {PROFILE_SMALL}-service "
                           "catalog.")
            elif arg.startswith(str(WORK)):
                args[i] = str(WORK / "profile-output")
        shutil.rmtree(WORK / "profile-output", ignore_errors=True)
    name = label.replace(" ", "-").replace("@", "-").replace("/", "-").replace(",", "")
    name += f"-profiled-at-{PROFILE_SMALL}" if smaller else ""
    session = WORK / "profile.pyisession"
    out, flat = PROFILES / f"{name}.txt", PROFILES / f"{name}-flat.txt"
    proc = subprocess.run([ctx.py, "-m", "pyinstrument", "--renderer", "pyisession",
                           "--outfile", str(session), "-m", "archgen", *args],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if not session.exists():
        return Section("profile", "Profile of the slowest measure",
                       f"pyinstrument failed (exit {proc.returncode}): {proc.stderr[-300:]}")
    for target, options in ((out, []), (flat, ["-p", "flat", "-p", "flat_time=self"])):
        subprocess.run([ctx.py, "-m", "pyinstrument", "--load", str(session), "--renderer",
                        "text", "--no-color", *options, "--outfile", str(target)],
                       cwd=ROOT, capture_output=True, check=False)
    session.unlink()

    def head(path: Path, count: int) -> str:
        if not path.exists():
            return "(not rendered)"
        lines = [ln.rstrip() for ln in path.read_text(encoding="utf-8").splitlines()]
        start = next((i for i, ln in enumerate(lines) if ln.startswith("Program:")), 0)
        return "\n".join(ln for ln in lines[start:start + count + 2] if ln.strip())

    body = (f"The slowest archgen command of this run was `{show_cmd(argv)}` "
            f"({s(wall)} s median).{smaller} Profile of `{show_cmd(['archgen', *args])}` "
            f"with pyinstrument: call tree [`{out.relative_to(ROOT)}`]({out.relative_to(ROOT)}),"
            f" self time per function [`{flat.relative_to(ROOT)}`]({flat.relative_to(ROOT)}).\n\n"
            f"Self time, top functions:\n\n```\n{head(flat, 20)}\n```\n\n"
            f"Call tree, top:\n\n```\n{head(out, 30)}\n```\n")
    return Section("profile", "Profile of the slowest measure", body)


# Add a measure: one function (ctx) -> Section, appended here. `profile` stays last.
MEASURES: list[Callable[[Context], Section]] = [
    cold_start, validation_scale, specs_and_docs, fastapi_codegen, diagrams, profile,
]


# ---------------------------------------------------------------- the report
def find_tools() -> tuple[dict[str, str], list[str]]:
    tools: dict[str, str] = {}
    notes: list[str] = []
    bindir = Path(sys.executable).parent
    # Under pyenv, `python` itself runs through a shim that puts the real bin dir first on
    # PATH, so look for the shims users' shells call where pyenv keeps them.
    shims = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "shims"
    for name in ("archgen", "check-jsonschema"):
        found = shutil.which(name)
        real = bindir / name
        if (shims / name).exists():
            tools[f"{name}-shim"] = str(shims / name)
        if found and "/shims/" in found and real.exists():
            tools[name] = str(real)
        elif found:
            tools[name] = found
        elif real.exists():
            tools[name] = str(real)
        else:
            raise SystemExit(f"bench: `{name}` is not installed (pip install -e '.[dev]')")
    for candidate in (PEERS_VENV / "bin" / "fastapi-codegen", shutil.which("fastapi-codegen")):
        if candidate and Path(candidate).exists():
            tools["fastapi-codegen"] = str(candidate)
            break
    return tools, notes


def machine() -> list[tuple[str, str]]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1048576:.1f} GiB"
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return [
        ("CPU", cpu),
        ("cores", f"{os.cpu_count()} logical" + (f" ({affinity} usable)" if affinity else "")),
        ("memory", memory),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()}, "
                   f"`{sys.executable}`)"),
    ]


def versions(tools: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    for dist in ("archgen", "PyYAML", "pydantic", "pydantic-core", "typer", "networkx",
                 "check-jsonschema", "jsonschema", "pyinstrument"):
        try:
            out.append((dist, metadata.version(dist)))
        except metadata.PackageNotFoundError:
            out.append((dist, "not installed"))
    import yaml

    out.append(("libyaml (CSafeLoader)", "yes" if yaml.__with_libyaml__ else "NO"))
    codegen = tools.get("fastapi-codegen")
    if codegen:
        py = Path(codegen).parent / "python"
        proc = subprocess.run([str(py), "-c", "import importlib.metadata as m; "
                               "print(m.version('fastapi-code-generator'))"],
                              capture_output=True, text=True, check=False)
        where = " (own venv: bench/.venvs/peers)" if PEERS_VENV in Path(codegen).parents else ""
        out.append(("fastapi-code-generator", proc.stdout.strip() + where))
    else:
        out.append(("fastapi-code-generator", "not installed"))
    return out


def render(ctx: Context, sections: list[Section], started: dt.datetime, seconds: float,
           command: str, load: tuple[tuple[float, ...], tuple[float, ...]]) -> str:
    out = ["# Benchmarks", "",
           "<!-- Written by `python -m bench.run`; edit bench/run.py or bench/NOTES.md, "
           "not this file. -->", "",
           f"Run {started:%Y-%m-%d %H:%M} UTC, {seconds / 60:.1f} min, with:", "",
           f"    {command}", "",
           "Medians over repeated runs, interleaved (A B C, B C A, ...) because the machine "
           "is shared; `range` is min-max. Peak RSS is the command's own maximum resident "
           "set (`/usr/bin/time -f %M`). Benchmarks are not tests: nothing fails on a time.",
           "", "## Machine", ""]
    out.append(table(["", ""], [[k, v] for k, v in machine()]))
    out += ["", f"Load average (1, 5, 15 min) at start {', '.join(f'{x:.2f}' for x in load[0])}, "
                f"at end {', '.join(f'{x:.2f}' for x in load[1])}: other work shared the "
                "machine, so absolute times are noisy; ratios from interleaved runs are "
                "the figures to read.", "", "## Versions", ""]
    out.append(table(["tool", "version"], [[k, v] for k, v in versions(ctx.tools)]))
    out += ["", "## Goals", ""]
    rows = [[g.what, g.target, g.measured,
             "met" if g.met else "not measured" if g.met is None else "**missed**"]
            for g in ctx.goals]
    out.append(table(["goal", "target", "measured", ""], rows))
    for section in sections:
        out += ["", f"## {section.title}", "", section.body.rstrip()]
    if ctx.notes:
        out += ["", "## Notes from this run", ""] + [f"- {n}" for n in ctx.notes]
    if NOTES.exists():
        out += ["", NOTES.read_text(encoding="utf-8").rstrip()]
    out += ["", "## Setup", "",
            "    pip install -e '.[dev]' pyinstrument",
            "    python -m venv bench/.venvs/peers && "
            "bench/.venvs/peers/bin/pip install fastapi-code-generator",
            "    python -m bench.run",
            "",
            "fastapi-code-generator lives in its own venv because it pins click and typer "
            "versions that would change archgen's environment.", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="100 and 2,000 services only, few repeats")
    parser.add_argument("--only", help="comma-separated measures: "
                        + ",".join(m.__name__ for m in MEASURES))
    parser.add_argument("--sizes", help="comma-separated catalog sizes for the validation table "
                        "(default 100,2000,10000; --quick: 100,2000)")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args(argv)
    tools, notes = find_tools()
    sizes = tuple(int(x) for x in args.sizes.split(",")) if args.sizes else (
        (100, 2000) if args.quick else (100, 2000, 10_000))
    ctx = Context(args.quick, sizes, tools, notes)
    WORK.mkdir(parents=True, exist_ok=True)
    schema = subprocess.run([tools["archgen"], "schema"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout
    (WORK / "schema.json").write_text(schema, encoding="utf-8")
    for n in (1, 200, *ctx.sizes):
        cached_catalog(n)
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    load_start = os.getloadavg()
    wanted = set(args.only.split(",")) if args.only else None
    sections = []
    for measure in MEASURES:
        if wanted and measure.__name__ not in wanted:
            continue
        ctx.log(f"== {measure.__name__}")
        sections.append(measure(ctx))
    command = "python -m bench.run" + (" --quick" if args.quick else "") + (
        f" --only {args.only}" if args.only else "") + (
        f" --sizes {args.sizes}" if args.sizes else "")
    text = render(ctx, sections, started, time.perf_counter() - t0, command,
                  (load_start, os.getloadavg()))
    Path(args.output).write_text(text, encoding="utf-8")
    ctx.log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

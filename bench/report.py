"""Rendering BENCHMARKS.md: the machine, the versions, the goals and every section."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from bench.common import NOTES, PEERS_VENV, Context, Goal, Section, table


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


_KEPT = "*Kept from the run of "
_FIXED = {"Machine", "Versions", "Goals", "Notes from this run", "What this shows", "Setup"}


@dataclass
class Previous:
    """What an earlier BENCHMARKS.md measured, for a run that re-measures only part of it."""

    run: str  # "2026-11-24 13:49 UTC"
    sections: list[Section]
    goals: list[list[str]]


def read_previous(path: Path) -> Previous | None:
    """The measure sections and goal rows of an earlier output file (None if there is none)."""
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    run = re.search(r"^Run (\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC)", text, re.MULTILINE)
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    bodies = dict(zip(parts[1::2], parts[2::2], strict=True))
    goals = [[c.strip() for c in line.strip().strip("|").split("|")]
             for line in bodies.get("Goals", "").splitlines() if line.startswith("| ")][1:]
    sections = [Section("", title, body.strip()) for title, body in bodies.items()
                if title not in _FIXED]
    return Previous(run.group(1) if run else "an earlier run", sections, goals)


def merge_previous(ctx: Context, sections: list[Section], prev: Previous) -> list[Section]:
    """Earlier sections and goals this run did not measure, kept and dated."""
    fresh = {g.what for g in ctx.goals}
    kept_goals = [Goal(row[0], row[1], row[2] if "(run of " in row[2]  # kept once already
                       else f"{row[2]} (run of {prev.run})",
                       {"met": True, "**missed**": False}.get(row[3]))
                  for row in prev.goals if len(row) == 4 and row[0] not in fresh]
    ctx.goals[:0] = kept_goals
    titles = {s.title for s in sections}
    kept = [Section(s.key, s.title, s.body if s.body.startswith(_KEPT) else
                    f"{_KEPT}{prev.run} (not re-measured by this run).*\n\n{s.body}")
            for s in prev.sections if s.title not in titles]
    return kept + sections


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

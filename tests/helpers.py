"""Helpers shared by the top-level tests (kept apart from the tests themselves)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLUEPRINTS = ROOT / "blueprints"
ECOMMERCE = BLUEPRINTS / "ecommerce" / "catalog.yaml"
MINIMAL = BLUEPRINTS / "minimal" / "catalog.yaml"

# `file:line:col: severity CODE message ... [slug]`, one line per finding.
FINDING_LINE = re.compile(r"^.+:\d+:\d+: (error|warning|info) AG\d{3} .+ \[[a-z0-9-]+\]$")


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_archgen(*args: str, cwd: Path | None = None, timeout: float = 60) -> Run:
    """Run the real CLI in a subprocess, as users do (timeout only guards against hangs)."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-m", "archgen", *args], cwd=cwd, env=env,
        capture_output=True, text=True, timeout=timeout, check=False)
    return Run(proc.returncode, proc.stdout, proc.stderr)


FIXED_DAY = __import__("datetime").date(2026, 1, 1)


def ctx_of(catalog: object) -> object:
    """The generation context of a resolved catalog with its rule findings, on a fixed day.

    `archgen generate` takes the findings from the validator's report of the file;
    here the rules run on the resolved catalog alone (no inline suppressions).
    """
    from archgen.catalog import LoadResult
    from archgen.config import Settings
    from archgen.generation import build_context
    from archgen.loading import SourceMap
    from archgen.validation import check

    loaded = LoadResult("catalog.yaml", catalog, SourceMap("catalog.yaml"))  # type: ignore[arg-type]
    report = check(loaded, "", Settings(), frozenset(), FIXED_DAY)
    return build_context(catalog, FIXED_DAY, report.findings)  # type: ignore[arg-type]

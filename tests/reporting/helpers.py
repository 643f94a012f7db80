"""Helpers for the reporter tests: run validate in-process; find Microsoft's SARIF Multitool.

The Multitool comes from npm (`npm install -g @microsoft/sarif-multitool-linux@5.7.0`);
it ships the SARIF 2.1.0 JSON schema too. ARCHGEN_SARIF_MULTITOOL_DIR points at
the package folder when it is installed elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from archgen.cli import run

ROOT = Path(__file__).resolve().parents[2]
SEEDED = ROOT / "tests" / "rules" / "seeded" / "twenty_problems.yaml"
PACKAGE = "@microsoft/sarif-multitool-linux"


def validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = run(["validate", "--isolated", *args])
    return code, capsys.readouterr().out


def multitool_dir() -> Path | None:
    candidates = []
    if os.environ.get("ARCHGEN_SARIF_MULTITOOL_DIR"):
        candidates.append(Path(os.environ["ARCHGEN_SARIF_MULTITOOL_DIR"]))
    candidates.append(ROOT / "node_modules" / PACKAGE)
    npm = shutil.which("npm")
    if npm:
        proc = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False,
                              timeout=30)
        if proc.returncode == 0 and proc.stdout.strip():
            candidates.append(Path(proc.stdout.strip()) / PACKAGE)
    return next((c for c in candidates if (c / "sarif-2.1.0.json").is_file()), None)

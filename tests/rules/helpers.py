"""Helpers for the rule tests: run the validator in-process and read `# expect:` markers."""

from __future__ import annotations

import re
from pathlib import Path

from archgen.config import Settings
from archgen.findings import Finding
from archgen.validation import FileReport, validate_file, validate_text

CASES = Path(__file__).parent / "cases"
SEEDED = Path(__file__).parent / "seeded"
ROOT = Path(__file__).resolve().parents[2]
BLUEPRINTS = sorted((ROOT / "blueprints").glob("*/catalog.yaml"))

_EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>AG\d{3}(?:[ ,]+AG\d{3})*)")


def expectations(text: str) -> dict[str, set[int]]:
    """Code -> the lines marked `# expect: CODE` in a case file."""
    out: dict[str, set[int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _EXPECT.search(line)
        if match:
            for code in re.split(r"[ ,]+", match["codes"]):
                out.setdefault(code, set()).add(number)
    return out


def findings_of(path: Path) -> list[Finding]:
    return validate_file(path, settings=Settings()).findings


def report_of(text: str, settings: Settings | None = None) -> FileReport:
    return validate_text(text, "case.yaml", settings or Settings())


def lines_of(findings: list[Finding], code: str) -> set[int]:
    return {f.location.span.line for f in findings if f.code == code and f.location.span}

# The last line of text output: `Found 3 errors, 1 warning in 1 catalog (2 suppressed).`
FINDING_COUNT_LINE = re.compile(
    r"^Found (\d+ (error|warning|info)s?)(, \d+ (error|warning|info)s?)* in \d+ catalogs?"
    r"( \(\d+ suppressed\))?\.$")

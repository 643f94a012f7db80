"""Validate one catalog file: load it, then (with the rules) check it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from archgen.catalog import LoadResult, load_catalog
from archgen.findings import Finding, Severity


@dataclass
class FileReport:
    file: str
    findings: list[Finding] = field(default_factory=list)
    load: LoadResult | None = None

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)


def validate_file(path: Path | str, display: str | None = None) -> FileReport:
    result = load_catalog(path, display)
    return FileReport(result.file, list(result.findings), result)


def exceeds(reports: list[FileReport], fail_on: str) -> bool:
    """Whether any finding is at or above the `--fail-on` threshold."""
    if fail_on == "none":
        return False
    threshold = Severity(fail_on).rank
    return any(f.severity.rank >= threshold for r in reports for f in r.findings)

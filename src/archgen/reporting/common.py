"""What every reporter shares: the run's result, one-line text, escaping, counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from archgen.findings import Finding, Severity, printable
from archgen.validation import FileReport


@dataclass
class RunResult:
    reports: list[FileReport]
    exit_code: int = 0
    root: Path = field(default_factory=Path.cwd)  # relative URIs in SARIF start here
    command_line: str = ""

    @property
    def enabled_codes(self) -> list[str]:
        return sorted({c for r in self.reports for c in r.enabled})


def clean(text: str) -> str:
    """One line, no terminal escapes: user text in messages cannot forge output."""
    return printable(text.replace("\t", " "))


def location_text(finding: Finding) -> str:
    span = finding.location.span
    where = f"{finding.location.file}:{span.line}:{span.col}" if span else finding.location.file
    return clean(where)


def finding_line(finding: Finding) -> str:
    hint = f" ({finding.hint})" if finding.hint else ""
    return clean(f"{location_text(finding)}: {finding.severity.value} {finding.code} "
                 f"{finding.message}{hint} [{finding.slug}]")


def counts(reports: list[FileReport]) -> dict[Severity, int]:
    return {s: sum(r.count(s) for r in reports) for s in Severity}


def summary_line(reports: list[FileReport]) -> str:
    numbers = counts(reports)
    files = f"{len(reports)} catalog{'s' if len(reports) != 1 else ''}"
    hidden = sum(len(r.suppressed) for r in reports)
    tail = f" ({hidden} suppressed)" if hidden else ""
    if not any(numbers.values()):
        return f"All checks passed ({files}){tail}."
    parts = [f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in numbers.items() if n]
    return f"Found {', '.join(parts)} in {files}{tail}."


def by_rule(reports: list[FileReport]) -> Counter[str]:
    return Counter(f.code for r in reports for f in r.findings)

"""Formatting findings for people and machines. Formatting only: nothing else happens here."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from archgen import __version__
from archgen.findings import Finding, Location, Severity
from archgen.validation import FileReport

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def clean(text: str) -> str:
    """One line, no terminal escapes: user text in messages cannot forge output."""
    text = text.replace("\n", "\\n").replace("\t", " ")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def location_text(finding: Finding) -> str:
    span = finding.location.span
    where = f"{finding.location.file}:{span.line}:{span.col}" if span else finding.location.file
    return clean(where)


def finding_line(finding: Finding) -> str:
    hint = f" ({finding.hint})" if finding.hint else ""
    return clean(f"{location_text(finding)}: {finding.severity.value} {finding.code} "
                 f"{finding.message}{hint} [{finding.slug}]")


def summary_line(reports: list[FileReport]) -> str:
    counts = {s: sum(r.count(s) for r in reports) for s in Severity}
    files = f"{len(reports)} catalog{'s' if len(reports) != 1 else ''}"
    if not any(counts.values()):
        return f"All checks passed ({files})."
    parts = [f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items() if n]
    return f"Found {', '.join(parts)} in {files}."


def render_text(reports: list[FileReport]) -> str:
    lines = [finding_line(f) for r in reports for f in r.findings]
    return "\n".join([*lines, summary_line(reports)]) + "\n"


def location_json(location: Location) -> dict[str, Any]:
    s = location.span
    return {"file": location.file, "pointer": location.json_pointer, "path": location.path,
            "line": s.line if s else None, "column": s.col if s else None,
            "end_line": s.end_line if s else None, "end_column": s.end_col if s else None}


def finding_json(finding: Finding) -> dict[str, Any]:
    loc = location_json
    return {"code": finding.code, "slug": finding.slug, "severity": finding.severity.value,
            "message": finding.message, "hint": finding.hint, "location": loc(finding.location),
            "related": [loc(r) for r in finding.related]}


def render_json(reports: list[FileReport]) -> str:
    doc = {"version": 1, "tool": {"name": "archgen", "version": __version__},
           "files": [{"file": r.file, "findings": [finding_json(f) for f in r.findings]}
                     for r in reports],
           "summary": {s.value: sum(r.count(s) for r in reports) for s in Severity}}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


REPORTERS: dict[str, Callable[[list[FileReport]], str]] = {
    "text": render_text,
    "json": render_json,
}

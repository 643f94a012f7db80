"""JSON (archgen's own, versioned), GitHub workflow commands, GitLab Code Quality."""

from __future__ import annotations

import json
from typing import Any

from archgen import __version__
from archgen.findings import Finding, Location, Severity
from archgen.reporting.common import RunResult, by_rule, counts
from archgen.suppression import Suppressed, fingerprint

JSON_VERSION = 1


def location_json(location: Location) -> dict[str, Any]:
    s = location.span
    return {"file": location.file, "pointer": location.json_pointer, "path": location.path,
            "line": s.line if s else None, "column": s.col if s else None,
            "end_line": s.end_line if s else None, "end_column": s.end_col if s else None}


def finding_json(finding: Finding) -> dict[str, Any]:
    loc = location_json
    return {"code": finding.code, "slug": finding.slug, "severity": finding.severity.value,
            "message": finding.message, "hint": finding.hint, "location": loc(finding.location),
            "related": [loc(r) for r in finding.related], "fingerprint": fingerprint(finding)}


def _suppressed_json(s: Suppressed) -> dict[str, Any]:
    return {**finding_json(s.finding), "suppression": {"kind": s.kind,
                                                       "justification": s.justification}}


def render_json(run: RunResult) -> str:
    reports = run.reports
    summary: dict[str, Any] = {s.value: n for s, n in counts(reports).items()}
    summary["suppressed"] = sum(len(r.suppressed) for r in reports)
    doc = {"version": JSON_VERSION, "tool": {"name": "archgen", "version": __version__},
           "files": [{"file": r.file, "findings": [finding_json(f) for f in r.findings],
                      "suppressed": [_suppressed_json(s) for s in r.suppressed]}
                     for r in reports],
           "summary": summary, "statistics": dict(sorted(by_rule(reports).items())),
           "exit_code": run.exit_code}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- GitHub
_GH_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(f: Finding) -> str:
    props = [f"file={_gh_prop(f.location.file)}"]
    span = f.location.span
    if span:
        props += [f"line={span.line}", f"col={span.col}", f"endLine={span.end_line}"]
        if span.end_line == span.line:
            props.append(f"endColumn={span.end_col}")
    props.append(f"title={_gh_prop(f'{f.code} {f.slug}')}")
    hint = f" ({f.hint})" if f.hint else ""
    return f"::{_GH_LEVEL[f.severity]} {','.join(props)}::{_gh_data(f.message + hint)}"


def render_github(run: RunResult) -> str:
    """Workflow commands: GitHub turns each line into an annotation on the file."""
    from archgen.reporting.common import summary_line

    lines = [github_line(f) for r in run.reports for f in r.findings]
    return "\n".join([*lines, summary_line(run.reports)]) + "\n"


# ---------------------------------------------------------------- GitLab
_GL_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def render_gitlab(run: RunResult) -> str:
    """GitLab Code Quality report: a JSON array of issues with fingerprints."""
    issues = []
    for report in run.reports:
        for f in report.findings:
            span = f.location.span
            line = span.line if span else 1
            issues.append({
                "description": f"{f.code} {f.message}", "check_name": f.slug,
                "fingerprint": fingerprint(f), "severity": _GL_SEVERITY[f.severity],
                "location": {"path": f.location.file,
                             "lines": {"begin": line, "end": span.end_line if span else line}},
            })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"

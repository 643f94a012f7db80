"""Text for people: one line per finding (`text`), or with a code frame and help (`full`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from archgen.findings import Finding
from archgen.reporting.common import RunResult, by_rule, clean, finding_line, summary_line
from archgen.validation import FileReport

if TYPE_CHECKING:
    from archgen.rules import Rule


def render_text(reports: list[FileReport]) -> str:
    lines = [finding_line(f) for r in reports for f in r.findings]
    return "\n".join([*lines, summary_line(reports)]) + "\n"


def text_reporter(run: RunResult) -> str:
    return render_text(run.reports)


def render_statistics(run: RunResult) -> str:
    """`--statistics`: findings per rule, most frequent first (like ruff --statistics)."""
    from archgen.rules import documented

    rows = sorted(by_rule(run.reports).items(), key=lambda kv: (-kv[1], kv[0]))
    return "".join(f"{n:>6}  {code}  {_slug(documented(code))}\n" for code, n in rows)


def _slug(rule: Rule | None) -> str:
    return rule.slug if rule else ""


def _source_lines(report: FileReport) -> list[str]:
    """The lines the loader decoded (UTF-8, -16 or -32), not a second read of the file."""
    return report.load.text.splitlines() if report.load else []


def _frame(finding: Finding, lines: list[str]) -> list[str]:
    span = finding.location.span
    if span is None or not 1 <= span.line <= len(lines):
        return []
    width = len(str(span.line))
    out = [f"{' ' * width} |"]
    if span.line > 1:
        out.append(f"{span.line - 1:>{width}} | {clean(lines[span.line - 2])}")
    text = lines[span.line - 1].replace("\t", "→")  # a tab is visible, one column wide
    out.append(f"{span.line:>{width}} | {clean(text)}")
    end = span.end_col if span.end_line == span.line else len(text) + 1
    marks = max(1, end - span.col)
    out.append(f"{' ' * width} | {' ' * (span.col - 1)}{'^' * marks}")
    return out


def render_full(run: RunResult) -> str:
    """Each finding with the source around it, the help and the related locations."""
    from archgen.rules import documented

    out: list[str] = []
    for report in run.reports:
        lines = _source_lines(report) if report.findings else []
        for f in report.findings:
            out.append(clean(f"{f.location.file}:{_where(f)}: {f.severity.value} {f.code} "
                             f"{f.message} [{f.slug}]"))
            # `archgen diff` locates removals in the other (OLD) catalog: no frame from this one
            out.extend(_frame(f, lines) if f.location.file == report.file else [])
            out.append(clean(f"  = path: {f.location.path}"))
            if f.hint:
                out.append(clean(f"  = help: {f.hint}"))
            out.extend(clean(f"  = related: {r.file}:{r.span.line}:{r.span.col} ({r.path})")
                       for r in f.related if r.span)
            if documented(f.code):
                out.append(f"  = docs: archgen rule {f.code}")
            out.append("")
    out.append(summary_line(run.reports))
    return "\n".join(out) + "\n"


def _where(f: Finding) -> str:
    span = f.location.span
    return f"{span.line}:{span.col}" if span else "1:1"

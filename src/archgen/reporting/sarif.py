"""SARIF 2.1.0 as GitHub code scanning ingests it.

The shape GitHub expects is described in docs/architecture.md, "Findings, exit codes and
configuration".
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from archgen import __version__
from archgen.findings import Finding, Severity
from archgen.findings import Location as FindingLocation
from archgen.reporting import sarif_model as s
from archgen.reporting.common import RunResult
from archgen.suppression import Suppressed, fingerprint

BASE_ID = "%SRCROOT%"
INFO_URI = "https://archgen.dev"
_LEVEL: dict[Severity, s.Level] = {Severity.ERROR: "error", Severity.WARNING: "warning",
                                   Severity.INFO: "note"}


def _descriptor(code: str, level: Severity) -> s.ReportingDescriptor:
    from archgen.rules import documented

    rule = documented(code)
    assert rule is not None  # every code a finding carries is documented (tests check it)
    help_text = (f"{rule.explanation}\n\nFix: {rule.fix}"
                 + (f"\n\nChecklist: {rule.checklist}" if rule.checklist else ""))
    help_md = (f"{rule.explanation}\n\n**Fix:** {rule.fix}"
               + (f"\n\n**Checklist:** {rule.checklist}" if rule.checklist else "")
               + (f"\n\nBad:\n```yaml\n{rule.bad}```\n\nGood:\n```yaml\n{rule.good}```"
                  if rule.bad else ""))
    return s.ReportingDescriptor(
        id=code, name=rule.slug, short_description=s.Message(rule.title),
        full_description=s.Message(rule.explanation), help=s.Message(help_text, help_md),
        help_uri=rule.help_uri, default_configuration=s.ReportingConfiguration(_LEVEL[level]),
        properties={"tags": [rule.section], "checklist": rule.checklist or ""})


def _artifact(file: str, root: Path) -> s.ArtifactLocation:
    """Relative to the root (with uriBaseId) when inside it, else an absolute file URI."""
    path = Path(file)
    absolute = path if path.is_absolute() else (Path.cwd() / path)
    try:
        relative = absolute.resolve().relative_to(root.resolve())
    except ValueError:
        return s.ArtifactLocation(absolute.resolve().as_uri())
    return s.ArtifactLocation(quote(relative.as_posix()), BASE_ID)


def _location(loc: FindingLocation, root: Path, index: int | None = None,
              message: str | None = None) -> s.Location:
    region = None
    if loc.span is not None:
        sp = loc.span
        end_col = sp.end_col if sp.end_line > sp.line else max(sp.end_col, sp.col + 1)
        region = s.Region(sp.line, sp.col, sp.end_line, end_col)
    logical = (s.LogicalLocation(loc.json_pointer or "/", loc.path, "object"),)
    return s.Location(s.PhysicalLocation(_artifact(loc.file, root), region), logical, index,
                      s.Message(message) if message else None)


def _result(f: Finding, index: dict[str, int], root: Path,
            suppressed: Suppressed | None = None) -> s.Result:
    related = tuple(_location(r, root, i, r.path) for i, r in enumerate(f.related, start=1))
    hint = f" {f.hint}" if f.hint else ""
    suppressions = None
    if suppressed is not None:
        kind: s.SuppressionKind = "inSource" if suppressed.in_source else "external"
        suppressions = (s.Suppression(kind, suppressed.justification),)
    return s.Result(
        rule_id=f.code, rule_index=index[f.code], level=_LEVEL[f.severity],
        message=s.Message(f.message + hint), locations=(_location(f.location, root),),
        partial_fingerprints={"archgen/v1": fingerprint(f)},
        related_locations=related or None, suppressions=suppressions)


def build_log(run: RunResult) -> s.Log:
    codes = run.enabled_codes
    levels = {c: lvl for r in run.reports for c, lvl in r.enabled.items()}
    rules = tuple(_descriptor(c, levels[c]) for c in codes)
    index = {c: i for i, c in enumerate(codes)}
    results = [_result(f, index, run.root) for r in run.reports for f in r.findings]
    results += [_result(x.finding, index, run.root, x) for r in run.reports
                for x in r.suppressed if x.finding.code in index]
    driver = s.ToolComponent("archgen", __version__, __version__, INFO_URI, rules)
    invocation = s.Invocation(run.exit_code in (0, 1), run.exit_code,
                              run.command_line or None)
    root_uri = run.root.resolve().as_uri().rstrip("/") + "/"
    return s.Log((s.Run(s.Tool(driver), (invocation,), tuple(results),
                        {BASE_ID: s.ArtifactLocation(root_uri)}),))


def render_sarif(run: RunResult) -> str:
    return json.dumps(s.to_json(build_log(run)), indent=2, ensure_ascii=False) + "\n"

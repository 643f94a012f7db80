"""Validate one catalog: load it, run the enabled rules, apply suppressions.

Everything is collected, nothing raised: one run reports every problem of every
file. Only unreadable files and bad configuration raise (ArchgenError, exit 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from archgen.catalog import LoadResult, load_catalog, load_catalog_text
from archgen.config import Settings
from archgen.findings import Finding, Location, Pointer, Severity, sort_key
from archgen.model.catalog import RulesConfig
from archgen.suppression import (
    Suppressed,
    apply,
    baseline_suppression,
    config_suppressions,
    data_suppressions,
    inline_suppressions,
)


@dataclass
class FileReport:
    file: str
    findings: list[Finding] = field(default_factory=list)
    load: LoadResult | None = None
    suppressed: list[Suppressed] = field(default_factory=list)
    enabled: Mapping[str, Severity] = field(default_factory=dict)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)


def validate_file(path: Path | str, display: str | None = None, settings: Settings | None = None,
                  baseline: frozenset[str] = frozenset(), today: date | None = None
                  ) -> FileReport:
    result = load_catalog(path, display)
    # Comments hold suppressions only once the YAML parsed (there is nothing to attach them to).
    text = result.text if result.source_map.values else ""
    return check(result, text, settings or Settings(), baseline, today or date.today())


def validate_text(text: str, display: str = "<string>", settings: Settings | None = None,
                  baseline: frozenset[str] = frozenset(), today: date | None = None
                  ) -> FileReport:
    return check(load_catalog_text(text, display), text, settings or Settings(), baseline,
                 today or date.today())


def check(result: LoadResult, text: str, settings: Settings, baseline: frozenset[str],
          today: date) -> FileReport:
    from archgen.rules import CODES, effective_severities, run_rules

    checkable = result.checkable
    block = checkable.spec.rules if checkable else None
    select, severity, problems = _catalog_layer(block, settings, result)
    enabled = effective_severities(select, settings.ignores_for(result.file), severity)
    # A loader code missing from the registry is kept as is rather than silently dropped.
    found = [f if f.code not in enabled or f.severity is enabled[f.code]
             else replace(f, severity=enabled[f.code])
             for f in result.findings if f.code in enabled or f.code not in CODES]
    found += run_rules(result, enabled)
    suppressions = [*inline_suppressions(text, result.source_map),
                    *data_suppressions(text, result.source_map),
                    *config_suppressions(block, result.source_map)]
    if baseline:
        suppressions.append(baseline_suppression(baseline, result.file))
    if result.catalog is None:
        for s in suppressions:  # rules did not run: do not call their suppressions unused
            s.used.update(s.codes or {"*"})
    outcome = apply(found, suppressions, enabled, today)
    findings = outcome.findings + [p for p in problems if p.code in enabled]
    findings.sort(key=sort_key)
    return FileReport(result.file, findings, result, outcome.suppressed, enabled)


def _catalog_layer(block: RulesConfig | None, settings: Settings, result: LoadResult
                   ) -> tuple[tuple[str, ...], dict[str, str], list[Finding]]:
    """The catalog's `rules:` block, under the file, environment and command line settings."""
    from archgen.rules import CODES, known_selector, matches

    if block is None:
        return settings.select, dict(settings.severity), []
    problems: list[Finding] = []
    entries: list[tuple[str, Pointer]] = [(s, ("rules", "select", i))
                                          for i, s in enumerate(block.select)]
    entries += [(s, ("rules", "severity", s)) for s in block.severity]
    entries += [(e.rule, ("rules", "ignore", i, "rule")) for i, e in enumerate(block.ignore)]
    for selector, pointer in entries:
        if not known_selector(selector):  # diff codes (AGDxxx) are `archgen diff`'s
            rule = CODES["AG903"]
            problems.append(Finding("AG903", rule.slug, rule.severity,
                                    f"`{selector}` is not a rule code, slug or prefix",
                                    _loc(result, pointer), rule.fix))
    select = settings.select or tuple(s for s in block.select if matches(s))
    severity = {k: v for k, v in block.severity.items() if matches(k)}
    return select, {**severity, **settings.severity}, problems


def _loc(result: LoadResult, pointer: Pointer) -> Location:
    return result.source_map.locate(pointer)


def exceeds(reports: list[FileReport], fail_on: str) -> bool:
    """Whether any finding is at or above the `--fail-on` threshold."""
    if fail_on == "none":
        return False
    threshold = Severity(fail_on).rank
    return any(f.severity.rank >= threshold for r in reports for f in r.findings)

"""Code families beside the validator's rules (diff's AGD codes, drift's AGX codes).

Each family's findings are selected, re-classed by the catalog's `rules.severity`,
suppressed (inline, in data, by configuration, by a baseline) and reported exactly as
`validate` does; this module is that one path, so the families cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from archgen.catalog import LoadResult
from archgen.errors import UsageError
from archgen.findings import Finding, Severity, sort_key
from archgen.model.catalog import RulesConfig
from archgen.rules import matches as rule_matches
from archgen.suppression import (
    apply,
    baseline_suppression,
    config_suppressions,
    data_suppressions,
    inline_suppressions,
)
from archgen.validation import FileReport


class _Coded(Protocol):
    @property
    def severity(self) -> Severity: ...


@dataclass(frozen=True)
class CodeFamily:
    noun: str  # "diff", "drift": what `is not a ... code` says
    prefix: str  # "AGD", "AGX"
    codes: Mapping[str, _Coded]
    matches: Callable[[str], list[str]]  # a code, slug, prefix or ALL -> codes


@dataclass(frozen=True)
class Selection:
    """`--select` and `--ignore` of one command: codes, slugs or prefixes."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def enabled(self, family: CodeFamily) -> dict[str, Severity]:
        for selector in (*self.select, *self.ignore):
            if not family.matches(selector):
                raise UsageError(f"`{selector}` is not a {family.noun} code, slug or prefix",
                                 f"see `archgen rules` (the {family.prefix} codes)")
        chosen = ([c for s in self.select for c in family.matches(s)] if self.select
                  else list(family.codes))
        ignored = {c for s in self.ignore for c in family.matches(s)}
        return {c: family.codes[c].severity for c in chosen if c not in ignored}


def report_on(loaded: LoadResult, findings: Iterable[Finding], family: CodeFamily,
              selection: Selection, baseline: frozenset[str], today: date | None) -> FileReport:
    """The findings as a report on `loaded`, with the suppressions that catalog holds."""
    spec = loaded.catalog.spec if loaded.catalog else None
    enabled = _catalog_severities(family, selection.enabled(family),
                                  spec.rules if spec else None)
    found = [f if f.severity is enabled[f.code] else replace(f, severity=enabled[f.code])
             for f in findings if f.code in enabled]
    suppressions = [*inline_suppressions(loaded.text, loaded.source_map),
                    *data_suppressions(loaded.text, loaded.source_map),
                    *config_suppressions(spec.rules if spec else None, loaded.source_map)]
    if baseline:
        suppressions.append(baseline_suppression(baseline, loaded.file))

    def matcher(selector: str) -> list[str]:
        # Suppressions in a catalog may name this family's codes and validator codes alike.
        return family.matches(selector) or rule_matches(selector)

    outcome = apply(found, suppressions, enabled, today or date.today(), matcher)
    return FileReport(loaded.file, sorted(outcome.findings, key=sort_key), loaded,
                      outcome.suppressed, enabled)


def _catalog_severities(family: CodeFamily, enabled: dict[str, Severity],
                        block: RulesConfig | None) -> dict[str, Severity]:
    """The catalog's `rules.severity` for the family's codes: `off`, or another class."""
    for selector, level in (block.severity.items() if block else ()):
        for code in family.matches(selector):
            if level == "off":
                enabled.pop(code, None)
            elif code in enabled:
                enabled[code] = Severity(level)
    return enabled

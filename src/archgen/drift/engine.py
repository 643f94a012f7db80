"""Run the drift checks on a loaded catalog and what was observed; suppress as `validate` does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from archgen.catalog import LoadResult
from archgen.drift import apis, calls, deployment, events
from archgen.drift.codes import DRIFT_CODES, matches
from archgen.drift.context import DriftContext
from archgen.drift.observed import Observed
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

Check = Callable[[DriftContext], None]

# One check per family, in code order; each skips a family the target cannot show.
CHECKS: dict[str, Check] = {
    "apis": apis.check,
    "events": events.check,
    "calls": calls.check,
    "deployment": deployment.check,
}


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def enabled(self) -> dict[str, Severity]:
        for selector in (*self.select, *self.ignore):
            if not matches(selector):
                raise UsageError(f"`{selector}` is not a drift code, slug or prefix",
                                 "see `archgen rules` (the AGX codes)")
        chosen = ([c for s in self.select for c in matches(s)] if self.select
                  else list(DRIFT_CODES))
        ignored = {c for s in self.ignore for c in matches(s)}
        return {c: DRIFT_CODES[c].severity for c in chosen if c not in ignored}


def drift_findings(loaded: LoadResult, observed: Observed) -> list[Finding]:
    """Every difference between the catalog and what was observed, unsuppressed, sorted."""
    assert loaded.catalog is not None
    ctx = DriftContext(loaded.catalog, loaded.source_map, observed)
    for code, service, why in observed.unreadable:
        pointer = ("services", service) if service in loaded.catalog.services else ()
        ctx.add(code, f"{service}: {why}" if service else why, pointer)
    for check in CHECKS.values():
        check(ctx)
    return sorted(set(ctx.found), key=sort_key)


def run_drift(loaded: LoadResult, observed: Observed, selection: Selection = Selection(),
              baseline: frozenset[str] = frozenset(), today: date | None = None) -> FileReport:
    """The drift as a report on the catalog, with its suppressions and the baseline."""
    spec = loaded.catalog.spec if loaded.catalog else None
    enabled = _catalog_severities(selection.enabled(), spec.rules if spec else None)
    found = [f if f.severity is enabled[f.code] else replace(f, severity=enabled[f.code])
             for f in drift_findings(loaded, observed) if f.code in enabled]
    suppressions = [*inline_suppressions(loaded.text, loaded.source_map),
                    *data_suppressions(loaded.text, loaded.source_map),
                    *config_suppressions(spec.rules if spec else None, loaded.source_map)]
    if baseline:
        suppressions.append(baseline_suppression(baseline, loaded.file))
    outcome = apply(found, suppressions, enabled, today or date.today(), _matcher)
    return FileReport(loaded.file, sorted(outcome.findings, key=sort_key), loaded,
                      outcome.suppressed, enabled)


def _catalog_severities(enabled: dict[str, Severity], block: RulesConfig | None
                        ) -> dict[str, Severity]:
    """The catalog's `rules.severity` for drift codes: `off`, or another class."""
    for selector, level in (block.severity.items() if block else ()):
        for code in matches(selector):
            if level == "off":
                enabled.pop(code, None)
            elif code in enabled:
                enabled[code] = Severity(level)
    return enabled


def _matcher(selector: str) -> list[str]:
    """Suppressions in a catalog may name drift codes and validator codes alike."""
    return matches(selector) or rule_matches(selector)

"""Run the diff checks on two loaded catalogs and apply suppressions as `validate` does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from archgen.catalog import LoadResult
from archgen.diff import endpoints, events, gateway, models, services, states
from archgen.diff.codes import DIFF_CODES, matches
from archgen.diff.context import DiffContext, Side
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

Check = Callable[[DiffContext], None]

# One check per contract family, in code order (explicit, like rules.RULES).
CHECKS: dict[str, Check] = {
    "endpoints": endpoints.check,
    "models": models.check,
    "events": events.check,
    "states": states.check,
    "services": services.check,
    "gateway": gateway.check,
}


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def enabled(self) -> dict[str, Severity]:
        for selector in (*self.select, *self.ignore):
            if not matches(selector):
                raise UsageError(f"`{selector}` is not a diff code, slug or prefix",
                                 "see `archgen rules` (the AGD codes)")
        chosen = [c for s in self.select for c in matches(s)] if self.select else list(DIFF_CODES)
        ignored = {c for s in self.ignore for c in matches(s)}
        return {c: DIFF_CODES[c].severity for c in chosen if c not in ignored}


def diff_catalogs(old: LoadResult, new: LoadResult, *, removals_in_new: bool = False
                  ) -> list[Finding]:
    """Every change from OLD to NEW, unsuppressed, sorted."""
    for result, label in ((old, "OLD"), (new, "NEW")):
        _require_loaded(result, label)
    assert old.catalog is not None and new.catalog is not None
    ctx = DiffContext(Side(old.catalog, old.source_map), Side(new.catalog, new.source_map),
                      removals_in_new)
    for check in CHECKS.values():
        check(ctx)
    return sorted(set(ctx.found), key=sort_key)


def _require_loaded(result: LoadResult, label: str) -> None:
    if result.catalog is not None:
        return
    first = result.errors[0] if result.errors else None
    where = ""
    if first is not None and first.location.span is not None:
        where = f":{first.location.span.line}:{first.location.span.col}"
    detail = f" ({first.code} {first.message})" if first else ""
    raise UsageError(f"{result.file}{where}: the {label} catalog does not load{detail}",
                     f"run `archgen validate {result.file}` first")


def run_diff(old: LoadResult, new: LoadResult, selection: Selection = Selection(),
             baseline: frozenset[str] = frozenset(), today: date | None = None, *,
             removals_in_new: bool = False) -> FileReport:
    """The diff as a report on NEW: suppressions are read from NEW, as validate reads them."""
    spec = new.catalog.spec if new.catalog else None
    enabled = _catalog_severities(selection.enabled(), spec.rules if spec else None)
    found = [f if f.severity is enabled[f.code] else replace(f, severity=enabled[f.code])
             for f in diff_catalogs(old, new, removals_in_new=removals_in_new)
             if f.code in enabled]
    suppressions = [*inline_suppressions(new.text, new.source_map),
                    *data_suppressions(new.text, new.source_map),
                    *config_suppressions(spec.rules if spec else None, new.source_map)]
    if baseline:
        suppressions.append(baseline_suppression(baseline, new.file))
    outcome = apply(found, suppressions, enabled, today or date.today(), _matcher)
    return FileReport(new.file, sorted(outcome.findings, key=sort_key), new,
                      outcome.suppressed, enabled)


def _catalog_severities(enabled: dict[str, Severity], block: RulesConfig | None
                        ) -> dict[str, Severity]:
    """The NEW catalog's `rules.severity` for diff codes: `off`, or another class."""
    for selector, level in (block.severity.items() if block else ()):
        for code in matches(selector):
            if level == "off":
                enabled.pop(code, None)
            elif code in enabled:
                enabled[code] = Severity(level)
    return enabled


def _matcher(selector: str) -> list[str]:
    """Suppressions in a catalog may name diff codes and validator codes alike."""
    return matches(selector) or rule_matches(selector)


"""Run the drift checks on a loaded catalog and what was observed; suppress as `validate` does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from archgen.catalog import LoadResult
from archgen.code_family import CodeFamily, Selection, report_on
from archgen.drift import apis, calls, deployment, events
from archgen.drift.context import DriftContext
from archgen.drift.observed import Observed
from archgen.findings import Finding, sort_key
from archgen.rules.drift_codes import DRIFT_CODES, matches
from archgen.validation import FileReport

Check = Callable[[DriftContext], None]

# One check per family, in code order; each skips a family the target cannot show.
CHECKS: dict[str, Check] = {
    "apis": apis.check,
    "events": events.check,
    "calls": calls.check,
    "deployment": deployment.check,
}


ALL = Selection()  # every code of the family
FAMILY = CodeFamily("drift", "AGX", DRIFT_CODES, matches)


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


def run_drift(loaded: LoadResult, observed: Observed, selection: Selection = ALL,
              baseline: frozenset[str] = frozenset(), today: date | None = None) -> FileReport:
    """The drift as a report on the catalog, with its suppressions and the baseline."""
    return report_on(loaded, drift_findings(loaded, observed), FAMILY, selection, baseline,
                     today)


"""Run the diff checks on two loaded catalogs and apply suppressions as `validate` does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from archgen.catalog import LoadResult
from archgen.code_family import CodeFamily, Selection, report_on
from archgen.diff import endpoints, events, gateway, models, services, states
from archgen.diff.context import DiffContext, Side
from archgen.errors import UsageError
from archgen.findings import Finding, sort_key
from archgen.rules.diff_codes import DIFF_CODES, matches
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


ALL = Selection()  # every code of the family
FAMILY = CodeFamily("diff", "AGD", DIFF_CODES, matches)


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


def run_diff(old: LoadResult, new: LoadResult, selection: Selection = ALL,
             baseline: frozenset[str] = frozenset(), today: date | None = None, *,
             removals_in_new: bool = False) -> FileReport:
    """The diff as a report on NEW: suppressions are read from NEW, as validate reads them."""
    return report_on(new, diff_catalogs(old, new, removals_in_new=removals_in_new), FAMILY,
                     selection, baseline, today)



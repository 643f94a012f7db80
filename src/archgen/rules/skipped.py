"""AG009: say which parts of a partial catalog the rules did not see, and why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from archgen.findings import Finding, Severity, dotted_path

if TYPE_CHECKING:
    from archgen.catalog import LoadResult
    from archgen.salvage import SkippedPart

_CODE, _SLUG = "AG009", "part-skipped"
_HINT = "fix the errors of this part; its rule findings appear in the next run"


def skip_notices(result: LoadResult, not_run: Sequence[str]) -> list[Finding]:
    """One info finding per skipped part, at that part; one at the root if no rule ran."""
    if not result.skipped:
        return []
    if result.checkable is None:
        return [_no_rules(result)]
    from archgen.rules import RULES

    notices = []
    said: set[str] = set()  # name the rules that did not run once, at the first such part
    for part in result.skipped:
        rules = [c for c in not_run if part.key in RULES[c].needs and c not in said]
        said.update(rules)
        notices.append(_notice(result, part, rules))
    return notices


def _errors(part: SkippedPart) -> str:
    return f"{part.count} error{'s' if part.count != 1 else ''} ({', '.join(part.codes)})"


def _notice(result: LoadResult, part: SkippedPart, rules: list[str]) -> Finding:
    path = dotted_path(part.pointer)
    message = f"{path} was not checked by the rules: it has {_errors(part)}"
    if len(part.pointer) == 2:
        message += "; references to it are not reported as unknown"
    if rules:
        whole = "every service" if part.key == "services" else f"`{part.key}`"
        message += f"; rules that need {whole} did not run: {', '.join(rules)}"
    return Finding(_CODE, _SLUG, Severity.INFO, message,
                   result.source_map.locate(part.pointer, key=True), _HINT)


def _no_rules(result: LoadResult) -> Finding:
    blocking = [p for p in result.skipped if not p.pointer or p.pointer[0] == "archgen"]
    if blocking:
        part = blocking[0]
        why = f"{dotted_path(part.pointer)} has {_errors(part)} and nothing can be checked " \
              "without it"
    else:
        part = result.skipped[0]
        why = "the errors above could not be isolated to one service or section"
    return Finding(_CODE, _SLUG, Severity.INFO, f"no rule ran: {why}",
                   result.source_map.locate(part.pointer, key=True),
                   "fix the errors above; the rule findings appear in the next run")

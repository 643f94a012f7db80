"""The rule registry and the runner.

`RULES` lists every checkable rule by code, explicitly (no discovery magic);
`CODES` adds the documented codes the loader and the suppression machinery
emit; `archgen diff`'s (diff_codes) and `archgen drift`'s (drift_codes) are
documented here too, so reporters and suppressions never reach up into them.
Codes are permanent: a retired code is never reused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from archgen.findings import Finding, Severity
from archgen.rules import (
    communication,
    compensation,
    data,
    events,
    flows,
    gateway,
    infrastructure,
    limits,
    mesh,
    naming,
    reactions,
    states,
)
from archgen.rules import services as services_rules
from archgen.rules.base import Rule, RuleContext
from archgen.rules.builtin import LOADER_CODES, META_CODES
from archgen.rules.diff_codes import DIFF_CODES
from archgen.rules.diff_codes import matches as diff_matches
from archgen.rules.drift_codes import DRIFT_CODES
from archgen.rules.drift_codes import matches as drift_matches
from archgen.rules.skipped import skip_notices

if TYPE_CHECKING:
    from archgen.catalog import LoadResult

_CHECKED: tuple[Rule, ...] = (
    *gateway.RULES, *mesh.RULES, *services_rules.RULES, *data.RULES, *events.RULES,
    *reactions.RULES,
    *states.RULES, *compensation.RULES, *flows.RULES,
    *infrastructure.RULES, *communication.RULES, *naming.RULES, *limits.RULES,
)

RULES: dict[str, Rule] = {r.code: r for r in _CHECKED}
CODES: dict[str, Rule] = {r.code: r for r in (*LOADER_CODES, *_CHECKED, *META_CODES)}
SLUGS: dict[str, str] = {r.slug: r.code for r in CODES.values()}

_PREFIX = re.compile(r"^AG[0-9]{0,3}$")


def lookup(code_or_slug: str) -> Rule | None:
    """A rule by code (any case) or slug."""
    text = code_or_slug.strip()
    return CODES.get(text.upper()) or CODES.get(SLUGS.get(text.lower(), ""))


def matches(selector: str) -> list[str]:
    """Codes a selector names: a code, a slug, a code prefix (AG3, AG30) or ALL; [] if none."""
    text = selector.strip()
    if text.upper() == "ALL":
        return list(CODES)
    found = lookup(text)
    if found is not None:
        return [found.code]
    if _PREFIX.match(text.upper()):
        return [c for c in CODES if c.startswith(text.upper())]
    return []


def documented(code: str) -> Rule | None:
    """Any code a finding can carry: the validator's, `archgen diff`'s (AGDxxx) and
    `archgen drift`'s (AGXxxx)."""
    return CODES.get(code) or DIFF_CODES.get(code) or DRIFT_CODES.get(code)


def known_selector(selector: str) -> bool:
    """Whether a suppression selector names validator, diff or drift codes (all live in
    catalogs)."""
    return bool(matches(selector) or diff_matches(selector) or drift_matches(selector))


def effective_severities(select: Iterable[str] = (), ignore: Iterable[str] = (),
                         severity: Mapping[str, str] | None = None) -> dict[str, Severity]:
    """Code -> severity of every code that is on. Selectors must be valid (see `matches`)."""
    selected = [c for s in select for c in matches(s)] if select else list(CODES)
    ignored = {c for s in ignore for c in matches(s)}
    on = {c: CODES[c].severity for c in selected if c not in ignored}
    for selector, level in (severity or {}).items():
        for code in matches(selector):
            if level == "off":
                on.pop(code, None)
            elif code in CODES:
                on[code] = Severity(level)
    # Loading errors are not rules: without them the data is not what the author wrote.
    for rule in LOADER_CODES:
        if rule.severity is Severity.ERROR:
            on[rule.code] = Severity.ERROR
    return on


def run_rules(load_result: LoadResult, enabled: Mapping[str, Severity]) -> list[Finding]:
    """Run the enabled rules on a loaded catalog; findings carry the configured severity.

    On a partial catalog (parts with schema errors cut out) the rules run on the rest,
    except those that need a skipped part whole; one AG009 notice per skipped part says so.
    """
    catalog = load_result.checkable
    skipped = {p.key for p in load_result.skipped}
    not_run = [c for c, r in RULES.items() if c in enabled and skipped & set(r.needs)]
    found = [n if n.severity is enabled[n.code] else replace(n, severity=enabled[n.code])
             for n in skip_notices(load_result, not_run) if n.code in enabled]
    if catalog is None:
        return found
    services = frozenset(str(p.pointer[1]) for p in load_result.skipped if len(p.pointer) == 2)
    ctx = RuleContext(catalog, load_result.source_map, services)
    for code, rule in RULES.items():
        level = enabled.get(code)
        if level is None or code in not_run:
            continue
        for finding in rule.check(ctx):
            found.append(finding if finding.severity is level else replace(finding,
                                                                           severity=level))
    return found


__all__ = ["CODES", "RULES", "Rule", "RuleContext", "documented", "effective_severities",
           "known_selector", "lookup", "matches", "run_rules"]

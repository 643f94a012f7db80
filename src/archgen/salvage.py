"""Every problem in one run: when parts of a catalog are invalid, check the rest.

A schema error used to stop every rule: users fixed seven name errors and only
then met the findings that matter (a shared store, a route claimed twice). Here
the invalid parts are cut out (one service, or one top-level section), the rest
is validated again, and the rules run on what remains. A part is the unit of
trust: a service with one bad field is skipped whole, so that no rule ever
concludes from a value the loader rejected (its missing `nfr` would otherwise
read as "no SLA"). Rules that conclude from absence across parts declare what
they need complete (`Rule.needs`) and do not run when that part was skipped.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from archgen.findings import Finding, Pointer, Severity
from archgen.model.catalog import Catalog

# Without a readable format version there is no format to check against.
_UNSALVAGEABLE = ("archgen",)
# A required section that is invalid is replaced by the smallest valid stand-in.
_STAND_INS: Mapping[str, Any] = {"system": {"name": "unnamed"}, "services": {}}


@dataclass(frozen=True)
class SkippedPart:
    """A part of the catalog the rules did not see, and the errors that made it so."""

    pointer: Pointer  # ("services", name) or (section,)
    codes: tuple[str, ...]
    count: int

    @property
    def key(self) -> str:
        """What rules name in `needs`: `services` for any service, else the section.

        An unknown top-level key stands for the section it misspells (`gatway:` is the
        gateway the user wrote): rules must not then report that section as missing.
        """
        if not self.pointer:
            return ""
        name = str(self.pointer[0])
        sections = [f.alias or n for n, f in Catalog.model_fields.items()]
        close = difflib.get_close_matches(name, sections, n=1, cutoff=0.6)
        return name if name in sections or not close else close[0]


def part_of(pointer: Pointer) -> Pointer:
    """The skippable part a pointer lies in: a service, or a top-level section."""
    if len(pointer) >= 2 and pointer[0] == "services":
        return pointer[:2]
    return pointer[:1]


def skipped_parts(errors: Iterable[Finding]) -> list[SkippedPart]:
    grouped: dict[Pointer, list[str]] = {}
    for finding in errors:
        if finding.severity is Severity.ERROR:
            grouped.setdefault(part_of(finding.location.pointer), []).append(finding.code)
    return [SkippedPart(p, tuple(sorted(set(codes))), len(codes))
            for p, codes in sorted(grouped.items(), key=lambda item: [str(x) for x in item[0]])]


def salvage(data: dict[Any, Any], parts: list[SkippedPart]) -> Catalog | None:
    """The catalog without the skipped parts, or None when nothing can be checked."""
    if any(not p.pointer or p.pointer[0] in _UNSALVAGEABLE for p in parts):
        return None
    pruned = dict(data)
    services = pruned.get("services")
    services = dict(services) if isinstance(services, dict) else services
    for part in parts:
        section = str(part.pointer[0])
        if len(part.pointer) == 2 and isinstance(services, dict):
            services.pop(part.pointer[1], None)
        elif section in _STAND_INS:
            pruned[section] = dict(_STAND_INS[section])
            services = pruned["services"] if section == "services" else services
        else:
            pruned.pop(part.pointer[0], None)
    pruned["services"] = services
    try:
        return Catalog.model_validate(pruned)
    except ValidationError:
        return None  # a problem the parts did not isolate: check nothing rather than guess

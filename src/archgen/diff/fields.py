"""Comparing two field lists (models, query parameters, payloads), direction-free.

The result says what changed about each field in neutral terms: a field
narrowed (accepts less) or widened (may hold more), retyped, removed or added.
The checks decide what that means for their direction: narrowing a request
breaks callers, widening a response breaks readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archgen.model.resolved import Field


@dataclass(frozen=True, slots=True)
class FieldChange:
    name: str
    kind: str  # removed | added | retyped | changed
    required: bool = False  # for `added`: the new field is required
    narrowed: tuple[str, ...] = ()  # what now accepts less: "optional to required", ...
    widened: tuple[str, ...] = ()
    enum_added: tuple[str, ...] = ()
    enum_removed: tuple[str, ...] = ()
    detail: str = ""  # for `retyped`: "str -> int"


def compare(old: tuple[Field, ...], new: tuple[Field, ...]) -> list[FieldChange]:
    if old == new:
        return []  # the common case in a pull request: nothing to walk
    before = {f.name: f for f in old}
    after = {f.name: f for f in new}
    changes = [FieldChange(n, "removed") for n in before if n not in after]
    changes += [FieldChange(n, "added", required=f.required) for n, f in after.items()
                if n not in before]
    for name in (n for n in after if n in before):
        change = _compare_one(before[name], after[name])
        if change is not None:
            changes.append(change)
    return changes


def _compare_one(a: Field, b: Field) -> FieldChange | None:
    if str(a.type) != str(b.type):
        return FieldChange(a.name, "retyped", detail=f"{a.type} -> {b.type}")
    narrowed: list[str] = []
    widened: list[str] = []
    if a.required != b.required:
        (narrowed if b.required else widened).append(
            "optional to required" if b.required else "required to optional")
    for label, lower_is_narrow in _BOUNDS:
        _bound(label, getattr(a.spec, label), getattr(b.spec, label), lower_is_narrow,
               narrowed, widened)
    for label in ("pattern", "format"):
        x, y = getattr(a.spec, label), getattr(b.spec, label)
        if x != y:
            (widened if y is None else narrowed).append(f"{label} {_show(x)} -> {_show(y)}")
    old_enum, new_enum = a.spec.enum, b.spec.enum
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    if old_enum is not None and new_enum is not None:
        added = tuple(str(v) for v in new_enum if v not in old_enum)
        removed = tuple(str(v) for v in old_enum if v not in new_enum)
    elif old_enum != new_enum:
        (widened if new_enum is None else narrowed).append(
            "enum dropped" if new_enum is None else "enum added")
    if not (narrowed or widened or added or removed):
        return None
    return FieldChange(a.name, "changed", narrowed=tuple(narrowed), widened=tuple(widened),
                       enum_added=added, enum_removed=removed)


# (constraint, whether a smaller value accepts less): maximum 100 -> 50 narrows.
_BOUNDS: tuple[tuple[str, bool], ...] = (
    ("minimum", False), ("maximum", True), ("min_length", False), ("max_length", True))


def _bound(label: str, x: Any, y: Any, lower_is_narrow: bool, narrowed: list[str],
           widened: list[str]) -> None:
    if x == y:
        return
    text = f"{label} {_show(x)} -> {_show(y)}"
    if x is None or y is None:
        (narrowed if x is None else widened).append(text)
        return
    (narrowed if bool(y < x) == lower_is_narrow else widened).append(text)


def _show(value: Any) -> str:
    return "none" if value is None else str(value)


def describe(change: FieldChange, *, narrowing: bool) -> str:
    """The facets of a `changed` field on one side: what narrowed, or what widened."""
    if narrowing:
        parts = [*change.narrowed, *([f"enum values {', '.join(change.enum_removed)} removed"]
                                     if change.enum_removed else [])]
    else:
        parts = [*change.widened, *([f"enum values {', '.join(change.enum_added)} added"]
                                    if change.enum_added else [])]
    return "; ".join(parts)

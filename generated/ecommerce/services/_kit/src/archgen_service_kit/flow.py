"""Conditions and state machines: when an emit fires, which changes of state are legal.

A condition is data from the catalog (field: {operator: value}), never code. A
field with a state machine changes only along its transitions, and only by the
causes a transition names: an endpoint route (`PUT /path`) or a consumed event.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from typing import Any

from .spec import Condition, ServiceSpec
from .storage import Record

_ORDER = ("gt", "ge", "lt", "le")


def holds(condition: Condition, data: Record) -> bool:
    """Whether every field of `data` named in `condition` passes its comparison."""
    return all(_passes(comparison, data.get(name)) for name, comparison in condition.items())


def _passes(comparison: dict[str, Any], value: Any) -> bool:
    for op, expected in comparison.items():
        if op == "ne":
            if value is not None and str(value) == str(expected):
                return False
        elif value is None:
            return False
        elif op == "eq" and str(value) != str(expected):
            return False
        elif op == "in" and str(value) not in {str(v) for v in expected}:
            return False
        elif op in _ORDER and not _ordered(op, value, float(expected)):
            return False
    return True


def _ordered(op: str, value: Any, expected: float) -> bool:
    if isinstance(value, bool):
        return False
    try:
        number = float(value)  # decimals travel as text
    except (TypeError, ValueError):
        return False
    return {
        "gt": number > expected,
        "ge": number >= expected,
        "lt": number < expected,
        "le": number <= expected,
    }[op]


class IllegalTransition(Exception):
    """A change of state its field's state machine does not allow (answered as 409)."""

    def __init__(
        self, model: str, field: str, before: str | None, after: str, cause: str, allowed: list[str]
    ) -> None:
        self.allowed = allowed
        start = f"from {before} to {after}" if before is not None else f"a new one in {after}"
        super().__init__(
            f"{model}.{field} cannot go {start} by {cause or 'this change'}; "
            f"allowed: {', '.join(allowed) or 'none'}"
        )


def check(spec: ServiceSpec, model: str, before: Record | None, after: Record, cause: str) -> None:
    """Raise IllegalTransition unless every state field of `after` moved legally from
    `before` (None: a new instance, which starts in the initial state)."""
    for field, machine in spec.machines.get(model, {}).items():
        new = after.get(field)
        if new is None:
            continue
        if before is None:
            if str(new) != machine.initial:
                raise IllegalTransition(model, field, None, str(new), cause, [machine.initial])
            continue
        old = before.get(field)
        if old is None or str(old) == str(new):
            continue
        targets = machine.transitions.get(str(old), {})
        allowed = [to for to, causes in targets.items() if not causes or cause in causes]
        if str(new) not in allowed:
            raise IllegalTransition(model, field, str(old), str(new), cause, allowed)

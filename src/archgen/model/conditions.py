"""Conditions (`when`): which values a comparison accepts, decided in one place.

A condition maps fields to comparisons (`{eq|ne|in|gt|ge|lt|le: literal}`); all of them
must hold. The generated service (the service kit's `flow.holds`) compares `eq`, `ne`
and `in` as text and `gt`, `ge`, `lt`, `le` as numbers (a decimal travels as text), and
a missing value passes only `ne`; `holds` here does the same.

For one field a comparison accepts a set of values (`Accepts`): numbers in an interval
whose ends are open (`gt`, `lt`) or closed (`ge`, `le`), or only some literals (`eq`,
`in`), less the excluded ones (`ne`). Meeting two of them is their intersection. From
that: whether any value passes (`satisfiable`), whether two conditions can never hold
together (`exclusive`: one `alt` in a sequence diagram), and a value that passes or
fails (`passing_value`, `failing_value`: the smoke test's failure path). The validator
(AG524), the sequence diagrams and the smoke flow all ask here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Comparison = Mapping[str, Any]
Condition = Mapping[str, Comparison]

ORDER_OPS = ("gt", "ge", "lt", "le")


def number(value: Any) -> float | None:
    """`value` as the generated service compares it with gt/ge/lt/le; None: not a number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def holds(comparison: Comparison, value: Any) -> bool:
    """Whether `value` passes every operator of `comparison`, as the generated service
    decides it."""
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
        elif op in ORDER_OPS:
            found = number(value)
            if found is None or not _ordered(op, found, float(expected)):
                return False
    return True


def condition_holds(condition: Condition, record: Mapping[str, Any]) -> bool:
    """Whether every field of `record` named in `condition` passes its comparison."""
    return all(holds(comparison, record.get(name)) for name, comparison in condition.items())


# How each operator reads in a drawing or a message.
SYMBOLS = {"eq": "=", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}


def condition_text(condition: Condition) -> str:
    """`{status: {eq: delivered}, total: {gt: 100}}` -> `status = delivered, total > 100`."""
    parts = []
    for name, comparison in condition.items():
        for op, value in comparison.items():
            if op == "in":
                shown = ", ".join(_shown(v) for v in value)
                parts.append(f"{name} in [{shown}]")
            else:
                parts.append(f"{name} {SYMBOLS.get(op, op)} {_shown(value)}")
    return ", ".join(parts)


def _shown(value: Any) -> str:
    """A literal as the catalog wrote it: `100`, not the `100.0` it was loaded as."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _ordered(op: str, value: float, bound: float) -> bool:
    return {"gt": value > bound, "ge": value >= bound, "lt": value < bound,
            "le": value <= bound}[op]


@dataclass(frozen=True)
class Accepts:
    """The values one field's comparison accepts.

    With a bound (`low` or `high`), only numbers pass, and only inside the interval
    (an end is included when `*_closed`). With `only`, a value passes only when its
    text is one of theirs; a value whose text is `excluded` never passes."""

    low: float | None = None
    low_closed: bool = True
    high: float | None = None
    high_closed: bool = True
    only: tuple[Any, ...] | None = None  # the literals a value must equal, as text
    excluded: frozenset[str] = frozenset()

    @property
    def numeric(self) -> bool:
        return self.low is not None or self.high is not None

    def passes(self, value: Any) -> bool:
        if value is None:  # a missing value: only `ne` lets it through
            return self.only is None and not self.numeric
        text = str(value)
        if text in self.excluded:
            return False
        if self.only is not None and text not in {str(o) for o in self.only}:
            return False
        if not self.numeric:
            return True
        found = number(value)
        return found is not None and self.within(found)

    def within(self, value: float) -> bool:
        """Whether a number lies inside the interval."""
        if self.low is not None and not (value > self.low or
                                         (self.low_closed and value == self.low)):
            return False
        return self.high is None or value < self.high or (self.high_closed
                                                          and value == self.high)

    def meet(self, other: Accepts) -> Accepts:
        """The values both accept."""
        low, low_closed = _tighter(self.low, self.low_closed, other.low, other.low_closed,
                                   max)
        high, high_closed = _tighter(self.high, self.high_closed, other.high,
                                     other.high_closed, min)
        only = self.only
        if other.only is not None:
            texts = {str(o) for o in other.only}
            only = other.only if only is None else tuple(o for o in only if str(o) in texts)
        return Accepts(low, low_closed, high, high_closed, only, self.excluded | other.excluded)

    def bounds_text(self) -> str:
        """`> 1000 and <= 1000`: the interval as the catalog says it."""
        parts = []
        if self.low is not None:
            parts.append(f"{SYMBOLS['ge' if self.low_closed else 'gt']} {_shown(self.low)}")
        if self.high is not None:
            parts.append(f"{SYMBOLS['le' if self.high_closed else 'lt']} {_shown(self.high)}")
        return " and ".join(parts)


def _tighter(a: float | None, a_closed: bool, b: float | None, b_closed: bool,
             pick: Callable[[float, float], float]) -> tuple[float | None, bool]:
    """Of two ends on the same side, the one that lets fewer numbers in (`pick`: max for
    a lower end, min for an upper one); at equal values an open end is tighter."""
    if a is None:
        return b, b_closed
    if b is None:
        return a, a_closed
    if a == b:
        return a, a_closed and b_closed
    return (a, a_closed) if pick(a, b) == a else (b, b_closed)


def accepts(comparison: Comparison) -> Accepts:
    """The values a comparison accepts."""
    out = Accepts()
    for op, expected in comparison.items():
        value = float(expected) if op in ORDER_OPS else None
        if op == "gt":
            out = out.meet(Accepts(low=value, low_closed=False))
        elif op == "ge":
            out = out.meet(Accepts(low=value))
        elif op == "lt":
            out = out.meet(Accepts(high=value, high_closed=False))
        elif op == "le":
            out = out.meet(Accepts(high=value))
        elif op == "eq":
            out = out.meet(Accepts(only=(expected,)))
        elif op == "in":
            out = out.meet(Accepts(only=tuple(_distinct(expected))))
        elif op == "ne":
            out = out.meet(Accepts(excluded=frozenset({str(expected)})))
    return out


def domain(enum: Sequence[Any] | None = None, minimum: float | None = None,
           maximum: float | None = None) -> Accepts:
    """The values a field can hold: its enum, between its minimum and maximum."""
    return Accepts(low=minimum, high=maximum, only=tuple(enum) if enum else None)


def _distinct(values: Iterable[Any]) -> Iterator[Any]:
    seen: set[str] = set()
    for value in values:
        if str(value) not in seen:
            seen.add(str(value))
            yield value


# ---------------------------------------------------------------- values that pass or fail
def satisfiable(values: Accepts) -> bool:
    """Whether any value passes."""
    return any(values.passes(v) for v in _inside(values))


def condition_satisfiable(condition: Condition) -> bool:
    return all(satisfiable(accepts(c)) for c in condition.values())


def exclusive(a: Condition, b: Condition) -> bool:
    """Whether no record passes both conditions: on some field, no value passes both
    comparisons (a field only one of them tests is free in the other)."""
    for name in dict.fromkeys([*a, *b]):
        met = accepts(a.get(name, {})).meet(accepts(b.get(name, {})))
        if not satisfiable(met):
            return True
    return False


def all_exclusive(conditions: Sequence[Condition]) -> bool:
    """Whether no two of the conditions can hold at once (alternatives)."""
    return all(exclusive(a, b) for i, a in enumerate(conditions) for b in conditions[i + 1:])


def passing_value(comparison: Comparison, like: Any = None) -> Any:
    """A value that passes `comparison`: `like` itself when it does, else one of its
    kind (an int for an int, text with as many decimals for a decimal's text); None when
    none is found."""
    values = accepts(comparison)
    if like is not None and values.passes(like):
        return like
    return _first(values.passes, _inside(values), like)


def failing_value(comparison: Comparison, like: Any = None) -> Any:
    """A value that does not pass `comparison` (of `like`'s kind where one is found);
    None when every value passes."""
    values = accepts(comparison)
    if like is not None and not values.passes(like):
        return like
    return _first(lambda v: not values.passes(v), _outside(values), like)


def _first(wanted: Any, candidates: Iterable[Any], like: Any) -> Any:
    """The first candidate `wanted` takes, shaped like `like`; without `like` (or when no
    shaped one is taken), as it is."""
    pool = list(candidates)
    if like is not None:
        for candidate in pool:
            for shaped in _shaped(candidate, like):
                if wanted(shaped):
                    return shaped
        if isinstance(like, int | float) or number(like) is not None:
            return None  # a number field takes no other kind of value
    return next((c for c in pool if wanted(c)), None)


def _shaped(value: Any, like: Any) -> Iterator[Any]:
    """`value` as a value of `like`'s kind: ints (rounded both ways), text numbers with
    `like`'s decimals; a literal stays as it is."""
    found = number(value)
    if isinstance(like, bool) or found is None or not math.isfinite(found):
        yield value
        return
    if isinstance(like, int):
        yield from dict.fromkeys([math.floor(found), math.ceil(found)])
    elif isinstance(like, float):
        yield found
    elif isinstance(like, str):
        if number(like) is not None:
            yield f"{found:.{len(like.partition('.')[2])}f}"
        yield str(value)
    else:
        yield value


def _inside(values: Accepts) -> Iterator[Any]:
    """Candidates that may pass: the allowed literals, else numbers at and near the
    interval's ends, else some text."""
    if values.only is not None:
        yield from values.only
        return
    if values.numeric:
        for point in _points(values):
            yield from (int(point),) if point.is_integer() and abs(point) < 2**63 else ()
            yield point
            yield repr(point)
        return
    yield from _other_text(values.excluded)


def _points(values: Accepts) -> Iterator[float]:
    low, high = values.low, values.high
    if low is not None and values.low_closed:
        yield low
    if high is not None and values.high_closed:
        yield high
    if low is not None and high is not None:
        yield low + (high - low) / 2
        yield math.nextafter(low, high)
        yield math.nextafter(high, low)
    if low is not None:
        yield low + 1
        yield math.nextafter(low, math.inf)
    if high is not None:
        yield high - 1
        yield math.nextafter(high, -math.inf)
    yield 0.0


def _outside(values: Accepts) -> Iterator[Any]:
    """Candidates that may fail: excluded literals, numbers at and beyond the ends,
    text that is not a number, text none of the literals has."""
    yield from sorted(values.excluded)
    for bound, away in ((values.low, -math.inf), (values.high, math.inf)):
        if bound is not None:
            for point in (bound, bound + (1 if away > 0 else -1), math.nextafter(bound, away)):
                yield from (int(point),) if point.is_integer() and abs(point) < 2**63 else ()
                yield point
    if values.numeric:
        yield "not a number"
    if values.only is not None:
        texts = [str(o) for o in values.only]
        yield from _other_text(frozenset(texts))
        for literal in values.only:
            found = number(literal)
            if found is not None and math.isfinite(found):
                yield found + 1


def _other_text(taken: frozenset[str]) -> Iterator[str]:
    """Text none of `taken` is."""
    text = "x"
    while text in taken:
        text += "_"
    yield text

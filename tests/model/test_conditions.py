"""Conditions as sets of values (archgen.model.conditions), checked against sampling.

Every property compares what the module decides with the values a test can try:
the literals of the comparisons, each bound, its neighbours on both sides (the next
float, +-1), the midpoints between bounds, their text forms, and values of other kinds.
A value that satisfies a comparison with open and closed ends lies among them, so
"no sampled value passes" stands for "no value passes"."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archgen.model.conditions import (
    Comparison,
    Condition,
    accepts,
    all_exclusive,
    exclusive,
    failing_value,
    holds,
    passing_value,
    satisfiable,
)

NUMBERS = st.sampled_from([-2, -1, 0, 0.5, 1, 1.5, 2, 2.5, 1000, 1000.25])
SCALARS = st.one_of(NUMBERS, st.sampled_from(["a", "b", "1", "2.0", "1000", True]))
OPS = {"gt": NUMBERS, "ge": NUMBERS, "lt": NUMBERS, "le": NUMBERS, "eq": SCALARS,
       "ne": SCALARS, "in": st.lists(SCALARS, min_size=0, max_size=3)}
COMPARISONS = st.sets(st.sampled_from(sorted(OPS)), min_size=1, max_size=4).flatmap(
    lambda ops: st.fixed_dictionaries({op: OPS[op] for op in sorted(ops)}))
CONDITIONS = st.dictionaries(st.sampled_from(["amount", "status"]), COMPARISONS, min_size=1,
                             max_size=2)
SETTINGS = settings(max_examples=400, deadline=None)


def _literals(comparisons: Iterable[Comparison]) -> list[Any]:
    out: list[Any] = []
    for comparison in comparisons:
        for value in comparison.values():
            out.extend(value if isinstance(value, list) else [value])
    return out


def samples(*comparisons: Comparison) -> list[Any]:
    """The values tried: literals, bounds and what lies just beside and between them."""
    literals = _literals(comparisons)
    numbers = sorted({float(v) for v in literals
                      if not isinstance(v, bool) and _is_number(v)})
    out: list[Any] = [None, True, False, "zz", "not a number", 0, 0.0, *literals]
    for n in numbers:
        near = [n, n - 1, n + 1, math.nextafter(n, -math.inf), math.nextafter(n, math.inf)]
        out.extend(near)
        out.extend(int(v) for v in near if v.is_integer())
        out.extend(repr(v) for v in near)
    out.extend(a + (b - a) / 2 for a in numbers for b in numbers if a < b)
    return out


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


@SETTINGS
@given(COMPARISONS)
def test_the_set_a_comparison_accepts_is_what_holds_lets_through(comparison: Comparison
                                                                 ) -> None:
    values = accepts(comparison)
    for value in samples(comparison):
        assert values.passes(value) is holds(comparison, value), value


@SETTINGS
@given(COMPARISONS)
def test_a_passing_value_passes_and_none_means_nothing_passes(comparison: Comparison) -> None:
    value = passing_value(comparison)
    if value is None:
        assert not satisfiable(accepts(comparison))
        assert not [v for v in samples(comparison) if holds(comparison, v)]
    else:
        assert holds(comparison, value)
        assert satisfiable(accepts(comparison))


@SETTINGS
@given(COMPARISONS)
def test_a_failing_value_fails_and_none_means_everything_passes(comparison: Comparison
                                                                ) -> None:
    value = failing_value(comparison)
    if value is None:
        assert all(holds(comparison, v) for v in samples(comparison) if v is not None)
    else:
        assert not holds(comparison, value)


@SETTINGS
@given(COMPARISONS, st.sampled_from([7, "10.50", 9.0, "y"]))
def test_a_value_like_another_keeps_its_kind(comparison: Comparison, like: Any) -> None:
    """An int for an int, text for a decimal's text; a literal of the comparison (`eq`,
    `in`, `ne`) is kept as the catalog wrote it."""
    literals = {str(v) for v in _literals([comparison])}
    for value in (passing_value(comparison, like), failing_value(comparison, like)):
        if value is not None and str(value) not in literals:
            assert type(value) is type(like), value
    passing = passing_value(comparison, like)
    assert passing is None or holds(comparison, passing)


@SETTINGS
@given(COMPARISONS)
def test_satisfiable_is_some_sampled_value_passes(comparison: Comparison) -> None:
    assert satisfiable(accepts(comparison)) is any(
        holds(comparison, v) for v in samples(comparison))


@SETTINGS
@given(CONDITIONS, CONDITIONS)
def test_exclusive_is_no_value_passes_both(a: Condition, b: Condition) -> None:
    """Fields are independent: two conditions hold together unless, on one field, no
    value passes both comparisons."""
    both_hold = all(
        any(holds(a.get(name, {}), v) and holds(b.get(name, {}), v)
            for v in samples(a.get(name, {}), b.get(name, {})))
        for name in {*a, *b})
    assert exclusive(a, b) is not both_hold
    assert exclusive(a, b) is exclusive(b, a)


@pytest.mark.parametrize(("conditions", "alternatives"), [
    ([{"amount": {"le": 1000}}, {"amount": {"gt": 1000}}], True),  # the card limit
    ([{"amount": {"le": 1000}}, {"amount": {"ge": 1000}}], False),  # 1000 holds both
    ([{"amount": {"lt": 5}}, {"amount": {"gt": 3}}], False),
    ([{"amount": {"ge": 1, "le": 2}}, {"amount": {"gt": 2}}], True),
    ([{"status": {"eq": "a"}}, {"status": {"in": ["b", "c"]}}], True),
    ([{"status": {"eq": "a"}}, {"amount": {"gt": 2}}], False),  # no field in common
    ([{"status": {"eq": "a"}}, {"status": {"ne": "a"}}], True),
    ([{"status": {"eq": "a"}}, {"status": {"ne": "a"}}, {"status": {"eq": "b"}}], False),
])
def test_conditions_that_cannot_hold_together_are_alternatives(
        conditions: list[Condition], alternatives: bool) -> None:
    assert all_exclusive(conditions) is alternatives


@pytest.mark.parametrize(("comparison", "satisfied"), [
    ({"gt": 1000, "le": 1000}, False), ({"ge": 1000, "le": 1000}, True),
    ({"gt": 1000, "lt": 1000}, False), ({"ge": 1000, "lt": 1000}, False),
    ({"eq": 5, "gt": 5}, False), ({"in": ["5", 6], "lt": 6}, True), ({"in": []}, False),
    ({"eq": "a", "ne": "a"}, False), ({"ne": "a"}, True), ({"gt": 1, "eq": "zz"}, False),
])
def test_open_and_closed_ends(comparison: Comparison, satisfied: bool) -> None:
    assert satisfiable(accepts(comparison)) is satisfied


@pytest.mark.parametrize(("comparison", "current", "passing"), [
    ({"gt": 1000}, "10.50", "1001.00"), ({"le": 3}, 7, 3), ({"lt": 2.5}, 9.0, 1.5),
    ({"in": ["a", "b"]}, "c", "a"), ({"eq": "x"}, "y", "x"), ({"gt": 1, "lt": 2}, 7, None),
    ({"ne": "y"}, "z", "z")])
def test_a_passing_value_like_the_current_one(comparison: Comparison, current: Any,
                                              passing: Any) -> None:
    """The smoke test's failure path: the POST's example value, changed to pass."""
    assert passing_value(comparison, current) == passing

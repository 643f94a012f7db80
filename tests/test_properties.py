"""Property tests: whatever the input, loading never raises and every finding is located."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archgen.catalog import LoadResult, load_catalog_text
from tests.helpers import ECOMMERCE

BLUEPRINT = ECOMMERCE.read_text()
BLUEPRINT_LINES = BLUEPRINT.splitlines()
BLUEPRINT_DATA = yaml.safe_load(BLUEPRINT)
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _assert_located(result: LoadResult, text: str) -> None:
    last_line = text.count("\n") + 2
    for finding in result.findings:
        span = finding.location.span
        assert span is not None, finding
        assert 1 <= span.line <= last_line and span.col >= 1, finding
        assert finding.code.startswith("AG") and finding.message, finding
        assert "\n" not in finding.message or finding.code == "AG001", finding
    if result.catalog is None:
        assert result.errors, "no catalog without a reason"


@SETTINGS
@given(st.text(max_size=400))
def test_any_text(text: str) -> None:
    _assert_located(load_catalog_text(text, "c.yaml"), text)


scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20))
keys = st.one_of(st.sampled_from(["archgen", "system", "services", "name", "gateway", "nfr",
                                  "depends_on", "endpoints", "models", "x-a", "order-service",
                                  "GET /api/v1/x", "Order", "order.created"]),
                 st.text(max_size=12))
trees = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=25)


@SETTINGS
@given(trees)
def test_any_structure(tree: Any) -> None:
    text = yaml.safe_dump(tree, allow_unicode=True)
    _assert_located(load_catalog_text(text, "c.yaml"), text)


@SETTINGS
@given(st.data())
def test_mutated_blueprint_lines(data: st.DataObject) -> None:
    lines = list(BLUEPRINT_LINES)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "char", "indent", "swap"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = " " + lines[i]
        elif action == "swap":
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif lines[i]:
            k = data.draw(st.integers(0, len(lines[i]) - 1))
            char = data.draw(st.sampled_from([*":-[]{}#&*!|>'\"%@` \t\x00,?", "é", "0"]))
            lines[i] = lines[i][:k] + char + lines[i][k + 1:]
    text = "\n".join(lines) + "\n"
    _assert_located(load_catalog_text(text, "c.yaml"), text)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


BLUEPRINT_PATHS = _paths(BLUEPRINT_DATA)[1:]
WEIRD_VALUES = [None, 0, -1, 10**12, 1.5, True, "", "x", "Bad_Name", "../../etc", "{{7*7}}",
                [], {}, ["a"], {"x-a": 1}, {"unknown": 1}, "list[", "100/fortnight"]


@pytest.mark.slow  # ~15 s: hundreds of whole-blueprint loads
@SETTINGS
@given(st.sampled_from(BLUEPRINT_PATHS), st.sampled_from(WEIRD_VALUES))
def test_blueprint_with_one_value_replaced(path: tuple[Any, ...], value: Any) -> None:
    data = yaml.safe_load(BLUEPRINT)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    result = load_catalog_text(text, "c.yaml")
    _assert_located(result, text)

"""Reading a gateway aggregation's written call (model/aggregation_calls.py): the syntax the
catalog admits, the endpoint a call reaches, and its references, for generated paths."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archgen.model.aggregation_calls import call_keys, keyed_calls, parse_call
from archgen.model.names import AGGREGATION_CALL

PLAIN = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)
PARAM = st.from_regex(r"[a-z][A-Za-z0-9_]{0,8}", fullmatch=True)
KEY = st.from_regex(r"[a-z][-a-z0-9]{0,8}", fullmatch=True)
# (kind, name, field): a plain segment, a route parameter, or a reference key.field
SEGMENT = st.one_of(PLAIN.map(lambda s: ("plain", s, "")), PARAM.map(lambda p: ("param", p, "")),
                    st.tuples(KEY, PARAM).map(lambda kf: ("ref", *kf)))


def _written(segment: tuple[str, str, str]) -> str:
    kind, name, field = segment
    return {"plain": name, "param": f"{{{name}}}", "ref": f"{{{name}.{field}}}"}[kind]


@given(st.lists(SEGMENT, min_size=1, max_size=6), PARAM)
def test_a_call_reaches_the_endpoint_of_its_shape_whatever_it_names_its_parameters(
        segments: list[tuple[str, str, str]], renamed: str) -> None:
    path = "/" + "/".join(_written(s) for s in segments)
    text = f"svc GET {path}"
    assert AGGREGATION_CALL.check(text) == text
    call = parse_call(text)
    endpoint = "/" + "/".join(n if k == "plain" else f"{{{renamed}}}" for k, n, _ in segments)
    assert call.serves("GET", endpoint)
    assert not call.serves("POST", endpoint)
    assert not call.serves("GET", endpoint + "/more")
    refs = [(n, f) for k, n, f in segments if k == "ref"]
    assert [(r.key, r.field) for r in call.references] == refs
    assert call.route_params == tuple(n for k, n, _ in segments if k == "param")


@pytest.mark.parametrize("text", [
    "svc GET /x/{a.b.c}", "svc GET /x/{A.b}", "svc GET /x/{a.}", "svc GET /x/{.b}",
    "svc GET /x/{a b}", "svc GET /x/{{a}}"])
def test_malformed_references_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a valid aggregation call"):
        AGGREGATION_CALL.check(text)


def test_a_service_called_twice_gets_a_numbered_key() -> None:
    assert call_keys(["a", "b", "a"]) == ["a", "b", "a-3"]
    assert [k for k, _ in keyed_calls(["a GET /x", "a GET /y/{a.id}"])] == ["a", "a-2"]

"""Properties: a catalog never differs from itself; compatible additions never break anyone."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archgen.catalog import load_catalog_text
from archgen.diff.engine import diff_catalogs
from archgen.findings import Severity
from tests.diff.support import BASE, Data

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

NAMES = ["orders", "billing", "stock", "people", "mail", "ship"]
EVENTS = ["order.placed", "order.paid", "stock.low", "mail.sent"]
TYPES = ["str", "int", "float", "bool", "uuid", "datetime", "decimal", "list[str]",
         "dict[str, int]"]

field_spec = st.one_of(
    st.sampled_from(TYPES),
    st.builds(lambda t, req, mx: {"type": t, "required": req,
                                  **({"max_length": mx} if t == "str" and mx else {})},
              st.sampled_from(TYPES), st.booleans(), st.none() | st.integers(1, 50)),
    st.builds(lambda vals: {"enum": vals}, st.lists(st.sampled_from(["a", "b", "c"]),
                                                    min_size=1, max_size=3, unique=True)))
fields = st.dictionaries(st.sampled_from(["id", "name", "qty", "note", "state", "when"]),
                         field_spec, min_size=1, max_size=4)


@st.composite
def service(draw: st.DrawFn, me: str, others: list[str]) -> Data:
    models = {"Item": draw(fields)}
    routes = draw(st.lists(st.sampled_from(["GET", "POST", "PUT", "DELETE"]), max_size=3,
                           unique=True))
    endpoints: Data = {}
    for method in routes:
        ep: Data = {"summary": f"{method} {me}"}
        if method in ("POST", "PUT"):
            ep["request"] = "Item"
        if method != "DELETE":
            ep["response"] = draw(st.sampled_from(["Item", "list[Item]"]))
        endpoints[f"{method} /api/v1/{me}/{{id}}"] = ep
    data: Data = {"models": models, "endpoints": endpoints,
                  "public": draw(st.booleans())}
    pubs = draw(st.lists(st.sampled_from(EVENTS), max_size=2, unique=True))
    data["publishes"] = {e: {"when": "w", "payload": draw(fields)} for e in pubs}
    data["consumes"] = {e: "act" for e in draw(st.lists(st.sampled_from(EVENTS), max_size=2,
                                                        unique=True)) if e not in pubs}
    deps = draw(st.lists(st.sampled_from(others), max_size=2, unique=True)) if others else []
    data["depends_on"] = {d: {"timeout_ms": draw(st.integers(10, 500))} for d in deps}
    data["nfr"] = {"availability": draw(st.sampled_from([99.0, 99.5, 99.9, 99.95])),
                   "latency_p99_ms": draw(st.integers(50, 2000))}
    return data


@st.composite
def catalogs(draw: st.DrawFn) -> Data:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5, unique=True))
    services = {n: draw(service(n, [o for o in names if o != n])) for n in names}
    topics = {"main": {"events": draw(st.lists(st.sampled_from(EVENTS), max_size=4,
                                               unique=True)),
                       "partitions": draw(st.integers(1, 12)), "key": "id",
                       "retention": draw(st.sampled_from(["1d", "7d", "forever"])),
                       "dead_letter": draw(st.booleans())}}
    return {"archgen": 1, "system": {"name": "prop"},
            "gateway": {"technology": "kong", "versions": ["v1"], "auth": {"type": "jwt"}},
            "services": services, "event_bus": {"technology": "kafka", "topics": topics}}


def _load(data: Data, name: str, *, sort: bool = False) -> Any:
    result = load_catalog_text(yaml.safe_dump(data, sort_keys=sort), name)
    assert result.catalog is not None, result.errors
    return result


@SETTINGS
@given(catalogs())
def test_a_catalog_does_not_differ_from_itself(data: Data) -> None:
    # Written differently (keys sorted): still no change.
    assert diff_catalogs(_load(data, "a.yaml"), _load(data, "b.yaml", sort=True)) == []


def _add_endpoint(d: Data, name: str) -> None:
    d["services"][name].setdefault("endpoints", {})["GET /api/v1/new-thing"] = "New"


def _add_optional_field(d: Data, name: str) -> None:
    models = d["services"][name].setdefault("models", {})
    target = next(iter(models.values()), None)
    if target is None:
        models["Extra"] = {"id": "uuid"}
    else:
        target["added_field"] = {"type": "str", "required": False}


def _add_service(d: Data, name: str) -> None:
    d["services"]["brand-new"] = {"endpoints": {"GET /api/v1/brand-new": "New"}}


def _add_event(d: Data, name: str) -> None:
    d["services"][name].setdefault("publishes", {})["brand.new"] = "Something happened"


def _add_topic(d: Data, name: str) -> None:
    d.setdefault("event_bus", {}).setdefault("topics", {})["brand-new"] = {"events": []}


def _add_optional_payload_field(d: Data, name: str) -> None:
    for pub in d["services"][name].get("publishes", {}).values():
        if isinstance(pub, dict):
            pub.setdefault("payload", {})["extra"] = {"type": "int", "required": False}


ADDITIONS = [_add_endpoint, _add_optional_field, _add_service, _add_event, _add_topic,
             _add_optional_payload_field]


@SETTINGS
@given(st.one_of(catalogs(), st.just(BASE)), st.lists(st.sampled_from(ADDITIONS), min_size=1,
                                                      max_size=3), st.data())
def test_compatible_additions_break_nobody(data: Data, additions: list[Any],
                                           draw: st.DataObject) -> None:
    new = copy.deepcopy(data)
    for add in additions:
        add(new, draw.draw(st.sampled_from(sorted(new["services"]))))
    found = diff_catalogs(_load(data, "a.yaml"), _load(new, "b.yaml"))
    assert not [f for f in found if f.severity is Severity.ERROR], [
        (f.code, f.message) for f in found]
    if _add_service in additions:
        assert any(f.code == "AGD490" for f in found)

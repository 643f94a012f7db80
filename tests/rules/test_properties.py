"""Property: on any catalog of the right shape, every rule and reporter runs without raising.

The strategy draws names from small pools so that references collide often:
cycles, shared stores, unknown targets, events with and without producers.
"""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any
from xml.etree import ElementTree as ET

import networkx as nx
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archgen.reporting import RunResult
from archgen.reporting.junit import render_junit
from archgen.reporting.sarif import render_sarif
from archgen.rules import CODES
from archgen.validation import validate_text

NAMES = ["a", "b", "c", "d", "ghost"]
EVENTS = ["order.created", "order.create", "payment.done", "stock.reserved"]
ROUTES = ["GET /api/v1/x", "GET /api/v1/x/{id}", "POST /api/v2/y", "GET /z", "GET /api/v1/x/{k}"]
MODELS = ["Order", "Item", "Missing"]
FIELDS = ["order_id", "id", "password"]
maybe = st.none() | st.just(None)


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


availability = st.floats(min_value=0.01, max_value=100, allow_nan=False)
small = st.integers(min_value=1, max_value=5000)
payload = st.dictionaries(st.sampled_from(FIELDS), st.sampled_from(["uuid", "str", "Order"]),
                          max_size=3)
service = st.fixed_dictionaries({}, optional={
    "bounded_context": st.sampled_from(["Orders", "orders", "Billing", " "]),
    "public": st.booleans(),
    "models": st.dictionaries(st.sampled_from(MODELS[:2]), payload, max_size=2),
    "endpoints": st.dictionaries(st.sampled_from(ROUTES), st.fixed_dictionaries({}, optional={
        "response": st.sampled_from(MODELS), "emits": st.lists(st.sampled_from(EVENTS),
                                                               max_size=2)}), max_size=3),
    "data_store": st.fixed_dictionaries({}, optional={
        "type": st.sampled_from(["relational", "graph", "none"]),
        "technology": st.sampled_from(["postgresql", "oracle"]),
        "name": st.sampled_from(["db-1", "db-2"]),
        "tables": st.lists(st.sampled_from(["t1", "t2"]), max_size=2)}),
    "publishes": st.dictionaries(st.sampled_from(EVENTS), st.fixed_dictionaries(
        {"payload": payload}), max_size=2),
    "consumes": st.dictionaries(st.sampled_from(EVENTS), st.just("act"), max_size=2),
    "depends_on": st.dictionaries(st.sampled_from(NAMES), st.fixed_dictionaries({}, optional={
        "timeout_ms": small, "retries": st.integers(0, 4),
        "protocol": st.sampled_from(["http", "soap"])}), max_size=3),
    "nfr": st.fixed_dictionaries({}, optional={
        "availability": availability, "latency_p95_ms": small,
        "replicas": st.fixed_dictionaries({"min": st.integers(0, 3)})}),
})
catalog = st.fixed_dictionaries({
    "archgen": st.just(1), "system": st.just({"name": "shop"}),
    "services": st.dictionaries(st.sampled_from(NAMES[:4]), service, min_size=1, max_size=4),
}, optional={
    "gateway": st.fixed_dictionaries({}, optional={
        "technology": st.sampled_from(["kong", "none", "apigee"]),
        "versions": st.lists(st.sampled_from(["v1", "v2"]), max_size=2, unique=True),
        "auth": st.fixed_dictionaries({}, optional={"type": st.sampled_from(["jwt", "saml"])}),
        "nfr": st.fixed_dictionaries({"availability": availability}),
        "aggregations": st.dictionaries(st.sampled_from(ROUTES), st.lists(
            st.sampled_from(["a GET /api/v1/x", "ghost GET /z"]), max_size=2), max_size=2)}),
    "mesh": st.fixed_dictionaries({}, optional={"technology": st.sampled_from(["istio", "none"]),
                                                "justification": st.just("why")}),
    "event_bus": st.fixed_dictionaries({"topics": st.dictionaries(
        st.sampled_from(["t-a", "t-b"]), st.fixed_dictionaries(
            {"events": st.lists(st.sampled_from(EVENTS), max_size=3)},
            optional={"key": st.sampled_from(FIELDS)}), max_size=2)}),
    "communication": st.fixed_dictionaries({}, optional={"sync": st.fixed_dictionaries(
        {}, optional={"timeout_ms": small, "retries": st.integers(0, 3),
                      "protocols": st.lists(st.sampled_from(["rest", "soap"]), max_size=2)})}),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalog)
def test_rules_never_raise(data: dict[str, Any]) -> None:
    text = yaml.safe_dump(data, sort_keys=False)
    report = validate_text(text, "random.yaml")
    run = RunResult([report], 1)
    assert json.loads(render_sarif(run))["runs"][0]["results"] is not None
    ET.fromstring(render_junit(run))
    for f in report.findings:
        assert f.code in CODES
        assert f.location.span is not None, f
        for r in f.related:
            assert r.span is not None


# Reaction graphs without conditions: AG529 fires exactly when the events loop.
FLOW_EVENTS = [f"e{i}.done" for i in range(6)]
FLOW_SERVICES = ["s0", "s1", "s2", "s3"]
reactions = st.dictionaries(
    st.sampled_from(FLOW_SERVICES),
    st.dictionaries(st.sampled_from(FLOW_EVENTS),
                    st.lists(st.sampled_from(FLOW_EVENTS), max_size=2, unique=True),
                    max_size=3),
    min_size=1)


def _flow_catalog(graph: dict[str, dict[str, list[str]]]) -> dict[str, Any]:
    services: dict[str, Any] = {}
    for name, consumes in graph.items():
        emitted = sorted({e for targets in consumes.values() for e in targets})
        services[name] = {
            "models": {"Rec": {"id": "uuid"}},
            "publishes": {e: {"payload": {"id": "uuid"}} for e in emitted},
            "consumes": {e: {"create": "Rec", "emits": targets}
                         for e, targets in consumes.items()},
        }
    first = next(iter(services.values()))
    first["endpoints"] = {"POST /recs": {"request": "Rec", "response": "Rec",
                                         "emits": [FLOW_EVENTS[0]]}}
    return {"archgen": 1, "system": {"name": "flows"}, "services": services}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reactions)
def test_flow_loops_fires_iff_the_events_loop(graph: dict[str, dict[str, list[str]]]) -> None:
    events: nx.DiGraph[str] = nx.DiGraph()
    for consumes in graph.values():
        for event, targets in consumes.items():
            events.add_edges_from((event, t) for t in targets)
    report = validate_text(yaml.safe_dump(_flow_catalog(graph), sort_keys=False), "flows.yaml")
    found = [f for f in report.findings if f.code == "AG529"]
    try:
        nx.find_cycle(events)
        loops = True
    except nx.NetworkXNoCycle:
        loops = False
    assert bool(found) == loops, [f.message for f in found]
    for f in found:  # the cycle named is one: each event leads to the next, back to the first
        named = [part for part in f.message.split(" loops forever")[0].split(" → ")
                 if not part.endswith(" reacts")]
        named[0] = named[0].removeprefix("the flow ")
        assert named[0] == named[-1]
        assert all(events.has_edge(a, b) for a, b in pairwise(named))

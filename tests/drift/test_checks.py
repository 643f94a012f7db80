"""The drift checks on observations made by hand: what a deployed service that is not the
catalog's own generated code (an older build, another framework) would serve and count.

The running-system tests (test_running_system.py) cover what archgen's own services
show; these cover the comparisons a hand-written or stale service can trip.
"""

from __future__ import annotations

import copy
import struct
from typing import Any

import pytest

from archgen.catalog import LoadResult, load_catalog
from archgen.drift.broker import member_topics
from archgen.drift.engine import drift_findings, run_drift
from archgen.drift.observed import Broker, Message, Observed
from archgen.drift.services import parse_callers, window
from archgen.generators.openapi import service_document
from archgen.model.deployment import deployment
from tests.helpers import ECOMMERCE


@pytest.fixture(scope="module")
def shop() -> LoadResult:
    loaded = load_catalog(ECOMMERCE)
    assert loaded.catalog is not None
    return loaded


def _served(shop: LoadResult, name: str) -> dict[str, Any]:
    assert shop.catalog is not None
    return copy.deepcopy(dict(service_document(shop.catalog, shop.catalog.services[name], "")))


def _found(shop: LoadResult, observed: Observed) -> list[tuple[str, str, str]]:
    return [(f.code, f.location.json_pointer, f.message) for f in drift_findings(shop, observed)]


def test_the_document_the_catalog_makes_is_clean(shop: LoadResult) -> None:
    assert shop.catalog is not None
    docs = {n: _served(shop, n) for n in shop.catalog.services}
    assert _found(shop, Observed(openapi=docs)) == []


def test_a_stale_build_is_told_apart_route_by_route_and_field_by_field(
        shop: LoadResult) -> None:
    doc = _served(shop, "order-service")
    paths = doc["paths"]
    del paths["/api/v1/orders/{id}/status"]
    post = paths["/api/v1/orders"]["post"]
    post["responses"]["200"] = post["responses"].pop("201")
    paths["/api/v1/orders/{orderId}"] = paths.pop("/api/v1/orders/{id}")  # a renamed parameter
    order = doc["components"]["schemas"]["Order"]
    del order["properties"]["note"]
    order["properties"]["total"] = {"type": "number"}
    order["properties"]["legacy_ref"] = {"type": "string"}
    found = _found(shop, Observed(openapi={"order-service": doc}))
    found.sort()
    codes = [(code, pointer) for code, pointer, _ in found]
    at = "/services/order-service"
    assert codes == [
        ("AGX101", f"{at}/endpoints/PUT ~1api~1v1~1orders~1{{id}}~1status"),
        ("AGX103", f"{at}/endpoints/POST ~1api~1v1~1orders/status"),
        ("AGX201", f"{at}/models/Order/note"),
        ("AGX202", f"{at}/models/Order"),
        ("AGX203", f"{at}/models/Order/total"),
    ], found
    assert "answers 200 where the catalog says 201" in found[1][2]


def test_callers_are_read_from_the_prometheus_text() -> None:
    text = ('# HELP archgen_requests_by_caller_total Incoming requests per caller\n'
            '# TYPE archgen_requests_by_caller counter\n'
            'archgen_requests_by_caller_total{caller="order-service"} 3.0\n'
            'archgen_requests_by_caller_created{caller="order-service"} 1.7e9\n'
            'archgen_requests_by_caller_total{caller="gateway"} 12.0\n')
    assert parse_callers(text) == {"order-service": 3.0, "gateway": 12.0}
    assert parse_callers("http_requests_total 1.0\n") is None


def test_a_window_counts_only_what_happened_in_it() -> None:
    before = {"a": {"b": 2.0}, "c": {"d": 5.0}}
    after = {"a": {"b": 3.0, "e": 1.0}, "c": {"d": 1.0}}  # c restarted: its count fell
    assert window(before, after) == {"a": {"b": 1.0, "e": 1.0}, "c": {"d": 1.0}}


def test_calls_both_ways(shop: LoadResult) -> None:
    calls = {"customer-service": {"order-service": 2.0, "gateway": 9.0, "reporting": 1.0},
             "payment-service": {"shipping-service": 1.0},
             "inventory-service": {}, "order-service": {}}
    found = _found(shop, Observed(calls=calls))
    codes = sorted((c, p) for c, p, _ in found)
    assert ("AGX401", "/services/shipping-service/depends_on") in codes
    assert ("AGX403", "/services/customer-service") in codes
    assert ("AGX490", "/services/order-service/depends_on/payment-service") in codes
    assert ("AGX490", "/services/order-service/depends_on/customer-service") not in codes
    # a callee that was not observed says nothing about its callers
    assert not any(p.endswith("/depends_on/shipping-service") for _, p in codes)


def test_kafka_member_metadata_names_the_subscribed_topics() -> None:
    topics = [b"orders", b"payments"]
    data = struct.pack(">hi", 1, len(topics)) + b"".join(
        struct.pack(">h", len(t)) + t for t in topics) + struct.pack(">i", -1)
    assert member_topics(data) == ["orders", "payments"]
    assert member_topics(b"") == []


def test_findings_are_suppressed_in_the_catalog_as_validate_does(shop: LoadResult) -> None:
    calls = {"customer-service": {"reporting": 1.0}}
    report = run_drift(shop, Observed(calls=calls))
    assert [f.code for f in report.findings if f.code != "AGX490"] == ["AGX403"]
    text = shop.text.replace("\n  customer-service:\n", "\n  customer-service:  "
                             "# archgen: ignore[AGX403] -- reporting moves here\n", 1)
    assert text != shop.text
    from archgen.catalog import load_catalog_text

    report = run_drift(load_catalog_text(text, "catalog.yaml"), Observed(calls=calls))
    assert [f.code for f in report.findings if f.code != "AGX490"] == []
    assert [s.finding.code for s in report.suppressed] == ["AGX403"]


def _broker_of(shop: LoadResult) -> Broker:
    """The broker as `archgen up` leaves it: every topic and dead-letter topic, each
    consuming service's group on the topics of its events, no messages."""
    assert shop.catalog is not None
    dep = deployment(shop.catalog)
    topics = {t.name for t in dep.topics.values()} | {
        t.dead_letter_topic for t in dep.topics.values() if t.dead_letter_topic}
    groups = {s.consumer_group: frozenset(s.consumes_topics) for s in dep.services.values()
              if s.consumer_group}
    return Broker(frozenset(topics), groups, ())


def _order_created(source: str, **changes: Any) -> Message:
    body = {"order_id": "3f1c1d2e-8a4b-4c5d-9e6f-7a8b9c0d1e2f",
            "customer_id": "0b1c2d3e-4f5a-4b6c-8d7e-8f9a0b1c2d3e", "total": "12.50",
            "items": [{"sku": "SKU-1", "quantity": 1, "unit_price": "12.50"}], **changes}
    return Message("orders", 0, 7, "order.created", f"/shop/{source}", body, True)


def test_the_broker_as_up_leaves_it_is_clean(shop: LoadResult) -> None:
    broker = _broker_of(shop)
    ok = _order_created("order-service")
    assert _found(shop, Observed(broker=Broker(broker.topics, broker.groups, (ok,)))) == []


def test_topics_groups_and_messages_that_left_the_catalog(shop: LoadResult) -> None:
    broker = _broker_of(shop)
    renamed = _order_created("order-service")
    assert isinstance(renamed.body, dict)
    renamed.body["customerId"] = renamed.body.pop("customer_id")
    messages = (renamed, renamed, _order_created("payment-service"),
                Message("orders", 1, 3, "payment.completed", "/shop/payment-service", {}, True),
                Message("payments", 0, 1, "payment.completed", None, "not json", False))
    groups = {**broker.groups, "order-audit": frozenset({"orders"}),
              "inventory-service": frozenset({"orders", "payments"})}
    observed = Observed(broker=Broker(broker.topics - {"shipments"} | {"scratch"}, groups,
                                      messages))
    found = sorted(_found(shop, observed))
    assert [(c, p) for c, p, _ in found] == [
        ("AGX301", "/event_bus/topics"),
        ("AGX302", "/event_bus/topics/shipments"),
        ("AGX303", "/event_bus/topics/orders"),
        ("AGX304", "/services/inventory-service/consumes"),
        ("AGX310", "/services/order-service/publishes/order.created"),
        ("AGX310", "/services/payment-service/publishes/payment.completed"),
        ("AGX311", "/event_bus/topics/orders"),
        ("AGX312", "/services/payment-service/publishes"),
    ], found
    text = {p: m for c, p, m in found if c == "AGX310"}
    renamed_text = text["/services/order-service/publishes/order.created"]
    assert "'customer_id' is a required property" in renamed_text
    assert "field `customerId` is not in the payload" in renamed_text
    assert "2 sampled message(s)" in renamed_text
    assert "the body is not JSON" in text["/services/payment-service/publishes/payment.completed"]

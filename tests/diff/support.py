"""Catalogs for the diff tests: the e-commerce blueprint and named changes to it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import yaml

from archgen.catalog import load_catalog_text
from archgen.diff.engine import diff_catalogs
from archgen.findings import Finding, Severity
from tests.helpers import ECOMMERCE

Data = dict[str, Any]
Change = Callable[[Data], None]

BASE: Data = yaml.safe_load(ECOMMERCE.read_text(encoding="utf-8"))


def dump(data: Data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def changed(change: Change, base: Data | None = None) -> Data:
    data = copy.deepcopy(base if base is not None else BASE)
    change(data)
    return data


def diff_data(old: Data, new: Data) -> list[Finding]:
    before = load_catalog_text(dump(old), "old.yaml")
    after = load_catalog_text(dump(new), "new.yaml")
    assert before.catalog is not None and after.catalog is not None, (before.errors,
                                                                       after.errors)
    return diff_catalogs(before, after)


def breaking(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]


def svc(data: Data, name: str) -> Data:
    service: Data = data["services"][name]
    return service


def _order(data: Data) -> Data:
    return svc(data, "order-service")


def _topic(data: Data, name: str = "orders") -> Data:
    topic: Data = data["event_bus"]["topics"][name]
    return topic


def _set_model_field(model: str, name: str, spec: Any) -> Change:
    return lambda d: _order(d)["models"][model].__setitem__(name, spec)


def _rename_event(d: Data) -> None:
    pubs = _order(d)["publishes"]
    pubs["order.placed"] = {**pubs.pop("order.created"), "x-renamed-from": "order.created"}
    for s in d["services"].values():
        if "order.created" in s.get("consumes", {}):
            s["consumes"]["order.placed"] = s["consumes"].pop("order.created")
    for t in d["event_bus"]["topics"].values():
        t["events"] = ["order.placed" if e == "order.created" else e for e in t["events"]]
    for ep in _order(d)["endpoints"].values():
        if isinstance(ep, dict) and "emits" in ep:
            ep["emits"] = ["order.placed" if e == "order.created" else e for e in ep["emits"]]


def _rename_service(d: Data) -> None:
    d["services"]["payments"] = {**d["services"].pop("payment-service"),
                                 "x-renamed-from": "payment-service"}
    deps = _order(d)["depends_on"]
    deps["payments"] = deps.pop("payment-service")


def _move_event(d: Data) -> None:
    _topic(d)["events"].remove("order.shipped")
    _topic(d, "shipments")["events"].append("order.shipped")


def _cycle(d: Data) -> None:
    svc(d, "customer-service")["depends_on"] = {"shipping-service": {"timeout_ms": 50}}


def _latency(d: Data) -> None:
    svc(d, "customer-service")["depends_on"] = {
        "inventory-service": {"timeout_ms": 900, "retries": 2}}


def _sla_below_callers(d: Data) -> None:
    svc(d, "customer-service")["nfr"]["availability"] = 99.0


def _lower_unused_sla(d: Data) -> None:
    svc(d, "notification-service")["nfr"]["availability"] = 98.0


_NOTIFICATIONS = "GET /api/v1/notifications/customer/{customerId}"


def _deprecate(d: Data) -> None:
    svc(d, "notification-service")["endpoints"][_NOTIFICATIONS]["deprecated"] = True


def _remove_service(d: Data) -> None:
    del d["services"]["customer-service"]
    for s in d["services"].values():
        s.get("depends_on", {}).pop("customer-service", None)
        s.get("consumes", {}).pop("customer.registered", None)
    d["event_bus"]["topics"]["customers"]["events"] = []


def _remove_unused_service(d: Data) -> None:
    d["services"]["spare-service"] = {"bounded_context": "Spare", "public": False}


def _shared_payload(d: Data) -> None:
    """Two producers of one event; one adds a required field (only NEW differs)."""
    svc(d, "shipping-service")["publishes"]["order.shipped"] = {
        "when": "Handed over", "payload": {"order_id": "uuid"}}


# Changes applied to BASE first, for the cases that need something BASE lacks.
def _payload_enum(values: list[str]) -> Change:
    return lambda d: _order(d)["publishes"]["order.created"]["payload"].__setitem__(
        "channel", {"enum": values})


_STATUS_ROUTE = "PUT /api/v1/orders/{id}/status"


def _order_machine(data: Data) -> None:
    """Order.status as a state machine, and order.shipped emitted on a condition."""
    _order(data)["models"]["Order"]["status"]["states"] = {
        "initial": "pending", "final": ["shipped", "cancelled"],
        "transitions": {"pending": {"confirmed": ["payment.completed"],
                                    "cancelled": ["payment.failed", _STATUS_ROUTE]},
                        "confirmed": ["shipped", "cancelled"]}}
    _order(data)["endpoints"]["PUT /api/v1/orders/{id}/status"]["emits"] = [
        {"event": "order.shipped", "when": {"status": "shipped"}}]


def _drop_cancelled(data: Data) -> None:
    states = _order(data)["models"]["Order"]["status"]["states"]
    states["final"] = ["shipped"]
    del states["transitions"]["pending"]["cancelled"]
    states["transitions"]["confirmed"] = ["shipped"]


PREPARE: dict[str, Change] = {"deprecated endpoint removed": _deprecate,
                              "payload enum changed": _payload_enum(["web", "shop"]),
                              "state removed": _order_machine,
                              "transition removed": _order_machine,
                              "transition cause removed": _order_machine,
                              "emit condition changed": _order_machine,
                              "reaction condition added": _order_machine}


def case_pair(name: str) -> tuple[Data, Data]:
    """OLD and NEW of a named case."""
    prepare = PREPARE.get(name)
    old = changed(prepare) if prepare else copy.deepcopy(BASE)
    return old, changed(CASES[name][0], old)


# (change, the code it must produce).
CASES: dict[str, tuple[Change, str]] = {
    "state removed": (_drop_cancelled, "AGD208"),
    "transition removed": (lambda d: _order(d)["models"]["Order"]["status"]["states"][
        "transitions"].__setitem__("confirmed", ["shipped"]), "AGD209"),
    "transition cause removed": (lambda d: _order(d)["models"]["Order"]["status"]["states"][
        "transitions"]["pending"].__setitem__("cancelled", ["payment.failed"]), "AGD209"),
    "emit condition changed": (lambda d: _order(d)["endpoints"][
        "PUT /api/v1/orders/{id}/status"]["emits"][0].__setitem__(
        "when", {"status": {"in": ["confirmed", "shipped"]}}), "AGD316"),
    "reaction condition added": (lambda d: _order(d)["consumes"]["payment.completed"]
                                 .__setitem__("when", {"amount": {"gt": 0}}), "AGD316"),
    "compensation removed": (lambda d: _order(d)["endpoints"]["POST /api/v1/orders"].pop(
        "compensated_by"), "AGD317"),
    "endpoint removed": (lambda d: _order(d)["endpoints"].pop("GET /api/v1/orders/{id}"),
                         "AGD101"),
    "method changed": (lambda d: _order(d)["endpoints"].__setitem__(
        "PATCH /api/v1/orders/{id}/status",
        _order(d)["endpoints"].pop("PUT /api/v1/orders/{id}/status")), "AGD102"),
    "status changed": (lambda d: _order(d)["endpoints"]["POST /api/v1/orders"].__setitem__(
        "status", 200), "AGD103"),
    "deprecated endpoint removed": (lambda d: svc(d, "notification-service")["endpoints"].pop(
        _NOTIFICATIONS), "AGD104"),
    "made private": (lambda d: _order(d)["endpoints"]["POST /api/v1/orders"].__setitem__(
        "public", False), "AGD105"),
    "required query added": (lambda d: _order(d)["endpoints"][
        "GET /api/v1/orders/customer/{customerId}"].__setitem__("query", {"page": "int"}),
        "AGD106"),
    "request body added": (lambda d: svc(d, "payment-service")["endpoints"][
        "GET /api/v1/payments/{id}"].__setitem__("request", "Payment"), "AGD109"),
    "request type changed": (lambda d: _order(d)["endpoints"]["POST /api/v1/orders"]
                             .__setitem__("request", "Order"), "AGD110"),
    "response type changed": (lambda d: _order(d)["endpoints"]["GET /api/v1/orders/{id}"]
                              .__setitem__("response", "list[Order]"), "AGD111"),
    "endpoint added": (lambda d: _order(d)["endpoints"].__setitem__(
        "GET /api/v1/orders/{id}/lines", "List lines"), "AGD190"),
    "request field required": (_set_model_field("NewOrder", "coupon", "str"), "AGD201"),
    "request field removed": (lambda d: _order(d)["models"]["NewOrder"].pop("customer_id"),
                              "AGD202"),
    "request field narrowed": (_set_model_field(
        "NewOrder", "note", {"type": "str", "required": False, "max_length": 100}), "AGD203"),
    "response field removed": (lambda d: _order(d)["models"]["Order"].pop("total"), "AGD204"),
    "response field optional": (_set_model_field(
        "Order", "customer_id", {"type": "uuid", "required": False}), "AGD205"),
    "response enum extended": (_set_model_field(
        "Order", "status", {"enum": ["pending", "confirmed", "shipped", "cancelled",
                                     "returned"], "default": "pending"}), "AGD206"),
    "optional field added": (_set_model_field(
        "Order", "channel", {"type": "str", "required": False}), "AGD290"),
    "event removed": (lambda d: svc(d, "customer-service")["publishes"].pop(
        "customer.registered"), "AGD301"),
    "event renamed": (_rename_event, "AGD303"),
    "event moved": (_move_event, "AGD304"),
    "payload field retyped": (lambda d: _order(d)["publishes"]["order.created"]["payload"]
                              .__setitem__("total", "float"), "AGD305"),
    "payload field removed": (lambda d: _order(d)["publishes"]["order.created"]["payload"]
                              .pop("total"), "AGD204"),
    "payload enum changed": (_payload_enum(["web", "shop", "app"]), "AGD307"),
    "topic removed": (lambda d: d["event_bus"]["topics"].pop("customers"), "AGD310"),
    "topic key changed": (lambda d: _topic(d).__setitem__("key", "customer_id"), "AGD311"),
    "partitions decreased": (lambda d: _topic(d).__setitem__("partitions", 3), "AGD312"),
    "partitions increased": (lambda d: _topic(d).__setitem__("partitions", 12), "AGD313"),
    "retention shortened": (lambda d: _topic(d).__setitem__("retention", "1d"), "AGD314"),
    "dead letter removed": (lambda d: _topic(d).__setitem__("dead_letter", False), "AGD315"),
    "event added": (lambda d: svc(d, "customer-service")["publishes"].__setitem__(
        "customer.deleted", "Account closed"), "AGD390"),
    "service removed": (_remove_service, "AGD401"),
    "service renamed": (_rename_service, "AGD403"),
    "cycle": (_cycle, "AGD404"),
    "latency budget": (_latency, "AGD405"),
    "sla below callers": (_sla_below_callers, "AGD406"),
    "sla lowered": (_lower_unused_sla, "AGD407"),
    "service added": (lambda d: d["services"].__setitem__("spare-service", {}), "AGD490"),
    "version removed": (lambda d: d["gateway"].__setitem__("versions", ["v2"]), "AGD501"),
    "unused version removed": (lambda d: d["gateway"].__setitem__("versions", ["v1"]),
                               "AGD502"),
    "aggregation removed": (lambda d: d["gateway"].__setitem__("aggregations", {}),
                            "AGD503"),
    "auth changed": (lambda d: d["gateway"]["auth"].__setitem__("issuer",
                                                                 "https://other.example/"),
                     "AGD504"),
    "rate limit lowered": (lambda d: d["gateway"]["rate_limits"].popitem(), "AGD505"),
}

"""The catalog model: every documented field loads; resolution applies defaults, derives facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from archgen.catalog import load_catalog, load_catalog_text
from archgen.model.catalog import Catalog
from archgen.model.fieldtypes import TypeRef, parse_type
from archgen.model.resolved import ResolvedCatalog
from tests.helpers import ECOMMERCE, MINIMAL, ROOT

EVERY_FIELD = ROOT / "tests" / "fixtures" / "every_field.yaml"


def _load(path: Path) -> ResolvedCatalog:
    result = load_catalog(path)
    assert result.findings == [], [f.message for f in result.findings]
    assert result.catalog is not None
    return result.catalog


@pytest.mark.parametrize("path", [ECOMMERCE, MINIMAL, EVERY_FIELD], ids=lambda p: p.parent.name)
def test_catalog_loads_without_findings(path: Path) -> None:
    _load(path)


def test_every_documented_field_is_kept() -> None:
    catalog = _load(EVERY_FIELD)
    order = catalog.services["order-service"]
    assert catalog.gateway is not None and catalog.gateway.rate_limits["free"].requests == 100
    assert catalog.gateway.rate_limits["enterprise"].period == "minute"
    assert catalog.gateway.aggregations["GET /api/v1/mobile/home"].calls == [
        "order-service GET /api/v1/orders/{id}"]
    assert order.spec.extensions == {"x-owner-slack": "#orders"}
    assert catalog.extensions == {"x-generated-by": "hand"}
    assert order.spec.data_store is not None
    assert order.spec.data_store.schema_summary == "orders, order_items tables"
    assert order.spec.nfr is not None and order.spec.nfr.resources is not None
    assert order.spec.nfr.resources.cpu_limit == "1"
    inventory = catalog.services["inventory-service"].spec.nfr
    assert inventory is not None and inventory.availability == 99.95
    assert catalog.infrastructure is not None and catalog.infrastructure.tracing is not None
    assert catalog.infrastructure.tracing.technology == "jaeger"
    assert catalog.spec.rules is not None
    assert str(catalog.spec.rules.ignore[0].until) == "2027-01-31"
    assert catalog.communication is not None and catalog.communication.async_ is not None


def test_short_forms_expand_to_long_forms() -> None:
    catalog = _load(EVERY_FIELD)
    order = catalog.services["order-service"]
    delete = next(e for e in order.endpoints if e.method == "DELETE")
    assert delete.summary == "Cancel an order"
    assert delete.status == 204
    shipped = next(p for p in order.publishes if p.event == "order.shipped")
    assert shipped.when == "When order dispatched"
    payment_deps = catalog.services["payment-service"].dependencies
    assert [d.target for d in payment_deps] == ["customer-service"]


def test_endpoint_defaults() -> None:
    catalog = _load(EVERY_FIELD)
    endpoints = {e.route: e for e in catalog.services["order-service"].endpoints}
    assert endpoints["POST /api/v1/orders"].status == 201
    assert endpoints["GET /api/v1/orders/{id}"].status == 200
    assert endpoints["GET /api/v1/orders/{id}"].path_params == ("id",)
    assert endpoints["GET /api/v1/orders/customer/{customerId}"].response == TypeRef(
        "list", item=TypeRef("model", "Order"))
    customer = catalog.services["customer-service"]
    assert customer.public is False


def test_dependencies_take_communication_defaults() -> None:
    catalog = _load(EVERY_FIELD)
    deps = {d.target: d for d in catalog.services["order-service"].dependencies}
    payment = deps["payment-service"]
    assert payment.timeout_ms == 800
    assert payment.retry is not None and payment.retry.max_attempts == 3  # retries: 2
    assert payment.retry.backoff == "exponential"  # from communication.sync
    assert payment.circuit_breaker is not None and payment.circuit_breaker.half_open_requests == 1
    customer = deps["customer-service"]
    assert customer.timeout_ms == 2000 and customer.protocol == "http"
    assert customer.retry is not None and customer.retry.max_attempts == 3
    assert customer.circuit_breaker is not None and customer.circuit_breaker.reset_s == 30
    inventory = deps["inventory-service"]
    assert inventory.retry is not None
    assert (inventory.retry.max_attempts, inventory.retry.backoff) == (4, "fixed")
    assert inventory.attempts == 4


def test_no_defaults_are_invented_without_communication() -> None:
    result = load_catalog_text(
        "archgen: 1\nsystem: {name: s}\nservices:\n  a: {depends_on: [b]}\n  b: {}\n")
    assert result.catalog is not None
    dep = result.catalog.services["a"].dependencies[0]
    assert (dep.timeout_ms, dep.retry, dep.circuit_breaker) == (None, None, None)
    assert dep.attempts == 1


def test_downstream_and_event_index_are_derived() -> None:
    catalog = _load(ECOMMERCE)
    assert set(catalog.services["order-service"].downstream) == {
        "notification-service", "shipping-service"}
    assert set(catalog.services["customer-service"].downstream) == {
        "order-service", "notification-service", "shipping-service"}
    created = catalog.events["order.created"]
    assert created.producers == ("order-service",)
    assert set(created.consumers) == {"payment-service", "inventory-service",
                                      "notification-service"}
    assert created.topics == ("orders",)
    assert created.emitted_by == (("order-service", "POST /api/v1/orders"),)
    assert catalog.topics["orders"].retention_s == 7 * 86400
    assert catalog.topics["orders"].replication_factor == 3


def test_unknown_references_stay_names() -> None:
    result = load_catalog_text(
        "archgen: 1\nsystem: {name: s}\nservices:\n  a: {depends_on: [ghost, a]}\n")
    assert result.catalog is not None
    deps = result.catalog.services["a"].dependencies
    assert [(d.target, d.known) for d in deps] == [("ghost", False), ("a", False)]
    assert result.catalog.services["a"].downstream == ()


def test_raw_model_round_trips() -> None:
    result = load_catalog(EVERY_FIELD)
    assert result.catalog is not None
    raw = result.catalog.spec
    again = Catalog.model_validate(raw.model_dump(by_alias=True, exclude_none=True))
    assert again == raw


@pytest.mark.parametrize(("text", "expected"), [
    ("str", "str"), ("list[Order]", "list[Order]"),
    ("dict[str, list[int]]", "dict[str, list[int]]"),
    (" list[ OrderItem ] ", "list[OrderItem]"),
])
def test_type_expressions_parse(text: str, expected: str) -> None:
    assert str(parse_type(text)) == expected


@pytest.mark.parametrize("text", ["", "list", "list[", "list[str", "dict[int, str]", "lower",
                                  "str]", "list[str]]", "a b", "Order!"])
def test_bad_type_expressions_say_why(text: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        parse_type(text)


def test_enum_without_type_takes_its_type_from_the_values() -> None:
    result = load_catalog_text(
        "archgen: 1\nsystem: {name: s}\nservices:\n  a:\n    models:\n"
        "      M: {level: {enum: [1, 2]}, state: {enum: [on, off]}}\n")
    assert result.catalog is not None
    fields = {f.name: f for f in result.catalog.services["a"].models["M"].fields}
    assert str(fields["level"].type) == "int"
    assert str(fields["state"].type) == "bool"  # YAML 1.1: also reported as a trap
    assert {f.code for f in result.findings} == {"AG005"}


def test_rule_severity_off_survives_yaml11() -> None:
    result = load_catalog_text("archgen: 1\nsystem: {name: s}\nservices: {}\n"
                               "rules: {severity: {AG301: off}}\n")
    assert result.catalog is not None and result.catalog.spec.rules is not None
    assert result.catalog.spec.rules.severity == {"AG301": "off"}
    assert [f.code for f in result.findings] == ["AG005"]


@pytest.mark.parametrize(("value", "message"), [
    ("{replicas: 2}", "nfr.replicas: expected a mapping (keys: min, max, cpu_target_pct), got 2"),
    ("{resources: 3}", "nfr.resources: expected a mapping (keys: cpu, memory, cpu_limit, "
                       "memory_limit), got 3"),
])
def test_wrong_type_names_the_keys_of_the_expected_mapping(value: str, message: str) -> None:
    result = load_catalog_text(
        f"archgen: 1\nsystem: {{name: s}}\nservices:\n  a: {{nfr: {value}}}\n")
    assert [f.message for f in result.findings] == ["services.a." + message]


def test_wrong_type_names_the_short_forms_too() -> None:
    result = load_catalog_text("archgen: 1\nsystem: {name: s}\nservices:\n"
                               "  a: {depends_on: {b: {retries: x}}}\n  b: {}\n")
    [finding] = result.findings
    assert "expected an integer or a mapping (keys: max_attempts, backoff" in finding.message


def test_schema_qualified_table_names_load() -> None:
    result = load_catalog_text("archgen: 1\nsystem: {name: s}\nservices:\n  a:\n    data_store:\n"
                               "      tables: [ordering.orders, public.users, dbo.Log]\n")
    assert result.findings == [] and result.catalog is not None


@pytest.mark.parametrize(("where", "hint"), [
    ("services: {Book_Service: {}}", "rename it `book-service`"),
    ("services: {a: {models: {order_item: {id: uuid}}}}", "rename it `OrderItem`"),
    ("services: {a: {publishes: {OrderCreated: {}}}}", "rename it `order.created`"),
    ("services: {'9lives': {}}", ""),
])
def test_invalid_names_suggest_a_valid_spelling(where: str, hint: str) -> None:
    [finding] = load_catalog_text(f"archgen: 1\nsystem: {{name: s}}\n{where}\n").findings
    assert finding.code == "AG013" and finding.hint == hint

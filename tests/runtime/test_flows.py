"""The smoke flow and example bodies derived from catalogs: the blueprint and small ones
shaped like what misled users (a status set by hand, an open gateway, no POST)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archgen.catalog import load_catalog, load_catalog_text
from archgen.generators.services.build import service_ir
from archgen.model.deployment import deployment
from archgen.model.resolved import ResolvedCatalog
from archgen.runtime import flows
from archgen.runtime.smoke import pace_for

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


def _load(path: Path) -> ResolvedCatalog:
    loaded = load_catalog(path)
    assert loaded.catalog is not None, loaded.errors
    return loaded.catalog


@pytest.fixture(scope="module")
def shop() -> ResolvedCatalog:
    return _load(ROOT / "blueprints" / "ecommerce" / "catalog.yaml")


def _steps(catalog: ResolvedCatalog) -> list[tuple[str, str, str]]:
    flow = flows.derive_flow(catalog)
    assert flow is not None
    return [(a.kind, a.service, a.path) for a in flows.flow_actions(catalog, flow)]


def test_the_flow_is_the_chain_of_reactions_from_the_order_post(shop: ResolvedCatalog) -> None:
    flow = flows.derive_flow(shop)
    assert flow is not None and flow.service == "order-service"
    # payment.failed is a failure event (`compensated_by`): the happy path does not follow it
    assert [(s.event, s.service, s.status) for s in flow.stages] == [
        ("order.created", "payment-service", None),
        ("order.created", "inventory-service", None),
        ("payment.completed", "order-service", "confirmed"),
        ("order.confirmed", "shipping-service", None),
        ("shipment.dispatched", "order-service", "shipped"),
        ("order.shipped", "notification-service", None)]
    assert _steps(shop) == [
        ("call", "order-service", "/api/v1/orders"),
        ("wait", "order-service", "/api/v1/orders/{id}"),
        ("wait", "order-service", "/api/v1/orders/{id}"),
        ("wait", "inventory-service", "/api/v1/inventory/reservations/{id}"),
        # the shipment carries the order's id, the notification the order's customer
        ("wait", "shipping-service", "/api/v1/shipments/order/{id}"),
        ("wait", "notification-service", "/api/v1/notifications/customer/{customer_id}")]


def test_each_status_step_accepts_the_later_ones_and_names_its_cause(
        shop: ResolvedCatalog) -> None:
    flow = flows.derive_flow(shop)
    assert flow is not None
    confirmed, shipped = [a for a in flows.flow_actions(shop, flow) if a.until]
    assert confirmed.until == {"status": ("confirmed", "shipped")}
    assert shipped.name == "follow until status is 'shipped' (order-service on shipment.dispatched)"
    assert shipped.cause == "order-service consuming shipment.dispatched (sets status 'shipped')"


def test_a_status_only_a_manual_call_sets_is_not_followed() -> None:
    """order.shipped is announced, but only `PUT .../status` sets `shipped`: the flow creates
    the order, reads it back and finds the note the notifier's reaction made."""
    catalog = _load(FIXTURES / "manual_status.yaml")
    flow = flows.derive_flow(catalog)
    assert flow is not None and flow.statuses == ()
    assert _steps(catalog) == [
        ("call", "order-service", "/api/v1/orders"),
        ("wait", "order-service", "/api/v1/orders/{id}"),
        ("wait", "notifier", "/api/v1/notes/customer/{customer_id}")]


def test_no_flow_without_a_public_post_that_creates() -> None:
    assert flows.derive_flow(_load(FIXTURES / "open_gateway.yaml")) is None


def test_a_declared_flow_is_taken_as_written(tmp_path: Path) -> None:
    text = (FIXTURES / "manual_status.yaml").read_text(encoding="utf-8") + (
        "smoke:\n  steps:\n"
        "    - call: order-service POST /api/v1/orders\n"
        "    - call: order-service PUT /api/v1/orders/{id}/status\n"
        "      body: {status: shipped}\n"
        "    - wait: order-service GET /api/v1/orders/{id}\n"
        "      until: {status: shipped}\n")
    (tmp_path / "catalog.yaml").write_text(text, encoding="utf-8")
    actions = flows.declared_actions(_load(tmp_path / "catalog.yaml"))
    assert actions is not None
    post, put, wait = actions
    assert post.body == {"customer_id": post.body["customer_id"]}  # an example of NewOrder
    assert (put.method, put.body) == ("PUT", {"status": "shipped"})
    assert (wait.kind, dict(wait.until)) == ("wait", {"status": ("shipped",)})
    assert wait.cause == "what smoke.steps[1] should lead to"


def test_a_declared_step_on_an_unknown_route_is_one_line(tmp_path: Path) -> None:
    text = (FIXTURES / "manual_status.yaml").read_text(encoding="utf-8") + (
        "smoke:\n  steps:\n    - call: order-service DELETE /api/v1/orders/{id}\n")
    (tmp_path / "catalog.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(flows.FlowError, match=r"^smoke.steps\[0\]: order-service has no "
                                              r"DELETE /api/v1/orders/\{id\}$"):
        flows.declared_actions(_load(tmp_path / "catalog.yaml"))


@pytest.mark.parametrize(("step", "why"), [
    ("{wait: order-service POST /api/v1/orders}", "a wait polls a GET"),
    ("{call: order-service POST /api/v1/orders, until: {status: x}}", "`until` belongs"),
    ("{body: {}}", "either `call"),
])
def test_a_malformed_smoke_step_is_a_load_error(tmp_path: Path, step: str, why: str) -> None:
    text = (FIXTURES / "manual_status.yaml").read_text(encoding="utf-8") + (
        f"smoke:\n  steps:\n    - {step}\n")
    (tmp_path / "catalog.yaml").write_text(text, encoding="utf-8")
    loaded = load_catalog(tmp_path / "catalog.yaml")
    assert any(why in str(e) for e in loaded.errors), loaded.errors


def test_the_401_probe_is_a_route_the_gateway_guards(shop: ResolvedCatalog) -> None:
    probe = flows.token_probe(shop)
    assert probe is not None and probe[1].method == "GET" and probe[1].public
    # An open gateway (no JWT): no route answers 401, so there is nothing to probe;
    # the first public GET would be GET /api/v1/auth/hello, answered by the service.
    assert flows.token_probe(_load(FIXTURES / "open_gateway.yaml")) is None


def test_polling_uses_the_tier_with_room_at_half_its_rate(shop: ResolvedCatalog) -> None:
    assert pace_for(shop).interval_s == 0.2  # enterprise 10000/min: the fastest polling
    assert pace_for(_load(FIXTURES / "manual_status.yaml")).interval_s == 4.0  # 30/min


def test_example_strings_meet_their_patterns(shop: ResolvedCatalog) -> None:
    customer = shop.services["customer-service"]
    call = flows.create_call(customer)
    assert call is not None
    assert call.body == {"email": "dev@example.com", "name": "EUR"}


def test_the_order_example_has_one_item(shop: ResolvedCatalog) -> None:
    call = flows.create_call(shop.services["order-service"])
    assert call is not None and set(call.body) == {"customer_id", "items"}
    assert call.body["items"][0]["quantity"] == 1


def test_unknown_path_values_are_a_placeholder_or_an_error() -> None:
    assert flows.fill_path("/a/{customerId}/{id}", {"customer_id": "c", }) == "/a/c/dev"
    with pytest.raises(KeyError, match="id"):
        flows.fill_path("/a/{id}", {}, placeholder=None)


@pytest.mark.parametrize(("name", "snake"), [("customerId", "customer_id"), ("id", "id"),
                                             ("orderID", "order_id"), ("sku", "sku")])
def test_snake(name: str, snake: str) -> None:
    assert flows.snake(name) == snake


def test_a_declined_payment_is_a_compensation_path_that_cancels_and_releases(
        shop: ResolvedCatalog) -> None:
    """payment.failed (a payment above the card limit) undoes the order (cancelled), whose
    order.cancelled undoes the stock reservation (released)."""
    flow = flows.derive_flow(shop)
    assert flow is not None
    [comp] = flows.compensations(shop, flow)
    assert comp.event == "payment.failed" and comp.failing.service == "payment-service"
    assert comp.body["total"] == "1001.00"  # the condition `amount: {gt: 1000}`, on the POST
    assert [(s.event, s.service, s.status, dict(s.sets)) for s in comp.stages] == [
        ("payment.failed", "order-service", "cancelled", {"status": "cancelled"}),
        ("order.cancelled", "inventory-service", None, {"status": "released"})]
    assert [(a.kind, a.path, dict(a.until)) for a in flows.compensation_actions(
        shop, flow, comp)] == [
        ("call", "/api/v1/orders", {}),
        ("wait", "/api/v1/orders/{id}", {"status": ("cancelled",)}),
        ("wait", "/api/v1/inventory/reservations/{id}", {"status": ("released",)})]


def test_a_failure_no_request_can_cause_says_why(tmp_path: Path) -> None:
    """A failure emitted on a field the POST does not carry: skipped with the reason."""
    text = (ROOT / "blueprints" / "ecommerce" / "catalog.yaml").read_text()
    text = text.replace("{event: payment.failed, when: {amount: {gt: 1000}}}",
                        "{event: payment.failed, when: {currency: USD}}")
    (tmp_path / "catalog.yaml").write_text(text)
    catalog = _load(tmp_path / "catalog.yaml")
    flow = flows.derive_flow(catalog)
    assert flow is not None
    [comp] = flows.compensations(catalog, flow)
    assert comp.body is None
    assert comp.why_not.startswith("Payment.currency does not come from a field of the POST")


CREATES = """
archgen: 1
system: {name: creates}
services:
  thing-service:
    models:
      Thing: {id: uuid, name: str}
      Query: {name: str}
    endpoints:
      POST /api/v1/things/search: {request: Query, response: "list[Thing]"}
      POST /api/v1/things: {request: Thing, response: Thing}
  ping-service:
    models:
      Ping: {id: uuid, at: datetime}
    endpoints:
      POST /api/v1/pings: {response: Ping}
  echo-service:
    models:
      Echo: {text: str}
    endpoints:
      POST /api/v1/echo: {request: Echo, response: str}
"""


@pytest.mark.parametrize("source", ["blueprint", "food", "creates"])
def test_the_smoke_creates_through_the_endpoint_the_generated_service_creates_with(
        source: str) -> None:
    """A search POST answers a list, a POST may create from no body, a POST may answer
    no model: the endpoint that creates is the generated service's `create` action."""
    catalog = {"blueprint": lambda: _load(ROOT / "blueprints" / "ecommerce" / "catalog.yaml"),
               "food": lambda: _load(ROOT / "tests" / "fixtures" / "food_delivery.yaml"),
               "creates": lambda: load_catalog_text(CREATES, "creates.yaml").catalog}[source]()
    assert catalog is not None
    plan = deployment(catalog)
    for name, svc in catalog.services.items():
        generated = [f"{e.method} {e.path}" for e in service_ir(catalog, plan, name).endpoints
                     if e.action == "create"]
        create = flows.create_endpoint(svc)
        assert (create.route if create else None) == (generated[0] if generated else None)
        call = flows.create_call(svc)
        assert (call.route if call else None) == (create.route if create else None)

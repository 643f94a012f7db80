"""The smoke flow and example bodies derived from the e-commerce catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from archgen.catalog import load_catalog
from archgen.model.resolved import ResolvedCatalog
from archgen.runtime import flows
from archgen.runtime.smoke import _flow_service

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shop() -> ResolvedCatalog:
    loaded = load_catalog(ROOT / "blueprints" / "ecommerce" / "catalog.yaml")
    assert loaded.catalog is not None
    return loaded.catalog


def test_the_flow_creates_an_order_and_follows_it_until_shipped(shop: ResolvedCatalog) -> None:
    assert _flow_service(shop) == "order-service"
    order = shop.services["order-service"]
    call = flows.create_call(order)
    assert call is not None and (call.method, call.path) == ("POST", "/api/v1/orders")
    assert set(call.body) == {"customer_id", "items"}
    assert call.body["items"][0]["quantity"] == 1
    create = flows.create_endpoint(order)
    assert create is not None and create.response is not None
    read = flows.read_endpoint(order, create)
    assert read is not None and read.path == "/api/v1/orders/{id}"
    assert flows.target_status(order, create.response.name) == "shipped"


def test_the_notification_is_read_by_the_customer_of_the_order(shop: ResolvedCatalog) -> None:
    order = shop.services["order-service"]
    calls = flows.follower_reads(shop, order, "order.shipped", {"id": "o1", "customer_id": "c1"})
    assert [(c.service, c.path) for c in calls] == [
        ("notification-service", "/api/v1/notifications/customer/c1")]


def test_example_strings_meet_their_patterns(shop: ResolvedCatalog) -> None:
    customer = shop.services["customer-service"]
    call = flows.create_call(customer)
    assert call is not None
    assert call.body == {"email": "dev@example.com", "name": "EUR"}


@pytest.mark.parametrize(("name", "snake"), [("customerId", "customer_id"), ("id", "id"),
                                             ("orderID", "order_id"), ("sku", "sku")])
def test_snake(name: str, snake: str) -> None:
    assert flows.snake(name) == snake

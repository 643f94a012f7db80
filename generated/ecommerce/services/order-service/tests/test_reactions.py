"""Reaction tests archgen generates for order-service: each consumed event, no broker.

InMemoryBroker, a test double of the broker, hands the event's example payload to the
service's consumer path (the team's on_<event> handler, else the catalog's reaction) and
takes what the service publishes. Each test checks the state change and the events the
catalog declares for the reaction, and that the consumer did not give up on the event.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from typing import Any

from archgen_service_kit.testing import InMemoryBroker, differences, run, seed, stored
from fastapi.testclient import TestClient


def test_payment_completed_is_handled_without_a_broker(
    client: TestClient, runtime: Any, broker: InMemoryBroker
) -> None:
    before: dict[str, Any] = {
        "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "customer_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "items": [{"sku": "EUR", "quantity": 1, "unit_price": "11.50"}],
        "total": "11.50",
        "status": "pending",
    }
    run(
        client.portal,
        lambda: seed(runtime, "Order", "3fa85f64-5717-4562-b3fc-2c963f66afa6", before),
    )
    payload: dict[str, Any] = {
        "order_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "payment_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "amount": "11.50",
    }
    run(client.portal, lambda: broker.deliver(runtime, "payment.completed", payload))
    assert broker.rejected == []
    after = run(
        client.portal, lambda: stored(runtime, "Order", "3fa85f64-5717-4562-b3fc-2c963f66afa6")
    )
    assert not differences({"status": "confirmed"}, after)
    assert sorted(broker.events()) == ["order.confirmed"]


def test_payment_failed_is_handled_without_a_broker(
    client: TestClient, runtime: Any, broker: InMemoryBroker
) -> None:
    before: dict[str, Any] = {
        "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "customer_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "items": [{"sku": "EUR", "quantity": 1, "unit_price": "11.50"}],
        "total": "11.50",
        "status": "pending",
    }
    run(
        client.portal,
        lambda: seed(runtime, "Order", "3fa85f64-5717-4562-b3fc-2c963f66afa6", before),
    )
    payload: dict[str, Any] = {
        "order_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "payment_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "reason": "EUR",
    }
    run(client.portal, lambda: broker.deliver(runtime, "payment.failed", payload))
    assert broker.rejected == []
    after = run(
        client.portal, lambda: stored(runtime, "Order", "3fa85f64-5717-4562-b3fc-2c963f66afa6")
    )
    assert not differences({"status": "cancelled"}, after)
    assert sorted(broker.events()) == ["order.cancelled"]


def test_inventory_reserved_is_handled_without_a_broker(
    client: TestClient, runtime: Any, broker: InMemoryBroker
) -> None:
    payload: dict[str, Any] = {"order_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "skus": ["dev"]}
    run(client.portal, lambda: broker.deliver(runtime, "inventory.reserved", payload))
    assert broker.rejected == []
    assert sorted(broker.events()) == []


def test_shipment_dispatched_is_handled_without_a_broker(
    client: TestClient, runtime: Any, broker: InMemoryBroker
) -> None:
    before: dict[str, Any] = {
        "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "customer_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "items": [{"sku": "EUR", "quantity": 1, "unit_price": "11.50"}],
        "total": "11.50",
        "status": "confirmed",
    }
    run(
        client.portal,
        lambda: seed(runtime, "Order", "3fa85f64-5717-4562-b3fc-2c963f66afa6", before),
    )
    payload: dict[str, Any] = {
        "order_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "shipment_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "tracking_number": "EUR",
    }
    run(client.portal, lambda: broker.deliver(runtime, "shipment.dispatched", payload))
    assert broker.rejected == []
    after = run(
        client.portal, lambda: stored(runtime, "Order", "3fa85f64-5717-4562-b3fc-2c963f66afa6")
    )
    assert not differences({"status": "shipped"}, after)
    assert sorted(broker.events()) == ["order.shipped"]

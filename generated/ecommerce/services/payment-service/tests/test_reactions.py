"""Reaction tests archgen generates for payment-service: each consumed event, no broker.

InMemoryBroker, a test double of the broker, hands the event's example payload to the
service's consumer path (the team's on_<event> handler, else the catalog's reaction) and
takes what the service publishes. Each test checks the state change and the events the
catalog declares for the reaction, and that the consumer did not give up on the event.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from typing import Any

from archgen_service_kit.testing import InMemoryBroker, differences, found, run
from fastapi.testclient import TestClient


def test_order_created_is_handled_without_a_broker(
    client: TestClient, runtime: Any, broker: InMemoryBroker
) -> None:
    payload: dict[str, Any] = {
        "order_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "customer_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "total": "11.50",
        "items": [{}],
    }
    run(client.portal, lambda: broker.deliver(runtime, "order.created", payload))
    assert broker.rejected == []
    records = run(
        client.portal,
        lambda: found(runtime, "Payment", "order_id", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    )
    assert len(records) == 1, records
    assert not differences(
        {
            "order_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "amount": "11.50",
            "currency": "EUR",
            "status": "authorized",
        },
        records[0],
    )
    assert sorted(broker.events()) == ["payment.completed"]

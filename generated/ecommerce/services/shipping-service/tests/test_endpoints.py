"""Endpoint tests archgen generates for shipping-service, from its catalog: over HTTP.

A create answers what a read then answers, an invalid body is refused (422), an unknown
instance is a 404, an update changes what a read answers, a list answers the instances
under its value and no other. Instances no endpoint creates are put into the store first.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from typing import Any

from archgen_service_kit.testing import differences, run, seed
from fastapi.testclient import TestClient


def _seed(client: TestClient, runtime: Any, model: str, key: str, record: dict[str, Any]) -> None:
    run(client.portal, lambda: seed(runtime, model, key, record))


def _items(answer: Any) -> list[Any]:
    """A list endpoint's items: the answer itself, or the one list of a page of them."""
    if isinstance(answer, list):
        return answer
    lists = [value for value in answer.values() if isinstance(value, list)]
    assert len(lists) == 1, answer
    return lists[0]


def test_get_v1_shipments_by_id_answers_the_stored_instance(
    client: TestClient, runtime: Any
) -> None:
    record: dict[str, Any] = {
        "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "order_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "carrier": "EUR",
        "tracking_number": "EUR",
        "status": "preparing",
    }
    _seed(client, runtime, "Shipment", "3fa85f64-5717-4562-b3fc-2c963f66afa6", record)
    response = client.get(
        "/api/v1/shipments/{id}".replace("{id}", "3fa85f64-5717-4562-b3fc-2c963f66afa6")
    )
    assert response.status_code == 200, response.text
    assert not differences(record, response.json())


def test_get_v1_shipments_order_by_order_id_lists_the_instances_under_its_value(
    client: TestClient, runtime: Any
) -> None:
    _seed(
        client,
        runtime,
        "Shipment",
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        {
            "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "order_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "carrier": "EUR",
            "tracking_number": "EUR",
            "status": "preparing",
        },
    )
    _seed(
        client,
        runtime,
        "Shipment",
        "9b2d7f3e-1c4a-4e8b-a6d5-0f1e2d3c4b5a",
        {
            "id": "9b2d7f3e-1c4a-4e8b-a6d5-0f1e2d3c4b5a",
            "order_id": "9b2d7f3e-1c4a-4e8b-a6d5-0f1e2d3c4b5a",
            "carrier": "EUR",
            "tracking_number": "EUR",
            "status": "preparing",
        },
    )
    response = client.get(
        "/api/v1/shipments/order/{orderId}".replace(
            "{orderId}", "3fa85f64-5717-4562-b3fc-2c963f66afa6"
        )
    )
    assert response.status_code == 200, response.text
    keys = [str(item["id"]) for item in _items(response.json())]
    assert keys == ["3fa85f64-5717-4562-b3fc-2c963f66afa6"]

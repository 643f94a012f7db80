"""Endpoint tests archgen generates for inventory-service, from its catalog: over HTTP.

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


def test_get_v1_inventory_by_sku_answers_the_stored_instance(
    client: TestClient, runtime: Any
) -> None:
    record: dict[str, Any] = {"sku": "EUR", "available": 0, "reserved": 0}
    _seed(client, runtime, "StockLevel", "EUR", record)
    response = client.get("/api/v1/inventory/{sku}".replace("{sku}", "EUR"))
    assert response.status_code == 200, response.text
    assert not differences(record, response.json())


def test_get_v1_inventory_reservations_by_order_id_answers_the_stored_instance(
    client: TestClient, runtime: Any
) -> None:
    record: dict[str, Any] = {
        "order_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "status": "reserved",
    }
    _seed(client, runtime, "Reservation", "3fa85f64-5717-4562-b3fc-2c963f66afa6", record)
    response = client.get(
        "/api/v1/inventory/reservations/{orderId}".replace(
            "{orderId}", "3fa85f64-5717-4562-b3fc-2c963f66afa6"
        )
    )
    assert response.status_code == 200, response.text
    assert not differences(record, response.json())


def test_put_v1_inventory_by_sku_changes_what_a_read_answers(
    client: TestClient, runtime: Any
) -> None:
    body: Any = {"sku": "EUR", "available": 0, "reserved": 0}
    response = client.put("/api/v1/inventory/{sku}".replace("{sku}", "EUR"), json=body)
    assert response.status_code == 200, response.text
    changed = response.json()
    assert not differences({k: v for k, v in body.items() if k in changed}, changed)
    read = client.get("/api/v1/inventory/{sku}".replace("{sku}", "EUR"))
    assert read.status_code == 200, read.text
    assert read.json() == changed


def test_put_v1_inventory_by_sku_refuses_an_invalid_body(client: TestClient) -> None:
    response = client.put("/api/v1/inventory/{sku}".replace("{sku}", "EUR"), json={})
    assert response.status_code == 422, response.text

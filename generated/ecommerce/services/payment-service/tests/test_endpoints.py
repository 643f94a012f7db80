"""Endpoint tests archgen generates for payment-service, from its catalog: over HTTP.

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


def test_post_v1_payments_creates_what_a_read_answers(client: TestClient) -> None:
    body: Any = {
        "order_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "amount": "11.50",
        "currency": "EUR",
        "method": "card",
    }
    response = client.post("/api/v1/payments", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert not differences({k: v for k, v in body.items() if k in created}, created)
    read = client.get("/api/v1/payments/{id}".replace("{id}", str(created["id"])))
    assert read.status_code == 200, read.text
    assert read.json() == created


def test_post_v1_payments_refuses_an_invalid_body(client: TestClient) -> None:
    response = client.post("/api/v1/payments", json={})
    assert response.status_code == 422, response.text


def test_get_v1_payments_by_id_answers_the_stored_instance(
    client: TestClient, runtime: Any
) -> None:
    record: dict[str, Any] = {
        "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "order_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "amount": "11.50",
        "currency": "EUR",
        "status": "authorized",
    }
    _seed(client, runtime, "Payment", "3fa85f64-5717-4562-b3fc-2c963f66afa6", record)
    response = client.get(
        "/api/v1/payments/{id}".replace("{id}", "3fa85f64-5717-4562-b3fc-2c963f66afa6")
    )
    assert response.status_code == 200, response.text
    assert not differences(record, response.json())

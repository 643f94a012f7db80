"""Endpoint tests archgen generates for order-service, from its catalog: over HTTP.

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


def test_post_v1_orders_creates_what_a_read_answers(client: TestClient) -> None:
    body: Any = {
        "customer_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "items": [{"sku": "EUR", "quantity": 1, "unit_price": "11.50"}],
    }
    response = client.post("/api/v1/orders", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert not differences({k: v for k, v in body.items() if k in created}, created)
    read = client.get("/api/v1/orders/{id}".replace("{id}", str(created["id"])))
    assert read.status_code == 200, read.text
    assert read.json() == created


def test_post_v1_orders_refuses_an_invalid_body(client: TestClient) -> None:
    response = client.post("/api/v1/orders", json={})
    assert response.status_code == 422, response.text


def test_get_v1_orders_by_id_answers_the_stored_instance(client: TestClient, runtime: Any) -> None:
    record: dict[str, Any] = {
        "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "customer_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "items": [{"sku": "EUR", "quantity": 1, "unit_price": "11.50"}],
        "total": "11.50",
        "status": "pending",
    }
    _seed(client, runtime, "Order", "3fa85f64-5717-4562-b3fc-2c963f66afa6", record)
    response = client.get(
        "/api/v1/orders/{id}".replace("{id}", "3fa85f64-5717-4562-b3fc-2c963f66afa6")
    )
    assert response.status_code == 200, response.text
    assert not differences(record, response.json())


def test_put_v1_orders_by_id_status_changes_what_a_read_answers(
    client: TestClient, runtime: Any
) -> None:
    record: dict[str, Any] = {
        "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "customer_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "items": [{"sku": "EUR", "quantity": 1, "unit_price": "11.50"}],
        "total": "11.50",
        "status": "pending",
    }
    _seed(client, runtime, "Order", "3fa85f64-5717-4562-b3fc-2c963f66afa6", record)
    assert not differences(
        record,
        client.get(
            "/api/v1/orders/{id}".replace("{id}", "3fa85f64-5717-4562-b3fc-2c963f66afa6")
        ).json(),
    )
    body: Any = {"status": "confirmed"}
    response = client.put(
        "/api/v1/orders/{id}/status".replace("{id}", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        json=body,
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert not differences({k: v for k, v in body.items() if k in changed}, changed)
    assert differences({k: v for k, v in body.items() if k in record}, record), "no change"
    read = client.get("/api/v1/orders/{id}".replace("{id}", "3fa85f64-5717-4562-b3fc-2c963f66afa6"))
    assert read.status_code == 200, read.text
    assert read.json() == changed


def test_put_v1_orders_by_id_status_answers_404_for_a_missing_instance(client: TestClient) -> None:
    response = client.put(
        "/api/v1/orders/{id}/status".replace("{id}", "9b2d7f3e-1c4a-4e8b-a6d5-0f1e2d3c4b5a"),
        json={"status": "confirmed"},
    )
    assert response.status_code == 404, response.text


def test_put_v1_orders_by_id_status_refuses_an_invalid_body(client: TestClient) -> None:
    response = client.put(
        "/api/v1/orders/{id}/status".replace("{id}", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        json={},
    )
    assert response.status_code == 422, response.text


def test_get_v1_orders_customer_by_customer_id_lists_the_instances_under_its_value(
    client: TestClient, runtime: Any
) -> None:
    _seed(
        client,
        runtime,
        "Order",
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        {
            "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "customer_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "items": [{"sku": "EUR", "quantity": 1, "unit_price": "11.50"}],
            "total": "11.50",
            "status": "pending",
        },
    )
    _seed(
        client,
        runtime,
        "Order",
        "9b2d7f3e-1c4a-4e8b-a6d5-0f1e2d3c4b5a",
        {
            "id": "9b2d7f3e-1c4a-4e8b-a6d5-0f1e2d3c4b5a",
            "customer_id": "9b2d7f3e-1c4a-4e8b-a6d5-0f1e2d3c4b5a",
            "items": [{"sku": "EUR", "quantity": 1, "unit_price": "11.50"}],
            "total": "11.50",
            "status": "pending",
        },
    )
    response = client.get(
        "/api/v1/orders/customer/{customerId}".replace(
            "{customerId}", "3fa85f64-5717-4562-b3fc-2c963f66afa6"
        )
    )
    assert response.status_code == 200, response.text
    keys = [str(item["id"]) for item in _items(response.json())]
    assert keys == ["3fa85f64-5717-4562-b3fc-2c963f66afa6"]

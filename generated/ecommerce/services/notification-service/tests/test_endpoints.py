"""Endpoint tests archgen generates for notification-service, from its catalog: over HTTP.

A create answers what a read then answers, an invalid body is refused (422), an unknown
instance is a 404, an update changes what a read answers, a list answers the instances
under its value and no other. Instances no endpoint creates are put into the store first.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from typing import Any

from archgen_service_kit.testing import run, seed
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


def test_get_v1_notifications_customer_by_customer_id_lists_the_instances_under_its_value(
    client: TestClient, runtime: Any
) -> None:
    _seed(
        client,
        runtime,
        "Notification",
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        {
            "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "customer_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "channel": "email",
            "template": "EUR",
            "sent_at": "2026-01-01T00:00:00Z",
        },
    )
    _seed(
        client,
        runtime,
        "Notification",
        "9b2d7f3e-1c4a-4e8b-a6d5-0f1e2d3c4b5a",
        {
            "id": "9b2d7f3e-1c4a-4e8b-a6d5-0f1e2d3c4b5a",
            "customer_id": "9b2d7f3e-1c4a-4e8b-a6d5-0f1e2d3c4b5a",
            "channel": "email",
            "template": "EUR",
            "sent_at": "2026-01-01T00:00:00Z",
        },
    )
    response = client.get(
        "/api/v1/notifications/customer/{customerId}".replace(
            "{customerId}", "3fa85f64-5717-4562-b3fc-2c963f66afa6"
        )
    )
    assert response.status_code == 200, response.text
    keys = [str(item["id"]) for item in _items(response.json())]
    assert keys == ["3fa85f64-5717-4562-b3fc-2c963f66afa6"]

"""Tests archgen generates for shipping-service: they pass as generated.

The store is the in-process one (or SQLite) and there is no broker, so they run
anywhere (fixtures in conftest.py; test_endpoints.py, test_reactions.py and
test_contracts.py check the catalog's endpoints, reactions and calls).
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import ast
import json
from importlib import resources
from pathlib import Path

from fastapi.testclient import TestClient

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "shipping_service"
OTHER_SERVICES = (
    "customer_service",
    "inventory_service",
    "notification_service",
    "order_service",
    "payment_service",
)


def test_serves_the_openapi_document_archgen_emits(client: TestClient) -> None:
    emitted = json.loads(
        resources.files("shipping_service").joinpath("openapi.json").read_text(encoding="utf-8")
    )
    served = client.get("/openapi.json").json()
    # Routes the team adds (handlers.router) add operations and schemas; everything the
    # catalog declares is served exactly as emitted.
    assert {k: v for k, v in served.items() if k not in ("paths", "components")} == {
        k: v for k, v in emitted.items() if k not in ("paths", "components")
    }
    for path, item in emitted["paths"].items():
        assert {m: served["paths"][path].get(m) for m in item} == item, path
    for section, entries in emitted.get("components", {}).items():
        assert {n: served["components"][section].get(n) for n in entries} == entries, section


def test_health(client: TestClient) -> None:
    assert client.get("/health/live").status_code == 200
    assert client.get("/health/ready").json()["checks"]["store"] == "ok"
    assert b"http_requests_total" in client.get("/metrics").content


def test_unknown_path_is_a_problem(client: TestClient) -> None:
    response = client.get("/no/such/path")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_the_request_id_comes_back(client: TestClient) -> None:
    response = client.get("/health/live", headers={"x-request-id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert client.get("/health/live").headers["x-request-id"] != ""


def test_get_v1_shipments_by_id_answers_404_problem_for_a_missing_instance(
    client: TestClient,
) -> None:
    response = client.get("/api/v1/shipments/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_imports_no_other_service() -> None:
    """Architecture test from the catalog: a service's code imports no other service."""
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert name.split(".")[0] not in OTHER_SERVICES, f"{path}: imports {name}"

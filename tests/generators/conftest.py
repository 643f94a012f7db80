"""Fixtures for the spec generators: the blueprint, and catalogs built from dicts."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from archgen.catalog import load_catalog, load_catalog_text
from archgen.model.resolved import ResolvedCatalog

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = ROOT / "blueprints" / "ecommerce" / "catalog.yaml"

# A small, complete catalog: one public service behind an authenticating,
# rate-limiting gateway, one internal service, one topic with a dead-letter queue.
BASE: dict[str, Any] = {
    "archgen": 1,
    "system": {"name": "demo", "title": "Demo", "owner": "team-a", "version": "2.0.0"},
    "gateway": {"technology": "kong", "auth": {"type": "jwt", "issuer": "https://id.example/"},
                "rate_limits": {"free": "10/min"}, "versions": ["v1"]},
    "services": {
        "order-service": {
            "bounded_context": "Orders", "description": "Orders", "team": "orders",
            "models": {
                "Order": {"id": "uuid", "items": "list[Line]", "tags": "dict[str, str]",
                          "note": {"type": "str", "required": False, "max_length": 5}},
                "Line": {"sku": {"type": "str", "pattern": "^[A-Z]+$"},
                         "qty": {"type": "int", "minimum": 1, "maximum": 9}},
            },
            "endpoints": {
                "POST /api/v1/orders": {"summary": "Create", "request": "Order",
                                        "response": "Order", "emits": ["order.created"]},
                "GET /api/v1/orders/{id}": {"summary": "Get", "response": "Order"},
                "GET /api/v1/orders": {"summary": "List", "response": "list[Order]"},
                "DELETE /api/v1/orders/{id}": "Delete",
            },
            "publishes": {"order.created": {"when": "Placed",
                                            "payload": {"order_id": "uuid",
                                                        "lines": "list[Line]"}}},
        },
        "audit-service": {
            "bounded_context": "Audit", "public": False,
            "endpoints": {"GET /api/v1/audit/{entryId}": "Read an audit entry"},
            "consumes": {"order.created": {"action": "Record it"}},
        },
    },
    "event_bus": {"technology": "kafka", "replication_factor": 3, "topics": {
        "orders": {"events": ["order.created"], "partitions": 4, "key": "order_id",
                   "retention": "7d", "dead_letter": True}}},
}


def build(data: dict[str, Any]) -> ResolvedCatalog:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    result = load_catalog_text(text, "test.yaml")
    assert result.catalog is not None, [f.message for f in result.findings]
    assert not result.errors, [f.message for f in result.errors]
    return result.catalog


@pytest.fixture(scope="session")
def blueprint() -> ResolvedCatalog:
    result = load_catalog(BLUEPRINT)
    assert result.catalog is not None
    return result.catalog


@pytest.fixture
def base() -> dict[str, Any]:
    """A fresh deep copy of BASE to modify."""
    return copy.deepcopy(BASE)


@pytest.fixture
def make() -> Callable[[dict[str, Any]], ResolvedCatalog]:
    return build

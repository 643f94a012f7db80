"""Every blueprint and some edge-case catalogs give valid OpenAPI 3.1 and AsyncAPI 3.0."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from openapi_spec_validator import validate

from archgen.catalog import load_catalog
from archgen.generators import GENERATORS
from archgen.model.resolved import ResolvedCatalog
from tests.helpers import ctx_of
from tests.tools import ASYNCAPI_SPECS, require

Make = Callable[[dict[str, Any]], ResolvedCatalog]
ROOT = Path(__file__).resolve().parents[2]
BLUEPRINTS = sorted((ROOT / "blueprints").glob("*/catalog.yaml"))


def check_all(catalog: ResolvedCatalog) -> dict[str, Any]:
    """Generate openapi and asyncapi; validate each document; return them parsed."""
    ctx = ctx_of(catalog)
    documents = {f.path: yaml.safe_load(f.content)
                 for kind in ("openapi", "asyncapi") for f in GENERATORS[kind].plan(ctx)}
    for path, document in documents.items():
        if path.startswith("openapi/"):
            validate(document)
    asyncapi = {p: d for p, d in documents.items() if not p.startswith("openapi/")}
    if asyncapi:  # the OpenAPI checks above ran either way
        require(ASYNCAPI_SPECS.exists(), "@asyncapi/specs")
        schema = json.loads(ASYNCAPI_SPECS.read_text(encoding="utf-8"))
        for path, document in asyncapi.items():
            errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(document)]
            assert errors == [], path
    return documents


@pytest.mark.parametrize("path", BLUEPRINTS, ids=[p.parent.name for p in BLUEPRINTS])
def test_blueprint_documents_are_valid(path: Path) -> None:
    catalog = load_catalog(path).catalog
    assert catalog is not None
    documents = check_all(catalog)
    assert "asyncapi.yaml" in documents
    assert "openapi/gateway.yaml" in documents


def test_service_without_endpoints_or_models(base: dict[str, Any], make: Make) -> None:
    base["services"]["audit-service"].pop("endpoints")
    documents = check_all(make(base))
    assert documents["openapi/audit-service.yaml"]["paths"] == {}


def test_gateway_technology_none_means_no_gateway_document(base: dict[str, Any],
                                                          make: Make) -> None:
    base["gateway"] = {"technology": "none", "justification": "Internal tool"}
    documents = check_all(make(base))
    assert "openapi/gateway.yaml" not in documents
    post = documents["openapi/order-service.yaml"]["paths"]["/api/v1/orders"]["post"]
    assert "401" not in post["responses"]


def test_events_without_topic_or_producer_stay_valid(base: dict[str, Any], make: Make) -> None:
    base["services"]["audit-service"]["consumes"]["refund.issued"] = "Nobody sends it"
    base["services"]["order-service"]["publishes"]["order.noted"] = "On no topic"
    base["event_bus"]["topics"]["orders"]["events"].append("refund.issued")
    doc = check_all(make(base))["asyncapi.yaml"]
    messages = doc["components"]["messages"]
    assert "No service publishes refund.issued" in messages["refund.issued"]["payload"][
        "description"]
    assert "order.noted" in messages
    assert not any("order.noted" in op_id for op_id in doc["operations"])


def test_model_reference_that_does_not_exist_stays_valid(base: dict[str, Any],
                                                        make: Make) -> None:
    base["services"]["order-service"]["endpoints"]["GET /api/v1/orders/{id}"]["response"] = "Nope"
    documents = check_all(make(base))
    op = documents["openapi/order-service.yaml"]["paths"]["/api/v1/orders/{id}"]["get"]
    assert "Nope" in op["responses"]["200"]["content"]["application/json"]["schema"][
        "description"]

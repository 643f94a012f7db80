"""archgen's own schema names never replace a catalog model, nor are replaced."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from openapi_spec_validator import validate

from archgen.generators.asyncapi import asyncapi_document
from archgen.generators.openapi import OpenApiGenerator
from archgen.generators.schemas import component_names
from archgen.model.resolved import ResolvedCatalog
from tests.helpers import ctx_of

Make = Callable[[dict[str, Any]], ResolvedCatalog]


def test_models_named_like_archgens_problem_schema_all_survive(base: dict[str, Any],
                                                               make: Make) -> None:
    models = base["services"]["order-service"]["models"]
    models["Problem"] = {"code": "int"}
    models["ArchgenProblem"] = {"mine": "str"}
    base["services"]["order-service"]["endpoints"]["GET /api/v1/problems"] = {
        "summary": "List", "response": "list[ArchgenProblem]"}
    catalog = make(base)
    files = {f.path: f.content for f in OpenApiGenerator().plan(ctx_of(catalog))}
    doc = yaml.safe_load(files["openapi/order-service.yaml"])  # type: ignore[arg-type]
    validate(doc)
    schemas = doc["components"]["schemas"]
    assert schemas["Problem"]["properties"] == {"code": {"type": "integer"}}
    assert schemas["ArchgenProblem"]["properties"] == {"mine": {"type": "string"}}
    assert "ArchgenProblem2" in schemas  # archgen's own, under a name no model has
    assert "ArchgenProblem2" in str(doc["components"]["responses"])


def test_models_named_like_the_cloudevents_envelope_all_survive(base: dict[str, Any],
                                                                make: Make) -> None:
    models = base["services"]["order-service"]["models"]
    models["CloudEventHeaders"] = {"a": "str"}
    models["ArchgenCloudEventHeaders"] = {"b": "str"}
    base["services"]["order-service"]["publishes"]["order.created"]["payload"].update(
        {"x": "CloudEventHeaders", "y": "ArchgenCloudEventHeaders"})
    schemas = asyncapi_document(make(base), "kafka:9092")["components"]["schemas"]
    assert schemas["CloudEventHeaders"]["properties"] == {"a": {"type": "string"}}
    assert schemas["ArchgenCloudEventHeaders"]["properties"] == {"b": {"type": "string"}}
    assert "ce_id" in str(schemas["ArchgenCloudEventHeaders2"])


def test_component_names_never_merge_nor_stop_the_run() -> None:
    names = component_names({"order-service": ["Order", "OrderServiceOrder"],
                             "billing-service": ["Order"]})
    flat = [n for models in names.values() for n in models.values()]
    assert len(flat) == len(set(flat)) == 3

"""OpenAPI 3.1 per service and for the gateway: contents, and openapi-spec-validator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from archgen.generators.common import GenerationError
from archgen.generators.openapi import OpenApiGenerator
from archgen.model.resolved import ResolvedCatalog
from tests.helpers import ctx_of

Make = Callable[[dict[str, Any]], ResolvedCatalog]


def docs(catalog: ResolvedCatalog) -> dict[str, Any]:
    return {f.path: yaml.safe_load(f.content) for f in OpenApiGenerator().plan(ctx_of(catalog))}


def test_every_blueprint_document_is_valid_openapi_3_1(blueprint: ResolvedCatalog) -> None:
    documents = docs(blueprint)
    assert sorted(documents) == sorted(
        [f"openapi/{s}.yaml" for s in blueprint.services] + ["openapi/gateway.yaml"])
    for path, document in documents.items():
        assert document["openapi"] == "3.1.0", path
        validate(document)


def test_service_document_info_servers_tags(base: dict[str, Any], make: Make) -> None:
    doc = docs(make(base))["openapi/order-service.yaml"]
    validate(doc)
    assert doc["info"] == {"title": "order-service", "description": "Orders",
                           "version": "2.0.0", "contact": {"name": "orders"}}
    assert doc["servers"][0]["url"] == "http://order-service:8080"
    assert doc["tags"] == [{"name": "Orders", "description": "Orders"}]
    get = doc["paths"]["/api/v1/orders/{id}"]["get"]
    assert get["operationId"] == "getV1OrdersById"
    assert get["tags"] == ["Orders"]
    assert get["summary"] == "Get"
    assert get["parameters"] == [{"name": "id", "in": "path", "required": True,
                                  "schema": {"type": "string", "format": "uuid"}}]


def test_status_codes_follow_what_the_service_returns(base: dict[str, Any], make: Make) -> None:
    paths = docs(make(base))["openapi/order-service.yaml"]["paths"]
    assert sorted(paths["/api/v1/orders"]["post"]["responses"]) == [
        "201", "401", "409", "422", "429"]  # 409: a create whose key is taken
    # A list: pages, whose cursor may be refused (400) and limit out of bounds (422).
    assert sorted(paths["/api/v1/orders"]["get"]["responses"]) == [
        "200", "400", "401", "422", "429"]
    assert sorted(paths["/api/v1/orders/{id}"]["get"]["responses"]) == [
        "200", "401", "404", "422", "429"]
    delete = paths["/api/v1/orders/{id}"]["delete"]["responses"]
    assert delete["204"] == {"description": "No Content"}
    assert delete["404"] == {"$ref": "#/components/responses/NotFound"}


def test_a_list_endpoint_declares_its_page_parameters_and_link_header(
        blueprint: ResolvedCatalog) -> None:
    documents = docs(blueprint)
    route = "/api/v1/orders/customer/{customerId}"
    for doc in (documents["openapi/order-service.yaml"], documents["openapi/gateway.yaml"]):
        op = doc["paths"][route]["get"]
        params = {p["name"]: p for p in op["parameters"]}
        assert sorted(params) == ["cursor", "customerId", "limit"]
        assert params["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200,
                                             "default": 50}
        assert params["cursor"]["schema"] == {"type": "string"} and not params["cursor"][
            "required"]
        assert 'rel="next"' in op["responses"]["200"]["headers"]["Link"]["description"]
        assert op["responses"]["400"]["content"]["application/problem+json"]
        read = doc["paths"]["/api/v1/orders/{id}"]["get"]  # one order: no page
        assert [p["name"] for p in read["parameters"]] == ["id"]
        assert "400" not in read["responses"] and "headers" not in read["responses"]["200"]


def test_a_query_parameter_of_the_catalog_named_limit_is_declared_once(
        base: dict[str, Any], make: Make) -> None:
    base["services"]["order-service"]["endpoints"]["GET /api/v1/orders"]["query"] = {
        "limit": "int"}
    op = docs(make(base))["openapi/order-service.yaml"]["paths"]["/api/v1/orders"]["get"]
    assert [p["name"] for p in op["parameters"]] == ["limit", "cursor"]
    assert op["parameters"][0]["schema"] == {"type": "integer"}


def test_internal_service_gets_no_gateway_codes_or_security(base: dict[str, Any],
                                                            make: Make) -> None:
    doc = docs(make(base))["openapi/audit-service.yaml"]
    validate(doc)
    op = doc["paths"]["/api/v1/audit/{entryId}"]["get"]
    assert sorted(op["responses"]) == ["200", "404", "422"]
    assert "security" not in op
    assert "securitySchemes" not in doc["components"]
    assert op["parameters"][0]["schema"] == {"type": "string", "format": "uuid"}


def test_bearer_scheme_and_problem_details(base: dict[str, Any], make: Make) -> None:
    doc = docs(make(base))["openapi/order-service.yaml"]
    components = doc["components"]
    assert components["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert components["securitySchemes"]["bearerAuth"]["bearerFormat"] == "JWT"
    assert doc["paths"]["/api/v1/orders"]["post"]["security"] == [{"bearerAuth": []}]
    problem = components["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "instance"} <= set(problem["properties"])
    for name in ("NotFound", "ValidationFailed", "Unauthorized", "TooManyRequests"):
        content = components["responses"][name]["content"]
        assert content == {"application/problem+json": {
            "schema": {"$ref": "#/components/schemas/Problem"}}}
    assert "Retry-After" in components["responses"]["TooManyRequests"]["headers"]


def test_without_gateway_there_is_no_401_429_or_gateway_doc(base: dict[str, Any],
                                                           make: Make) -> None:
    del base["gateway"]
    documents = docs(make(base))
    assert "openapi/gateway.yaml" not in documents
    post = documents["openapi/order-service.yaml"]["paths"]["/api/v1/orders"]["post"]
    assert sorted(post["responses"]) == ["201", "409", "422"]
    assert "security" not in post


def test_model_schemas_carry_every_constraint(base: dict[str, Any], make: Make) -> None:
    schemas = docs(make(base))["openapi/order-service.yaml"]["components"]["schemas"]
    order = schemas["Order"]
    assert order["required"] == ["id", "items", "tags"]
    assert order["properties"]["items"] == {"type": "array",
                                            "items": {"$ref": "#/components/schemas/Line"}}
    assert order["properties"]["tags"] == {"type": "object",
                                           "additionalProperties": {"type": "string"}}
    assert order["properties"]["note"] == {"type": "string", "maxLength": 5}
    assert schemas["Line"]["properties"]["qty"] == {"type": "integer", "minimum": 1,
                                                    "maximum": 9}
    assert schemas["Line"]["properties"]["sku"]["pattern"] == "^[A-Z]+$"


def test_problem_schema_name_avoids_a_user_model_named_problem(base: dict[str, Any],
                                                              make: Make) -> None:
    base["services"]["order-service"]["models"]["Problem"] = {"code": "int"}
    doc = docs(make(base))["openapi/order-service.yaml"]
    validate(doc)
    assert doc["components"]["schemas"]["Problem"]["properties"] == {"code": {"type": "integer"}}
    assert "ArchgenProblem" in doc["components"]["schemas"]


# ---------------------------------------------------------------- gateway
def test_gateway_lists_public_routes_with_upstream(blueprint: ResolvedCatalog) -> None:
    doc = docs(blueprint)["openapi/gateway.yaml"]
    public = {(e.method.lower(), e.path, s.name) for s, e in blueprint.public_endpoints()}
    listed = {(m, p, op["x-archgen-upstream"]) for p, item in doc["paths"].items()
              for m, op in item.items() if "x-archgen-upstream" in op}
    assert listed == public
    assert "/api/v1/notifications/customer/{customerId}" not in doc["paths"]  # internal
    assert doc["x-archgen-gateway"] == {"technology": "kong", "versions": ["v1", "v2"]}
    assert doc["paths"]["/api/v1/orders"]["post"]["x-archgen-api-version"] == "v1"


def test_gateway_aggregation_route(blueprint: ResolvedCatalog) -> None:
    doc = docs(blueprint)["openapi/gateway.yaml"]
    op = doc["paths"]["/api/v1/mobile/orders/{id}/summary"]["get"]
    assert op["x-archgen-aggregates"] == [
        {"service": "order-service", "method": "GET", "path": "/api/v1/orders/{id}"},
        # As written: the customer's id is read from the order's answer.
        {"service": "customer-service", "method": "GET",
         "path": "/api/v1/customers/{order-service.customer_id}"}]
    body = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["properties"]["order-service"] == {"$ref": "#/components/schemas/Order"}
    assert body["properties"]["customer-service"] == {"$ref": "#/components/schemas/Customer"}
    assert "502" in op["responses"]


def test_same_model_name_in_two_services_never_merges(base: dict[str, Any],
                                                      make: Make) -> None:
    base["services"]["audit-service"]["public"] = True
    base["services"]["audit-service"]["models"] = {"Order": {"ref": "str"}}
    base["services"]["audit-service"]["endpoints"] = {
        "GET /api/v1/audit/{entryId}": {"summary": "Read", "response": "Order"}}
    doc = docs(make(base))["openapi/gateway.yaml"]
    validate(doc)
    schemas = doc["components"]["schemas"]
    assert "Order" not in schemas
    assert schemas["AuditServiceOrder"]["properties"] == {"ref": {"type": "string"}}
    assert "id" in schemas["OrderServiceOrder"]["properties"]
    assert schemas["OrderServiceOrder"]["properties"]["items"]["items"] == {
        "$ref": "#/components/schemas/Line"}


@pytest.mark.parametrize("route", ["GET /api/v1/orders/{id}", "GET /api/v1/orders/{orderId}"])
def test_route_claimed_twice_stops_generation(base: dict[str, Any], make: Make,
                                              route: str) -> None:
    base["services"]["audit-service"]["public"] = True
    base["services"]["audit-service"]["endpoints"] = {route: "Steal the route"}
    with pytest.raises(GenerationError, match="claimed by audit-service and order-service"):
        OpenApiGenerator().plan(ctx_of(make(base)))


def test_aggregation_over_a_service_route_stops_generation(base: dict[str, Any],
                                                           make: Make) -> None:
    base["gateway"]["aggregations"] = {"GET /api/v1/orders": ["order-service GET /api/v1/orders"]}
    with pytest.raises(GenerationError, match="a gateway aggregation and order-service"):
        OpenApiGenerator().plan(ctx_of(make(base)))


def test_one_path_spelled_two_ways_stops_generation(base: dict[str, Any], make: Make) -> None:
    base["services"]["audit-service"]["public"] = True
    base["services"]["audit-service"]["endpoints"] = {"PUT /api/v1/orders/{orderId}": "Put"}
    with pytest.raises(GenerationError, match="different parameter names"):
        OpenApiGenerator().plan(ctx_of(make(base)))


def test_service_named_gateway_is_refused(base: dict[str, Any], make: Make) -> None:
    base["services"]["gateway"] = base["services"].pop("audit-service")
    with pytest.raises(GenerationError, match="rename the service"):
        OpenApiGenerator().plan(ctx_of(make(base)))


def test_one_path_spelled_two_ways_in_one_service_stops_generation(base: dict[str, Any],
                                                                   make: Make) -> None:
    base["services"]["audit-service"]["endpoints"]["PUT /api/v1/audit/{id}"] = "Put"
    with pytest.raises(GenerationError, match=r"openapi/audit-service\.yaml cannot hold both"):
        OpenApiGenerator().plan(ctx_of(make(base)))


def test_operation_ids_stay_unique_when_paths_read_alike(base: dict[str, Any],
                                                         make: Make) -> None:
    endpoints = base["services"]["order-service"]["endpoints"]
    endpoints["GET /api/v1/order-items"] = "Dashed"
    endpoints["GET /api/v1/order_items"] = "Underscored"
    documents = docs(make(base))
    for name in ("openapi/order-service.yaml", "openapi/gateway.yaml"):
        validate(documents[name])
        paths = documents[name]["paths"]
        assert paths["/api/v1/order-items"]["get"]["operationId"] == "getV1OrderItems"
        assert paths["/api/v1/order_items"]["get"]["operationId"] == "getV1OrderItems2"


def test_only_a_creating_post_declares_the_409_of_a_taken_key(base: dict[str, Any],
                                                               make: Make) -> None:
    """A POST that answers a list (a search) creates nothing: no key of it can be taken."""
    endpoints = base["services"]["order-service"]["endpoints"]
    endpoints["POST /api/v1/orders/search"] = {"summary": "Search", "request": "Order",
                                               "response": "list[Order]"}
    paths = docs(make(base))["openapi/order-service.yaml"]["paths"]
    assert "409" in paths["/api/v1/orders"]["post"]["responses"]
    assert "409" not in paths["/api/v1/orders/search"]["post"]["responses"]

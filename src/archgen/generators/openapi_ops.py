"""OpenAPI 3.1 operations, parameters, responses and shared components.

Used by the per-service documents and the gateway document alike, so that a
route reads the same in both.
"""

from __future__ import annotations

import http
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from archgen.generators.common import pascal
from archgen.generators.schemas import Schema, SchemaContext, field_schema, type_schema
from archgen.model.catalog import Gateway
from archgen.model.fieldtypes import TypeRef
from archgen.model.names import snake
from archgen.model.resolved import Endpoint, Service
from archgen.model.states import may_refuse
from archgen.model.tables import PAGE_LIMIT, PAGE_LIMIT_MAX, endpoint_action, pages

OPENAPI_VERSION = "3.1.0"
JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
BEARER = "bearerAuth"
_VERSION = re.compile(r"^/api/(v[0-9][a-z0-9.-]*)/")
_PARAM = re.compile(r"\{[^}]*\}")


@dataclass(frozen=True)
class DocContext:
    """What one document needs to build operations: schema refs and the gateway's policies."""

    schemas: SchemaContext
    problem: str  # component name of the RFC 9457 problem schema
    auth: bool  # public routes pass an authenticating gateway: 401, bearer security
    rate_limited: bool  # public routes pass a rate-limiting gateway: 429


def info(title: str, description: str | None, version: str,
         contact: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"title": title, "version": version}
    if description:
        out["description"] = description
    if contact:
        out["contact"] = {"name": contact}
    return out


def gateway_policies(gateway: Gateway | None) -> tuple[bool, bool]:
    """(authenticates, rate-limits) of the gateway in front of public routes."""
    if gateway is None or gateway.technology == "none":
        return False, False
    auth = gateway.auth is not None and gateway.auth.type not in (None, "none")
    return auth, bool(gateway.rate_limits)


def api_version(path: str) -> str | None:
    match = _VERSION.match(path)
    return match.group(1) if match else None


def normalized_path(path: str) -> str:
    """`/orders/{id}` and `/orders/{orderId}` are the same path to OpenAPI (and to routers)."""
    return _PARAM.sub("{}", path)


def operation_id(method: str, path: str) -> str:
    """`GET /api/v1/orders/{id}` -> `getV1OrdersById`: unique per (method, path)."""
    words = []
    for segment in path.strip("/").split("/"):
        if segment in ("", "api"):
            continue
        if segment.startswith("{"):
            words.append("By" + pascal(segment[1:-1]))
        else:
            words.append(pascal(segment))
    return method.lower() + "".join(words)


def make_operation_ids_unique(paths: dict[str, dict[str, Any]]) -> None:
    """Suffix repeated operationIds (`/order-items` and `/order_items` both read OrderItems)."""
    seen: set[str] = set()
    for path in sorted(paths):
        for method in sorted(paths[path]):
            op = paths[path][method]
            wanted = candidate = op["operationId"]
            number = 1
            while candidate in seen:
                number += 1
                candidate = f"{wanted}{number}"
            op["operationId"] = candidate
            seen.add(candidate)


def operation(service: Service, endpoint: Endpoint, ctx: DocContext) -> dict[str, Any]:
    exposed = endpoint.public
    op: dict[str, Any] = {
        "operationId": operation_id(endpoint.method, endpoint.path),
        "tags": [service.bounded_context or service.name],
        "responses": responses(endpoint.method, endpoint.status, endpoint.response,
                               _validates(endpoint), bool(endpoint.path_params), ctx, exposed,
                               ("Conflict",) if may_refuse(service, endpoint) else (),
                               creates=endpoint_action(endpoint, service)[0] == "create"),
    }
    if endpoint.summary:
        op["summary"] = endpoint.summary
    if endpoint.spec.description:
        op["description"] = endpoint.spec.description
    if endpoint.spec.deprecated:
        op["deprecated"] = True
    parameters = path_parameters(service, endpoint, ctx) + query_parameters(endpoint, ctx)
    if pages(endpoint, service):
        taken = {f.name for f in endpoint.query}
        parameters += [p for p in page_parameters() if p["name"] not in taken]
        page_responses(op["responses"], ctx)
    if parameters:
        op["parameters"] = parameters
    if endpoint.request is not None:
        op["requestBody"] = {"required": True,
                             "content": {JSON: {"schema": type_schema(endpoint.request,
                                                                      ctx.schemas)}}}
    if exposed and ctx.auth:
        op["security"] = [{BEARER: []}]
    return op


def _validates(endpoint: Endpoint) -> bool:
    # FastAPI answers 422 when a body, path or query parameter fails validation.
    return bool(endpoint.request is not None or endpoint.path_params or endpoint.query)


def path_parameters(service: Service, endpoint: Endpoint, ctx: DocContext) -> list[Any]:
    return [{"name": name, "in": "path", "required": True,
             "schema": param_schema(service, endpoint, name, ctx)}
            for name in endpoint.path_params]


def param_schema(service: Service, endpoint: Endpoint, name: str, ctx: DocContext) -> Schema:
    """Type a path parameter from the model field it names, else from its name.

    `{id}` on a route answering `Order` takes `Order.id`'s type; `{customerId}`
    takes the type of a `customer_id` field of the service's models.
    """
    candidates = (name, snake(name))
    models = [m for ref in (endpoint.response, endpoint.request) if ref
              for m in ref.model_names()] + sorted(service.models)
    for model_name in models:
        model = service.models.get(model_name)
        for field in model.fields if model else ():
            if field.name in candidates and field.type.kind == "scalar":
                return type_schema(field.type, ctx.schemas)
    if name == "id" or snake(name).endswith("_id"):
        return type_schema(TypeRef("scalar", "uuid"), ctx.schemas)
    return type_schema(TypeRef("scalar", "str"), ctx.schemas)


def query_parameters(endpoint: Endpoint, ctx: DocContext) -> list[Any]:
    return [{"name": f.name, "in": "query", "required": f.required,
             "schema": field_schema(f, ctx.schemas)} for f in endpoint.query]


def page_parameters() -> list[Any]:
    """`limit` and `cursor` of a list endpoint (the service kit's paging.py)."""
    return [
        {"name": "limit", "in": "query", "required": False,
         "description": f"The most items in the page ({PAGE_LIMIT} unless given, at most "
                        f"{PAGE_LIMIT_MAX}: more is answered 422).",
         "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_LIMIT_MAX,
                    "default": PAGE_LIMIT}},
        {"name": "cursor", "in": "query", "required": False,
         "description": "Where the page starts: the opaque `cursor` of the previous answer's "
                        "`Link` header, as it is. One this list did not give out is "
                        "answered 400.",
         "schema": {"type": "string"}},
    ]


def page_responses(out: dict[str, Any], ctx: DocContext) -> None:
    """A list endpoint's answer: items by key, the next page's Link (RFC 8288) when more
    follow; a cursor that is not one of the list's: 400. Its limit is validated: 422."""
    success = next(iter(out.values()))
    success["headers"] = {"Link": {
        "description": 'The next page, `<...>; rel="next"` (RFC 8288): absent on the last.',
        "schema": {"type": "string"}}}
    out["400"] = {"description": "The cursor is not one this list gave out.",
                  "content": {PROBLEM_JSON: {"schema": {
                      "$ref": f"#/components/schemas/{ctx.problem}"}}}}
    out.setdefault("422", {"$ref": "#/components/responses/ValidationFailed"})


def responses(method: str, status: int, body: TypeRef | None, validates: bool,
              has_params: bool, ctx: DocContext, exposed: bool,
              extra: Sequence[str] = (), *, creates: bool = False) -> dict[str, Any]:
    """The status codes the generated service (and the gateway in front) really return.
    `creates`: the endpoint's default behaviour creates a record (model/tables.py decides)."""
    out: dict[str, Any] = {str(status): _success(status, body, ctx)}
    if has_params:
        out["404"] = {"$ref": "#/components/responses/NotFound"}
    if creates:
        # Its key may be taken already (by a create running at the same time too).
        out["409"] = {"description": "An instance under this key exists already.",
                      "content": {PROBLEM_JSON: {"schema": {
                          "$ref": f"#/components/schemas/{ctx.problem}"}}}}
    if validates:
        out["422"] = {"$ref": "#/components/responses/ValidationFailed"}
    if exposed and ctx.auth:
        out["401"] = {"$ref": "#/components/responses/Unauthorized"}
    if exposed and ctx.rate_limited:
        out["429"] = {"$ref": "#/components/responses/TooManyRequests"}
    for name in extra:
        out[_EXTRA_STATUS[name]] = {"$ref": f"#/components/responses/{name}"}
    return out


def _success(status: int, body: TypeRef | None, ctx: DocContext) -> dict[str, Any]:
    response: dict[str, Any] = {"description": _phrase(status)}
    if body is not None and status != 204:
        response["content"] = {JSON: {"schema": type_schema(body, ctx.schemas)}}
    return response


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"Status {status}"


_EXTRA_STATUS = {"BadGateway": "502", "Conflict": "409"}


def uses_response(paths: dict[str, dict[str, Any]], name: str) -> bool:
    """Whether an operation of `paths` refers to the component response `name`."""
    ref = f"#/components/responses/{name}"
    return any(r.get("$ref") == ref for item in paths.values() for op in item.values()
               for r in op.get("responses", {}).values())


def problem_schema() -> Schema:
    """RFC 9457 problem details; `errors` is the extension member 422 answers carry."""
    text = {"type": "string"}
    return {
        "type": "object",
        "description": "Problem details (RFC 9457).",
        "properties": {
            "type": {"type": "string", "format": "uri-reference", "default": "about:blank"},
            "title": text, "detail": text,
            "status": {"type": "integer", "minimum": 100, "maximum": 599},
            "instance": {"type": "string", "format": "uri-reference"},
            "errors": {"type": "array", "description": "Validation errors, one per location.",
                       "items": {"type": "object",
                                 "properties": {"detail": text, "pointer": text}}},
            "allowed": {"type": "array", "items": {"type": "string"},
                        "description": "A refused state change (409): the states this "
                                       "change may go to from the current one."},
        },
    }


def error_responses(ctx: DocContext, gateway_errors: bool = False,
                    conflict: bool = False) -> dict[str, Any]:
    ref = {"schema": {"$ref": f"#/components/schemas/{ctx.problem}"}}
    out: dict[str, Any] = {
        "NotFound": {"description": "No resource at this path.", "content": {PROBLEM_JSON: ref}},
        "ValidationFailed": {"description": "The request did not pass validation.",
                             "content": {PROBLEM_JSON: ref}},
    }
    if ctx.auth:
        out["Unauthorized"] = {
            "description": "Missing or invalid bearer token.",
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
            "content": {PROBLEM_JSON: ref}}
    if ctx.rate_limited:
        out["TooManyRequests"] = {
            "description": "Rate limit of the client's tier exceeded.",
            "headers": {"Retry-After": {"description": "Seconds to wait before retrying.",
                                        "schema": {"type": "integer", "minimum": 0}}},
            "content": {PROBLEM_JSON: ref}}
    if conflict:
        out["Conflict"] = {"description": "A change its state machine does not allow; "
                                          "`allowed` names the states it may go to.",
                           "content": {PROBLEM_JSON: ref}}
    if gateway_errors:
        out["BadGateway"] = {"description": "An upstream service failed.",
                             "content": {PROBLEM_JSON: ref}}
    return out


def security_schemes(gateway: Gateway | None) -> dict[str, Any]:
    auth = gateway.auth if gateway else None
    if auth is None:
        return {}
    parts = [f"JWT validated by the gateway ({auth.type})."]
    if auth.issuer:
        parts.append(f"Issuer: {auth.issuer}.")
    if auth.audiences:
        parts.append(f"Audiences: {', '.join(auth.audiences)}.")
    return {BEARER: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                     "description": " ".join(parts)}}

"""`openapi/gateway.yaml`: every public route as clients see it, plus aggregation routes.

Each operation names its upstream in `x-archgen-upstream`; aggregation routes
list the calls they compose in `x-archgen-aggregates`. A route two owners claim
stops generation: merging them would publish a contract nobody serves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from archgen.generators.common import GenerationError, Ordered, free_name
from archgen.generators.openapi_ops import (
    BEARER,
    OPENAPI_VERSION,
    DocContext,
    api_version,
    error_responses,
    gateway_policies,
    info,
    make_operation_ids_unique,
    normalized_path,
    operation,
    operation_id,
    param_schema,
    problem_schema,
    responses,
    security_schemes,
    uses_response,
)
from archgen.generators.schemas import (
    Schema,
    SchemaContext,
    component_names,
    component_schemas,
    reachable_models,
    type_schema,
)
from archgen.model.aggregation_calls import call_keys, parse_call, placeholders
from archgen.model.catalog import Aggregation
from archgen.model.fieldtypes import TypeRef
from archgen.model.names import path_params, split_route
from archgen.model.resolved import Endpoint, ResolvedCatalog, Service

REF_BASE = "#/components/schemas/"
AGGREGATION_TAG = "Gateway aggregations"
Call = tuple[str, Endpoint | None, str, str]  # service, its endpoint if known, method, path
ContextOf = Callable[[str], DocContext]


def check_routes(claims: Iterable[tuple[str, str, str]], document: str) -> None:
    """Raise if two owners claim one route, or one path is spelled two ways.

    `claims` holds (owner, method, path). Routers treat `/a/{id}` and `/a/{key}`
    alike, and OpenAPI forbids both in one document.
    """
    owners: dict[tuple[str, str], dict[str, str]] = {}
    spellings: dict[str, set[str]] = {}
    for owner, method, path in claims:
        owners.setdefault((method, normalized_path(path)), {})[owner] = path
        spellings.setdefault(normalized_path(path), set()).add(path)
    for (method, _), who in sorted(owners.items()):
        if len(who) > 1:
            shown = min(who.values())
            raise GenerationError(
                f"{method} {shown} is claimed by {' and '.join(sorted(who))}; {document} "
                "would merge them", "give every route one owner (archgen validate reports it)")
    for spelled in (s for _, s in sorted(spellings.items())):
        if len(spelled) > 1:
            raise GenerationError(
                f"{' and '.join(sorted(spelled))} are the same path with different parameter "
                f"names; {document} cannot hold both", "name the path parameters alike")


def gateway_document(catalog: ResolvedCatalog) -> Ordered | None:
    gateway = catalog.gateway
    if gateway is None or gateway.technology == "none":
        return None
    public = catalog.public_endpoints()
    aggregations = sorted(gateway.aggregations.items())
    if not public and not aggregations:
        return None
    check_routes([(s.name, e.method, e.path) for s, e in public]
                 + [("a gateway aggregation", *split_route(r)) for r, _ in aggregations],
                 "openapi/gateway.yaml")
    calls = {route: [_call(catalog, c) for c in agg.calls] for route, agg in aggregations}
    names = _names(catalog, public, [c for cs in calls.values() for c in cs])
    problem = free_name("Problem", {n for models in names.values() for n in models.values()})
    auth, rate_limited = gateway_policies(gateway)

    def ctx_of(service: str) -> DocContext:
        return DocContext(SchemaContext(REF_BASE, names.get(service, {})), problem, auth,
                          rate_limited)

    paths: dict[str, dict[str, Any]] = {}
    for service, endpoint in public:
        op = operation(service, endpoint, ctx_of(service.name))
        op["x-archgen-upstream"] = service.name
        _add_version(op, endpoint.path)
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = op
    for route, agg in aggregations:
        method, path = split_route(route)
        op = _aggregation(catalog, method, path, agg, calls[route], ctx_of)
        paths.setdefault(path, {})[method.lower()] = op
    make_operation_ids_unique(paths)
    return _document(catalog, paths, names, ctx_of(""), bool(aggregations))


def _add_version(op: dict[str, Any], path: str) -> None:
    version = api_version(path)
    if version:
        op["x-archgen-api-version"] = version


def _call(catalog: ResolvedCatalog, text: str) -> Call:
    call = parse_call(text)
    svc = catalog.services.get(call.service)
    found = call.endpoint_in(svc.endpoints) if svc else None
    return call.service, found, call.method, call.path


def _names(catalog: ResolvedCatalog, public: list[tuple[Service, Endpoint]],
           calls: list[Call]) -> dict[str, dict[str, str]]:
    roots: dict[str, list[TypeRef]] = {}
    for service, endpoint in public:
        refs = [endpoint.request, endpoint.response, *(f.type for f in endpoint.query)]
        roots.setdefault(service.name, []).extend(r for r in refs if r is not None)
    for service_name, called, _, _ in calls:
        if called is not None and called.response is not None:
            roots.setdefault(service_name, []).append(called.response)
    needed = {name: reachable_models(catalog.services[name], refs)
              for name, refs in sorted(roots.items())}
    return component_names(needed)


def _aggregation(catalog: ResolvedCatalog, method: str, path: str, agg: Aggregation,
                 calls: list[Call], ctx_of: ContextOf) -> dict[str, Any]:
    ctx: DocContext = ctx_of("")
    params = path_params(path)
    op: dict[str, Any] = {
        "operationId": operation_id(method, path),
        "tags": [AGGREGATION_TAG],
        "responses": responses(method, 200, None, bool(params), bool(params), ctx, True,
                               extra=("BadGateway",)),
        "x-archgen-aggregates": [{"service": s, "method": m, "path": p}
                                 for s, _, m, p in calls],
    }
    op["responses"]["200"]["content"] = {
        "application/json": {"schema": _composed(calls, ctx_of)}}
    if agg.summary:
        op["summary"] = agg.summary
    if agg.description:
        op["description"] = agg.description
    if params:
        op["parameters"] = [{"name": n, "in": "path", "required": True,
                             "schema": _aggregation_param(catalog, n, calls, ctx_of)}
                            for n in params]
    if ctx.auth:
        op["security"] = [{BEARER: []}]
    _add_version(op, path)
    return op


def _composed(calls: list[Call], ctx_of: ContextOf) -> Schema:
    """One property per call, named after the service it comes from."""
    properties: dict[str, Schema] = {}
    keys = call_keys([service for service, _, _, _ in calls])
    for key, (service, call_endpoint, method, path) in zip(keys, calls, strict=True):
        if call_endpoint is not None and call_endpoint.response is not None:
            properties[key] = type_schema(call_endpoint.response, ctx_of(service).schemas)
        else:
            properties[key] = {"description": f"Response of {service} {method} {path}."}
    return {"type": "object", "properties": properties, "required": list(properties)}


def _aggregation_param(catalog: ResolvedCatalog, name: str, calls: list[Call],
                       ctx_of: ContextOf) -> Schema:
    for service, endpoint, _, path in calls:
        # The call writes the endpoint's path, its parameters in the same places.
        named = dict(zip(placeholders(path), endpoint.path_params, strict=False)
                     ) if endpoint else {}
        if endpoint is not None and name in named:
            return param_schema(catalog.services[service], endpoint, named[name],
                                ctx_of(service))
    fallback = "uuid" if name == "id" or name.endswith(("Id", "_id")) else "str"
    return type_schema(TypeRef("scalar", fallback), ctx_of("").schemas)


def _document(catalog: ResolvedCatalog, paths: dict[str, Any],
              names: dict[str, dict[str, str]], ctx: DocContext,
              has_aggregations: bool) -> Ordered:
    gateway = catalog.gateway
    assert gateway is not None
    system = catalog.system
    schemas: dict[str, Schema] = {}
    for service, models in names.items():
        svc_ctx = SchemaContext(REF_BASE, models)
        schemas.update(component_schemas(catalog.services[service], sorted(models), svc_ctx))
    schemas[ctx.problem] = problem_schema()
    components: dict[str, Any] = {"schemas": schemas,
                                  "responses": error_responses(
                                      ctx, has_aggregations, uses_response(paths, "Conflict"))}
    if ctx.auth:
        components["securitySchemes"] = security_schemes(gateway)
    tags = sorted({op["tags"][0] for item in paths.values() for op in item.values()})
    doc_info = info(f"{system.title or system.name} API", gateway.description or gateway.purpose,
                    system.version or "0.0.0", system.owner)
    return Ordered(
        openapi=OPENAPI_VERSION,
        info=doc_info,
        servers=[{"url": "{scheme}://{host}", "description": "The API gateway",
                  "variables": {"scheme": {"default": "https", "enum": ["https", "http"]},
                                "host": {"default": f"api.{system.name}.example",
                                         "description": "Public host name of the gateway"}}}],
        tags=[{"name": t} for t in tags],
        paths=paths,
        components=components,
        **{"x-archgen-gateway": {"technology": gateway.technology,
                                 "versions": list(gateway.versions)}},
    )

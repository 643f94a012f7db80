"""OpenAPI 3.1: `openapi/<service>.yaml` per service and `openapi/gateway.yaml`."""

from __future__ import annotations

import functools
from typing import Any

from archgen.generators.common import GenerationError, Ordered, dump_yaml, free_name
from archgen.generators.inputs import ServiceInputs, document_unit
from archgen.generators.openapi_gateway import check_routes, gateway_document
from archgen.generators.openapi_ops import (
    OPENAPI_VERSION,
    DocContext,
    error_responses,
    gateway_policies,
    info,
    make_operation_ids_unique,
    operation,
    problem_schema,
    security_schemes,
    uses_response,
)
from archgen.generators.schemas import SchemaContext, component_schemas
from archgen.model.resolved import ResolvedCatalog, Service
from archgen.output import GenerationContext, OutputFile, Unit

GATEWAY_DOC = "gateway"


class OpenApiGenerator:
    name = "openapi"
    description = "OpenAPI 3.1 documents: one per service, one for the gateway"

    def plan(self, ctx: GenerationContext) -> list[OutputFile]:
        self._refuse_clash(ctx)
        return [*(f for name in sorted(ctx.catalog.services)
                  for f in self._document(ctx, name)), *self._gateway(ctx)]

    def _refuse_clash(self, ctx: GenerationContext) -> None:
        if GATEWAY_DOC in ctx.catalog.services:
            raise GenerationError(
                f"a service named {GATEWAY_DOC!r} would overwrite openapi/{GATEWAY_DOC}.yaml, "
                "the gateway's document", "rename the service")

    def units(self, ctx: GenerationContext) -> list[Unit]:
        """A unit per service document; the gateway's, which shows every public
        endpoint, is rendered on every run."""
        self._refuse_clash(ctx)
        inputs = ServiceInputs(ctx)
        units = [Unit(f"openapi/{name}", inputs.document(name),
                      functools.partial(self._document, ctx, name))
                 for name in sorted(ctx.catalog.services)]
        gateway = gateway_document(ctx.catalog)
        if gateway is None:
            return units
        return [*units, document_unit(f"openapi/{GATEWAY_DOC}", self.name,
                                      [(f"openapi/{GATEWAY_DOC}.yaml", dump_yaml, gateway)])]

    def _document(self, ctx: GenerationContext, name: str) -> list[OutputFile]:
        document = service_document(ctx.catalog, ctx.catalog.services[name],
                                    ctx.deployment.services[name].url)
        return [OutputFile(f"openapi/{name}.yaml", dump_yaml(document), self.name)]

    def _gateway(self, ctx: GenerationContext) -> list[OutputFile]:
        gateway = gateway_document(ctx.catalog)
        if gateway is None:
            return []
        return [OutputFile(f"openapi/{GATEWAY_DOC}.yaml", dump_yaml(gateway), self.name)]


def service_document(catalog: ResolvedCatalog, service: Service, url: str) -> Ordered:
    """The service's OpenAPI document; `url` is its address from the deployment model."""
    check_routes([(service.name, e.method, e.path) for e in service.endpoints],
                 f"openapi/{service.name}.yaml")
    auth, rate_limited = gateway_policies(catalog.gateway)
    exposed = any(e.public for e in service.endpoints)
    names = {m: m for m in service.models}
    ctx = DocContext(SchemaContext("#/components/schemas/", names),
                     free_name("Problem", names.values()), auth and exposed,
                     rate_limited and exposed)
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in service.endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation(
            service, endpoint, ctx)
    make_operation_ids_unique(paths)
    schemas = component_schemas(service, sorted(service.models), ctx.schemas)
    schemas[ctx.problem] = problem_schema()
    components: dict[str, Any] = {"schemas": schemas, "responses": error_responses(
        ctx, conflict=uses_response(paths, "Conflict"))}
    if ctx.auth:
        components["securitySchemes"] = security_schemes(catalog.gateway)
    spec = service.spec
    doc = Ordered(
        openapi=OPENAPI_VERSION,
        info=info(service.name, spec.description, catalog.system.version or "0.0.0",
                  spec.team),
        servers=[{"url": url,
                  "description": "In-cluster address of the service"}],
        tags=[_tag(service)],
        paths=paths,
        components=components,
    )
    return doc


def _tag(service: Service) -> dict[str, Any]:
    tag: dict[str, Any] = {"name": service.bounded_context or service.name}
    if service.spec.description:
        tag["description"] = service.spec.description
    return tag

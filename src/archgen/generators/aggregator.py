"""`aggregator/`: the service beside the gateway that serves the catalog's aggregations.

A gateway routes; it cannot call two services and combine their answers. So each
aggregation route goes (Envoy and Kong alike) to this small FastAPI service, which
calls the aggregation's upstream routes concurrently with the caller's
Authorization header, each call with the budget of a `depends_on` edge that
declares nothing (`communication.sync`: timeout per attempt, GET retries with
backoff), all within the gateway's route timeout, and answers the combined
document `openapi/gateway.yaml` describes, or application/problem+json when a
call fails (404 and 422 pass through; anything else is 502).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from archgen.generators.common import GenerationError
from archgen.generators.inputs import built
from archgen.generators.openapi_gateway import response_keys
from archgen.generators.services import lit
from archgen.model.deployment import AGGREGATION_TIMEOUT_ENV, ServiceDeployment
from archgen.model.names import path_params, split_route
from archgen.model.resolved import ResolvedCatalog
from archgen.output import GenerationContext, OutputFile, Unit
from archgen.templating import render

NAME = "aggregator"
OUT = "aggregator"
_DEPENDENCIES = ("fastapi>=0.110", "uvicorn>=0.29", "pydantic>=2.7", "pydantic-settings>=2.2",
                 "httpx>=0.27", "prometheus-client>=0.20")
_MODULES = ("__init__", "app", "settings", "spec")


@dataclass(frozen=True, slots=True)
class AggregationCall:
    key: str  # its property in the combined document
    service: str
    method: str
    path: str


@dataclass(frozen=True, slots=True)
class ServedAggregation:
    method: str
    path: str
    calls: tuple[AggregationCall, ...]


def served_aggregations(catalog: ResolvedCatalog) -> list[ServedAggregation]:
    """The gateway's aggregations, sorted by path then method; raises GenerationError for one
    that cannot be served (archgen validate reports it first: AG108, AG112)."""
    gw = catalog.gateway
    out = []
    for route, agg in sorted((gw.aggregations if gw else {}).items()):
        method, path = split_route(route)
        supplied = set(path_params(path))
        calls = [tuple(c.split(" ", 1)) for c in agg.calls]
        for service, target in calls:
            svc = catalog.services.get(service)
            if svc is None or all(ep.route != target for ep in svc.endpoints):
                raise GenerationError(f"aggregation {route} calls {service} {target}, which "
                                      "is no endpoint of the catalog",
                                      "fix the call (archgen validate reports it: AG108)")
            missing = set(path_params(target)) - supplied
            if missing:
                raise GenerationError(
                    f"aggregation {route} calls {service} {target}, but its route supplies "
                    f"no {', '.join(sorted(missing))}",
                    "name the route's parameters as the calls use them (AG112)")
        keys = response_keys([service for service, _ in calls])
        out.append(ServedAggregation(method, path, tuple(
            AggregationCall(key, service, *split_route(target))
            for key, (service, target) in zip(keys, calls, strict=True))))
    return sorted(out, key=lambda a: (a.path, a.method))


class AggregatorGenerator:
    name = NAME
    description = "aggregator/: the FastAPI service that serves the gateway's aggregations"

    def plan(self, ctx: GenerationContext) -> list[OutputFile]:
        return [f for unit in self.units(ctx) for f in unit.render()]

    def units(self, ctx: GenerationContext) -> list[Unit]:
        """One unit, fingerprinted on the templates' values (inputs.built)."""
        dep = ctx.deployment.aggregator
        if dep is None:
            return []
        values = _values(ctx, dep, served_aggregations(ctx.catalog))
        return [Unit(f"{OUT}:", built(values, dep.package),
                     functools.partial(self._render, values, dep.package))]

    def _render(self, values: dict[str, object], package: str) -> list[OutputFile]:
        src = f"{OUT}/src/{package}/"
        # The Dockerfile is a generated service's: same image layout, port and probes.
        files = [OutputFile(f"{OUT}/pyproject.toml",
                            render("aggregator/pyproject.toml.jinja", **values), NAME),
                 OutputFile(f"{OUT}/Dockerfile", render("services/Dockerfile.jinja", **values),
                            NAME)]
        files += [OutputFile(f"{src}{module}.py",
                             render(f"aggregator/{module}.py.jinja", **values), NAME)
                  for module in _MODULES]
        return files


def _values(ctx: GenerationContext, dep: ServiceDeployment,
            aggregations: list[ServedAggregation]) -> dict[str, object]:
    env = {v.name: v.value or "" for v in dep.env}
    return {
        "service": dep.name, "package": dep.package, "port": dep.port,
        "version": ctx.catalog.system.version or "0.0.0",
        "description": f"Serves the gateway aggregations of {ctx.catalog.system.name}",
        "dependencies": list(_DEPENDENCIES), "health_live": dep.health_live,
        "health_ready": dep.health_ready, "metrics_path": dep.metrics_path,
        "timeout_ms": int(env[AGGREGATION_TIMEOUT_ENV]),
        "upstreams": dep.upstreams, "aggregations": aggregations, "lit": lit,
    }

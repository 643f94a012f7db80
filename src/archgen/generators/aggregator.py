"""`aggregator/`: the service beside the gateway that serves the catalog's aggregations.

A gateway routes; it cannot call two services and combine their answers. So each
aggregation route goes (Envoy and Kong alike) to this small FastAPI service, which
calls the aggregation's upstream routes with the caller's Authorization header:
concurrently, except that a call which needs a field of an earlier answer waits for
it. Each call has the budget of a `depends_on` edge that declares nothing
(`communication.sync`: timeout per attempt, GET retries with backoff), all within
the gateway's route timeout; the answer is the combined document
`openapi/gateway.yaml` describes, or application/problem+json when a call fails
(404 and 422 pass through; anything else is 502).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from archgen.generators.common import GenerationError
from archgen.generators.inputs import built
from archgen.model.aggregation_calls import Reference, keyed_calls
from archgen.model.deployment import AGGREGATION_TIMEOUT_ENV, ServiceDeployment, Upstream
from archgen.model.names import path_params, split_route
from archgen.model.resolved import ResolvedCatalog
from archgen.output import GenerationContext, OutputFile, Unit
from archgen.templating import render_inputs

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
    path: str  # as written: {param} from the route, {<key>.<field>} from an earlier answer
    wave: int  # calls of one wave run concurrently, after every call of the waves before
    references: tuple[Reference, ...]


@dataclass(frozen=True, slots=True)
class ServedAggregation:
    method: str
    path: str
    calls: tuple[AggregationCall, ...]


def served_aggregations(catalog: ResolvedCatalog) -> list[ServedAggregation]:
    """The gateway's aggregations, sorted by path then method; raises GenerationError for one
    that cannot be served (archgen validate reports it first: AG108, AG112, AG113)."""
    gw = catalog.gateway
    out = []
    for route, agg in sorted((gw.aggregations if gw else {}).items()):
        method, path = split_route(route)
        supplied = set(path_params(path))
        waves: dict[str, int] = {}
        calls = []
        for key, call in keyed_calls(agg.calls):
            svc = catalog.services.get(call.service)
            if svc is None or call.endpoint_in(svc.endpoints) is None:
                raise GenerationError(f"aggregation {route} calls {call.text}, which "
                                      "is no endpoint of the catalog",
                                      "fix the call (archgen validate reports it: AG108)")
            missing = set(call.route_params) - supplied
            if missing:
                raise GenerationError(
                    f"aggregation {route} calls {call.text}, but its route supplies "
                    f"no {', '.join(sorted(missing))}",
                    "name the route's parameters as the calls use them (AG112)")
            unknown = [r.key for r in call.references if r.key not in waves]
            if unknown:
                raise GenerationError(
                    f"aggregation {route} calls {call.text}, which refers to "
                    f"{', '.join(unknown)}: no earlier call of it",
                    "refer to an earlier call by its service's name (AG113)")
            waves[key] = 1 + max((waves[r.key] for r in call.references), default=-1)
            calls.append(AggregationCall(key, call.service, call.method, call.path, waves[key],
                                         call.references))
        out.append(ServedAggregation(method, path, tuple(calls)))
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

    def _render(self, values: AggregatorTemplate, package: str) -> list[OutputFile]:
        src = f"{OUT}/src/{package}/"
        # The Dockerfile is a generated service's: same image layout, port and probes.
        files = [OutputFile(f"{OUT}/pyproject.toml",
                            render_inputs("aggregator/pyproject.toml.jinja", values), NAME),
                 OutputFile(f"{OUT}/Dockerfile",
                            render_inputs("services/Dockerfile.jinja", values), NAME)]
        files += [OutputFile(f"{src}{module}.py",
                             render_inputs(f"aggregator/{module}.py.jinja", values), NAME)
                  for module in _MODULES]
        return files


@dataclass(frozen=True)
class AggregatorTemplate:
    """Every name the aggregator's templates place."""

    service: str
    package: str
    port: int
    version: str
    description: str
    dependencies: tuple[str, ...]
    health_live: str
    health_ready: str
    metrics_path: str
    timeout_ms: int  # the gateway's budget for a whole aggregation
    upstreams: tuple[Upstream, ...]
    aggregations: tuple[ServedAggregation, ...]


def _values(ctx: GenerationContext, dep: ServiceDeployment,
            aggregations: list[ServedAggregation]) -> AggregatorTemplate:
    env = {v.name: v.value or "" for v in dep.env}
    return AggregatorTemplate(
        service=dep.name, package=dep.package, port=dep.port,
        version=ctx.catalog.system.version or "0.0.0",
        description=f"Serves the gateway aggregations of {ctx.catalog.system.name}",
        dependencies=_DEPENDENCIES, health_live=dep.health_live,
        health_ready=dep.health_ready, metrics_path=dep.metrics_path,
        timeout_ms=int(env[AGGREGATION_TIMEOUT_ENV]),
        upstreams=tuple(dep.upstreams), aggregations=tuple(aggregations))

"""What every gateway technology routes: the public endpoints, their versions, their limits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from archgen.generators.openapi_ops import api_version
from archgen.model.bodylimit import request_body_limit
from archgen.model.catalog import PERIOD_SECONDS, Gateway, Period
from archgen.model.deployment import Deployment
from archgen.model.names import split_route
from archgen.model.resolved import ResolvedCatalog

# The JWT claim that names the client, and the header the gateway copies it to: rate limits
# count per client within its tier (beside TIER_CLAIM and TIER_HEADER).
SUBJECT_CLAIM = "sub"
SUBJECT_HEADER = "x-archgen-subject"
_PARAM = re.compile(r"\{[^{}/]*\}")
# Methods a gateway may retry: repeating them cannot create a second resource.
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
AGGREGATION_MARGIN_MS = 1000


@dataclass(frozen=True, slots=True)
class Route:
    name: str  # unique, stable: `order-service-get-api-v1-orders-id`
    service: str
    method: str
    path: str  # the catalog's path, `{param}` templates kept
    version: str | None
    timeout_ms: int
    retries: int  # 0 for non-idempotent methods
    body_limit: int  # bytes: the request model's largest valid body (model/bodylimit.py)


@dataclass(frozen=True, slots=True)
class Tier:
    name: str
    requests: int
    period: Period

    @property
    def period_s(self) -> int:
        return PERIOD_SECONDS[self.period]


def public_routes(catalog: ResolvedCatalog, deployment: Deployment) -> list[Route]:
    """Every public endpoint, sorted by path then method (stable across runs)."""
    gw = deployment.gateway
    timeout = gw.route_timeout_ms if gw else 0
    retries = gw.route_retries if gw else 0
    routes = [Route(_route_name(s.name, e.method, e.path), s.name, e.method, e.path,
                    api_version(e.path), timeout, retries if e.method in IDEMPOTENT else 0,
                    request_body_limit(e.request, s.models))
              for s, e in catalog.public_endpoints()]
    return sorted(routes, key=lambda r: (r.path, r.method))


def aggregation_routes(catalog: ResolvedCatalog, deployment: Deployment) -> list[Route]:
    """Every gateway aggregation, routed to the aggregation service (sorted like public_routes).

    The aggregation service spends the route's budget on its calls and retries them itself,
    so the gateway waits a margin longer (to hear its problem+json) and never retries."""
    gw, agg = deployment.gateway, deployment.aggregator
    if gw is None or agg is None or catalog.gateway is None:
        return []
    routes = []
    for route in catalog.gateway.aggregations:
        method, path = split_route(route)
        routes.append(Route(_route_name(agg.name, method, path), agg.name, method, path,
                            api_version(path), gw.route_timeout_ms + AGGREGATION_MARGIN_MS, 0,
                            request_body_limit(None, {})))  # its calls carry no body
    return sorted(routes, key=lambda r: (r.path, r.method))


def tiers(gateway: Gateway) -> list[Tier]:
    """Rate-limit tiers, lowest limit first (the first one also limits tokens without a tier)."""
    found = [Tier(name, rl.requests, rl.period)
             for name, rl in gateway.rate_limits.items()]
    return sorted(found, key=lambda t: (t.requests / t.period_s, t.name))


def _route_name(service: str, method: str, path: str) -> str:
    words = [w.strip("{}") for w in path.strip("/").split("/") if w]
    return "-".join([service, method.lower(), *words])



def template(path: str) -> str:
    """`path` with its parameters renamed `{p1}`, `{p2}`, ... in order. Gateways limit variable
    names (Envoy's path templates take 16 characters, PCRE's group names 32), so no gateway
    config carries the catalog's names; the services read the values by position anyway."""
    counter = iter(range(1, path.count("{") + 1))
    return _PARAM.sub(lambda _: f"{{p{next(counter)}}}", path)

"""`deploy/gateway/kong.yaml`: Kong 3.x DB-less declarative config (`_format_version: "3.0"`).

One Kong service per catalog service with a route per public endpoint (regex
paths with named captures, methods, `strip_path: false`, the route's body
limit), the jwt and cors plugins globally, and one consumer group per
rate-limit tier carrying its rate-limiting plugin. The gateway's aggregations
are routes of one more Kong service, the aggregation service (see
generators/aggregator.py), since Kong cannot compose responses.

Each client is a Kong consumer: the jwt plugin finds it by the token's subject
(`key_claim_name: sub`), its consumer group is its tier, and the group's
rate-limiting counts per consumer, so each client has its own bucket within
its tier (as Envoy's config does). What the catalog cannot give stays out, on
purpose: consumers, their group and their `jwt_secrets` (key: the subject;
Kong's jwt plugin checks a consumer's RSA key, not a JWKS URL) are
per-environment and added by the platform team; compression is nginx's
(`KONG_NGINX_PROXY_GZIP`), not a plugin.
"""

from __future__ import annotations

import re
from typing import Any

from archgen.generators.common import Ordered
from archgen.generators.gateway.cors import safe_cors
from archgen.generators.gateway.routes import (
    Route,
    aggregation_routes,
    public_routes,
    template,
    tiers,
)
from archgen.model.catalog import Gateway
from archgen.output import GenerationContext

OUTPUT = "deploy/gateway/kong.yaml"
FORMAT_VERSION = "3.0"
_PARAM = re.compile(r"\{([^{}/]+)\}")


def kong_config(ctx: GenerationContext) -> Ordered:
    gateway = ctx.catalog.gateway or Gateway()
    routes = public_routes(ctx.catalog, ctx.deployment)
    services = []
    for name in sorted({r.service for r in routes}):
        svc = ctx.deployment.services[name]
        mine = [r for r in routes if r.service == name]
        timeout = max(r.timeout_ms for r in mine)
        services.append({"name": name, "url": svc.url, "connect_timeout": 1000,
                         "read_timeout": timeout, "write_timeout": timeout,
                         "retries": max(r.retries for r in mine),
                         "routes": [_route(r) for r in mine]})
    services.extend(_aggregator_service(ctx))
    config = Ordered(_format_version=FORMAT_VERSION, services=services)
    plugins = _plugins(gateway, ctx)
    if plugins:
        config["plugins"] = plugins
    groups = [{"name": t.name, "plugins": [{"name": "rate-limiting", "config": {
        t.period: t.requests, "policy": "local",
        "limit_by": "consumer"}}]} for t in tiers(gateway)]
    if groups:
        config["consumer_groups"] = groups
    return config


def _aggregator_service(ctx: GenerationContext) -> list[dict[str, Any]]:
    """The aggregation service with a route per gateway aggregation (it retries by itself)."""
    aggregator = ctx.deployment.aggregator
    routes = aggregation_routes(ctx.catalog, ctx.deployment)
    if aggregator is None or not routes:
        return []
    timeout = max(r.timeout_ms for r in routes)
    return [{"name": aggregator.name, "url": aggregator.url, "connect_timeout": 1000,
             "read_timeout": timeout, "write_timeout": timeout, "retries": 0,
             "routes": [_route(r) for r in routes]}]


def _route(route: Route) -> dict[str, Any]:
    # The body limit derived from the request model (model/bodylimit.py); past it Kong
    # answers 413 with its own JSON body (its plugins cannot shape a problem+json).
    size = {"name": "request-size-limiting", "config": {
        "allowed_payload_size": route.body_limit, "size_unit": "bytes",
        "require_content_length": False}}
    route_doc: dict[str, Any] = {"name": route.name, "methods": [route.method],
                                 "paths": [_regex(template(route.path))], "strip_path": False,
                                 "preserve_host": False, "plugins": [size]}
    if route.version:
        route_doc["tags"] = [route.version]
    return route_doc


def _regex(path: str) -> str:
    """`/api/v1/orders/{p1}` -> `~/api/v1/orders/(?<p1>[^/]+)$` (Kong 3's regex prefix); the
    names are the gateway's own (`template`), never the catalog's."""
    out, last = [], 0
    for match in _PARAM.finditer(path):
        out.append(re.escape(path[last:match.start()]))
        out.append(f"(?<{match.group(1)}>[^/]+)")
        last = match.end()
    out.append(re.escape(path[last:]))
    return "~" + "".join(out) + "$"


def _plugins(gateway: Gateway, ctx: GenerationContext) -> list[dict[str, Any]]:
    plugins: list[dict[str, Any]] = []
    if gateway.auth is not None and gateway.auth.type == "jwt":
        plugins.append({"name": "jwt", "config": {
            # `exp` is checked and required (a missing claim fails the check); the token
            # comes from the Authorization header only, never `?jwt=` or a cookie.
            "key_claim_name": "sub", "claims_to_verify": ["exp"],
            "header_names": ["authorization"], "uri_param_names": [], "cookie_names": [],
            "run_on_preflight": False}})
    if gateway.cors is not None:
        cors = safe_cors(gateway.cors, ctx, OUTPUT)
        config: dict[str, Any] = {"origins": list(cors.allow_origins)}
        if cors.allow_methods:
            config["methods"] = list(cors.allow_methods)
        if cors.allow_headers:
            config["headers"] = list(cors.allow_headers)
        if cors.max_age_s is not None:
            config["max_age"] = cors.max_age_s
        if cors.allow_credentials is not None:
            config["credentials"] = cors.allow_credentials
        plugins.append({"name": "cors", "config": config})
    return plugins

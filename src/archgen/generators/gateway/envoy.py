"""`deploy/gateway/envoy.yaml`: an Envoy bootstrap for the catalog's gateway.

Filter chain, in request order: CORS (answers preflights before anything asks
for a token), jwt_authn (issuer, audiences, JWKS from the catalog; `exp`
required, the Authorization header only; copies the tier and subject claims
into headers), local_ratelimit (a token bucket per client within its tier,
chosen by those headers), compressor, buffer (the route's body limit, 413 as
problem+json past it), router (per-route timeouts and retries). With a
collector to send them to, every request gets a span of the gateway's (Envoy's
OpenTelemetry tracer, OTLP/HTTP), named by the route's method and path, and the
upstream gets its W3C `traceparent`, so a trace starts here.

`envoy_bootstrap` is pure so `archgen up` and the tests can point the same
config at local upstreams with an inline JWKS (src/archgen/runtime/gateway.py).
Aggregation routes need code that calls two upstreams; Envoy's router cannot
compose responses, so each goes to the aggregation service's cluster (the
`aggregator` generator writes that service).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archgen.generators.common import Ordered
from archgen.generators.gateway.cors import safe_cors
from archgen.generators.gateway.routes import (
    SUBJECT_CLAIM,
    SUBJECT_HEADER,
    Route,
    Tier,
    aggregation_routes,
    public_routes,
    template,
    tiers,
)
from archgen.model.bodylimit import DEFAULT_BODY_LIMIT, MIN_BODY_LIMIT
from archgen.model.catalog import Cors, Gateway
from archgen.model.deployment import OTLP_HTTP_PORT, TIER_CLAIM, TIER_HEADER
from archgen.output import GenerationContext

OUTPUT = "deploy/gateway/envoy.yaml"
T = "type.googleapis.com/envoy.extensions."
JWT_PROVIDER = "catalog"
JWKS_CLUSTER = "jwks"
RETRY_ON = "connect-failure,refused-stream,reset,5xx"
# The client every token without a subject counts as, within its tier.
ANONYMOUS = "-"
# Client buckets Envoy keeps at once (least recently used ones go first).
MAX_CLIENTS = 10000
OTLP_CLUSTER = "otlp"
TRACES_PATH = "/v1/traces"
SPAN_SERVICE = "gateway"  # the gateway's spans' `service.name`


def envoy_bootstrap(ctx: GenerationContext, upstreams: Mapping[str, tuple[str, int]] | None = None,
                    jwks: str | None = None, listen_port: int | None = None,
                    admin_port: int | None = None, traces: str | None = None) -> Ordered:
    """The bootstrap. `upstreams` maps a service to (host, port) (default: in-cluster
    addresses); `jwks` is an inline JWKS document replacing the catalog's `jwks_uri`;
    `traces` is the OTLP/HTTP URL the gateway's spans go to (None: no spans;
    `catalog_collector` is the catalog's own)."""
    gateway = ctx.catalog.gateway or Gateway()
    gw = ctx.deployment.gateway
    routes = public_routes(ctx.catalog, ctx.deployment)
    addresses = {name: (svc.name, svc.port) for name, svc in ctx.deployment.services.items()}
    routes = _with_aggregations(ctx, routes, addresses)
    addresses.update(upstreams or {})
    used = sorted({r.service for r in routes})
    clusters = [_cluster(name, *addresses[name]) for name in used]
    jwks_uri = _jwks_uri(gateway) if jwks is None else None
    if jwks_uri:
        clusters.append(_jwks_cluster(jwks_uri))
    if traces:
        clusters.append(_otlp_cluster(traces))
    port = listen_port if listen_port is not None else (gw.port if gw else 8000)
    admin = admin_port if admin_port is not None else (gw.admin_port if gw else 9901)
    listener = {"name": "gateway", "address": _address("0.0.0.0", port),
                "filter_chains": [{"filters": [_hcm(ctx, gateway, routes, jwks, traces)]}]}
    return Ordered(
        admin={"address": _address("127.0.0.1", admin)},
        static_resources={"listeners": [listener], "clusters": clusters},
    )


def catalog_collector(ctx: GenerationContext) -> str | None:
    """Where the deployed gateway sends its spans: the OTLP/HTTP endpoint of the tracing
    part compose runs, when the catalog declares `infrastructure.tracing` (None otherwise,
    or for a technology archgen runs no part for)."""
    infra = ctx.catalog.infrastructure
    part = ctx.deployment.observability.get("tracing")
    if infra is None or infra.tracing is None or part is None:
        return None
    return f"http://{part.host}:{OTLP_HTTP_PORT}{TRACES_PATH}"


def _tracing(traces: str) -> dict[str, Any]:
    """The connection manager's tracer: Envoy's OpenTelemetry one, exporting over OTLP/HTTP
    (protobuf), which also writes the W3C `traceparent` the upstream continues."""
    return {"provider": {"name": "envoy.tracers.opentelemetry", "typed_config": {
        "@type": "type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig",
        "service_name": SPAN_SERVICE,
        "http_service": {"http_uri": {"uri": traces, "cluster": OTLP_CLUSTER,
                                      "timeout": "2s"}}}}}


def _otlp_cluster(traces: str) -> dict[str, Any]:
    from urllib.parse import urlsplit

    parts = urlsplit(traces)
    return _cluster(OTLP_CLUSTER, parts.hostname or "localhost", parts.port or 80)


def _with_aggregations(ctx: GenerationContext, routes: list[Route],
                       addresses: dict[str, tuple[str, int]]) -> list[Route]:
    """`routes` plus a route per gateway aggregation to the aggregation service, whose
    in-cluster address joins `addresses` (its cluster is made like a service's)."""
    aggregator = ctx.deployment.aggregator
    if aggregator is None:
        return routes
    addresses[aggregator.name] = (aggregator.name, aggregator.port)
    both = [*routes, *aggregation_routes(ctx.catalog, ctx.deployment)]
    return sorted(both, key=lambda r: (r.path, r.method))


def _address(host: str, port: int) -> dict[str, Any]:
    return {"socket_address": {"address": host, "port_value": port}}


def _jwt(gateway: Gateway) -> bool:
    return gateway.auth is not None and gateway.auth.type == "jwt"


def _hcm(ctx: GenerationContext, gateway: Gateway, routes: list[Route],
         jwks: str | None, traces: str | None) -> dict[str, Any]:
    filters: list[dict[str, Any]] = [_filter("cors", "filters.http.cors.v3.Cors", {})]
    if _jwt(gateway):
        filters.append(_filter("jwt_authn", "filters.http.jwt_authn.v3.JwtAuthentication",
                               _jwt_config(gateway, jwks)))
    tier_list = tiers(gateway)
    if tier_list:
        filters.append(_filter("local_ratelimit",
                               "filters.http.local_ratelimit.v3.LocalRateLimit",
                               _ratelimit_config(gateway, tier_list)))
    if gateway.compression:
        filters.append(_filter("compressor", "filters.http.compressor.v3.Compressor", {
            "compressor_library": {"name": "gzip", "typed_config": {
                "@type": T + "compression.gzip.compressor.v3.Gzip"}}}))
    # The whole body is read before the upstream sees it, up to the route's own limit (set
    # per route; this default covers what no route matches): past it, 413.
    filters.append(_filter("buffer", "filters.http.buffer.v3.Buffer",
                           {"max_request_bytes": DEFAULT_BODY_LIMIT}))
    filters.append(_filter("router", "filters.http.router.v3.Router", {}))
    vhost: dict[str, Any] = {"name": "public", "domains": ["*"],
                             "routes": [_route(r, bool(traces))
                                        for r in [*routes, *_preflights(routes)]]}
    if gateway.cors is not None:
        vhost["typed_per_filter_config"] = {"envoy.filters.http.cors": _cors(gateway.cors, ctx)}
    config: dict[str, Any] = {"stat_prefix": "gateway", "codec_type": "AUTO",
                              "local_reply_config": _problem_replies(),
                              "route_config": {"name": "public", "virtual_hosts": [vhost]},
                              "http_filters": filters}
    if traces:
        config["tracing"] = _tracing(traces)
    return _filter("http_connection_manager",
                   "filters.network.http_connection_manager.v3.HttpConnectionManager", config)


def _problem_replies() -> dict[str, Any]:
    """A body too large is answered as problem+json (RFC 9457), as the services answer."""
    return {"mappers": [{
        "filter": {"status_code_filter": {"comparison": {
            "op": "EQ", "value": {"default_value": 413, "runtime_key": "gateway_413"}}}},
        "body_format_override": {
            "json_format": {"type": "about:blank", "title": "Payload Too Large",
                            "status": 413, "detail": "The request body is larger than this "
                            "route accepts."},
            "content_type": "application/problem+json"}}]}


def _filter(name: str, type_name: str, config: dict[str, Any]) -> dict[str, Any]:
    """`name` is the part after `envoy.filters.http.` (or `network.` for the HCM)."""
    kind = "network" if name == "http_connection_manager" else "http"
    return {"name": f"envoy.filters.{kind}.{name}",
            "typed_config": {"@type": T + type_name, **config}}


JWT_CACHE_SIZE = 1000  # verified tokens kept per Envoy worker


def _jwt_config(gateway: Gateway, jwks: str | None) -> dict[str, Any]:
    auth = gateway.auth
    assert auth is not None
    # The Authorization header only (Envoy would also read `?access_token=`, which ends up
    # in logs and caches), and a token without `exp` is refused: it would be good forever.
    provider: dict[str, Any] = {
        "forward": True, "require_expiration": True,
        "from_headers": [{"name": "Authorization", "value_prefix": "Bearer "}],
        # Verified tokens are kept (until they expire): a client sends the same token on
        # every request, and checking its signature was most of the gateway's CPU.
        "jwt_cache_config": {"jwt_cache_size": JWT_CACHE_SIZE},
        "claim_to_headers": [{"header_name": TIER_HEADER, "claim_name": TIER_CLAIM},
                             {"header_name": SUBJECT_HEADER, "claim_name": SUBJECT_CLAIM}]}
    if auth.issuer:
        provider["issuer"] = auth.issuer
    if auth.audiences:
        provider["audiences"] = list(auth.audiences)
    jwks_uri = _jwks_uri(gateway)
    if jwks is not None:
        provider["local_jwks"] = {"inline_string": jwks}
    elif jwks_uri:
        provider["remote_jwks"] = {
            "http_uri": {"uri": jwks_uri, "cluster": JWKS_CLUSTER, "timeout": "5s"},
            "cache_duration": "600s"}
    else:  # nothing to verify signatures with: reject every token (fail closed)
        provider["local_jwks"] = {"inline_string": '{"keys": []}'}
    # Every path needs a token, routed or not, so every request the gateway answers is
    # counted against its client's tier (CORS preflights are answered before this filter).
    rules = [{"match": {"prefix": "/"}, "requires": {"provider_name": JWT_PROVIDER}}]
    return {"providers": {JWT_PROVIDER: provider}, "rules": rules}


def _jwks_uri(gateway: Gateway) -> str | None:
    """The catalog's `jwks_uri`, else the issuer's conventional `/.well-known/jwks.json`."""
    auth = gateway.auth
    if not _jwt(gateway) or auth is None:
        return None
    if auth.jwks_uri:
        return auth.jwks_uri
    if auth.issuer and auth.issuer.startswith(("https://", "http://")):
        return auth.issuer.rstrip("/") + "/.well-known/jwks.json"
    return None


def _ratelimit_config(gateway: Gateway, tier_list: list[Tier]) -> dict[str, Any]:
    """A bucket per client within its tier: the descriptor is (tier, client), both from the
    verified token (`TIER_HEADER`, `SUBJECT_HEADER`), and the client entry is a wildcard, so
    each subject gets a bucket of its own sized by its tier. A token without a tier claim
    counts against the lowest tier; tokens without a subject share one bucket per tier.
    Envoy also takes every request from the filter's own bucket, so that one is the gateway's
    whole capacity (`nfr.throughput_rps`, else the top tier)."""
    lowest, top = tier_list[0], tier_list[-1]
    rps = gateway.nfr.throughput_rps if gateway.nfr else None
    capacity = Tier("gateway", int(rps), "second") if rps else top
    tier = (_from_header(TIER_HEADER, "tier"), _if_absent(TIER_HEADER, "tier", lowest.name))
    client = (_from_header(SUBJECT_HEADER, "client"),
              _if_absent(SUBJECT_HEADER, "client", ANONYMOUS))
    return {"stat_prefix": "gateway_rate_limit",
            "token_bucket": _bucket(capacity),
            "filter_enabled": _percent("local_rate_limit_enabled"),
            "filter_enforced": _percent("local_rate_limit_enforced"),
            "descriptors": [{"entries": [{"key": "tier", "value": t.name}, {"key": "client"}],
                             "token_bucket": _bucket(t)} for t in tier_list],
            "max_dynamic_descriptors": MAX_CLIENTS,
            "rate_limits": [{"actions": [t, c]} for t in tier for c in client]}


def _from_header(header: str, key: str) -> dict[str, Any]:
    return {"request_headers": {"header_name": header, "descriptor_key": key}}


def _if_absent(header: str, key: str, value: str) -> dict[str, Any]:
    return {"header_value_match": {"descriptor_key": key, "descriptor_value": value,
                                   "expect_match": False,
                                   "headers": [{"name": header, "present_match": True}]}}


def _bucket(tier: Tier) -> dict[str, Any]:
    return {"max_tokens": tier.requests, "tokens_per_fill": tier.requests,
            "fill_interval": f"{tier.period_s}s"}


def _percent(runtime_key: str) -> dict[str, Any]:
    return {"runtime_key": runtime_key,
            "default_value": {"numerator": 100, "denominator": "HUNDRED"}}


def _cors(catalog_cors: Cors, ctx: GenerationContext) -> dict[str, Any]:
    cors = safe_cors(catalog_cors, ctx, OUTPUT)
    policy: dict[str, Any] = {
        "@type": T + "filters.http.cors.v3.CorsPolicy",
        "allow_origin_string_match": [{"exact": o} for o in cors.allow_origins]}
    if cors.allow_methods:
        policy["allow_methods"] = ",".join(cors.allow_methods)
    if cors.allow_headers:
        policy["allow_headers"] = ",".join(cors.allow_headers)
    if cors.max_age_s is not None:
        policy["max_age"] = str(cors.max_age_s)
    if cors.allow_credentials is not None:
        policy["allow_credentials"] = cors.allow_credentials
    return policy


def _match(route: Route) -> dict[str, Any]:
    return {"path_match_policy": {
                "name": "envoy.path.match.uri_template.uri_template_matcher",
                "typed_config": {"@type": T + "path.match.uri_template.v3.UriTemplateMatchConfig",
                                 "path_template": template(route.path)}},
            "headers": [{"name": ":method", "string_match": {"exact": route.method}}]}


def _route(route: Route, traced: bool = False) -> dict[str, Any]:
    """The route; `traced`: its span is named by method and path, as the service names its
    own (Envoy would call every span "ingress")."""
    action: dict[str, Any] = {"cluster": route.service, "timeout": _seconds(route.timeout_ms)}
    if route.retries:
        action["retry_policy"] = {"retry_on": RETRY_ON, "num_retries": route.retries}
    config = {"name": route.name, "match": _match(route), "route": action,
              "typed_per_filter_config": {"envoy.filters.http.buffer": {
                  "@type": T + "filters.http.buffer.v3.BufferPerRoute",
                  "buffer": {"max_request_bytes": route.body_limit}}}}
    if traced:
        config["decorator"] = {"operation": f"{route.method} {route.path}"}
    return config


def _preflights(routes: list[Route]) -> list[Route]:
    """An OPTIONS route per path, so a CORS preflight finds a route (and with it the policy)
    and the CORS filter answers it; without one, the router would answer 404."""
    first: dict[str, Route] = {}
    for route in routes:
        first.setdefault(route.path, route)
    return [Route(f"{r.name}-preflight".replace(f"-{r.method.lower()}-", "-options-", 1),
                  r.service, "OPTIONS", r.path, r.version, r.timeout_ms, 0, MIN_BODY_LIMIT)
            for r in first.values()]


def _seconds(ms: int) -> str:
    return f"{ms / 1000:g}s"


def _cluster(name: str, host: str, port: int) -> dict[str, Any]:
    return {"name": name, "type": "STRICT_DNS", "connect_timeout": "1s",
            "load_assignment": {"cluster_name": name, "endpoints": [
                {"lb_endpoints": [{"endpoint": {"address": _address(host, port)}}]}]}}


def _jwks_cluster(uri: str) -> dict[str, Any]:
    from urllib.parse import urlsplit

    parts = urlsplit(uri)
    host = parts.hostname or "localhost"
    tls = parts.scheme == "https"
    cluster = _cluster(JWKS_CLUSTER, host, parts.port or (443 if tls else 80))
    if tls:
        cluster["transport_socket"] = {"name": "envoy.transport_sockets.tls", "typed_config": {
            "@type": T + "transport_sockets.tls.v3.UpstreamTlsContext", "sni": host}}
    return cluster

"""Istio resources: mTLS, per-callee traffic policy, per-edge timeouts/retries, who may call.

- PeerAuthentication for the namespace (mTLS mode from `mesh.mtls`).
- DestinationRule per callee: connection pool and outlier detection (the breaker).
- VirtualService per callee: one route per caller (matched by the caller's
  labels) with that `depends_on` edge's whole budget as its timeout, then a default.
  No route retries: the generated client owns every retry of the edge (see
  `EdgeBudget`), and Istio's own default of two retries is switched off, so the
  attempts on the wire are the catalog's, never the product of two layers.
- AuthorizationPolicy per service: only its declared callers, the gateway when
  it has public endpoints, and the monitoring namespace on the metrics path; the
  aggregation service (when the gateway has aggregations) calls the services it composes.
"""

from __future__ import annotations

from typing import Any

from archgen.generators.common import Ordered
from archgen.generators.mesh.edges import callee_breaker
from archgen.model.deployment import Deployment, EdgeBudget
from archgen.model.resolved import ResolvedCatalog

NAME_LABEL = "app.kubernetes.io/name"
NO_RETRIES: dict[str, Any] = {"attempts": 0}  # Istio retries twice unless told not to
MAX_CONNECTIONS = 100  # per caller pod and callee; outlier detection does the protecting
MONITORING_NAMESPACE = "monitoring"
GATEWAY_ACCOUNT = "gateway"


def istio_resources(catalog: ResolvedCatalog, d: Deployment) -> list[Ordered]:
    ns = d.system
    mode = "PERMISSIVE" if catalog.mesh and catalog.mesh.mtls == "permissive" else "STRICT"
    docs = [_doc("security.istio.io/v1beta1", "PeerAuthentication", "default", ns,
                 {"mtls": {"mode": mode}})]
    all_edges = d.edges()
    for callee in sorted({e.callee for e in all_edges}):
        mine = [e for e in all_edges if e.callee == callee]
        docs.append(_destination_rule(catalog, callee, ns))
        docs.append(_virtual_service(callee, mine, ns))
    public = {s.name for s, _ in catalog.public_endpoints()}
    aggregator = d.aggregator
    aggregated = {u.service for u in aggregator.upstreams} if aggregator else set()
    for name in sorted(d.services):
        callers = {e.caller for e in all_edges if e.callee == name}
        if aggregator is not None and name in aggregated:
            callers.add(aggregator.name)
        docs.append(_authorization(name, sorted(callers), name in public, ns,
                                   d.services[name].metrics_path))
    if aggregator is not None:  # the gateway's aggregations: only the gateway calls it
        docs.append(_authorization(aggregator.name, [], True, ns, aggregator.metrics_path))
    return docs


def _doc(api: str, kind: str, name: str, ns: str, spec: dict[str, Any]) -> Ordered:
    return Ordered(apiVersion=api, kind=kind, metadata={"name": name, "namespace": ns},
                   spec=spec)


def _destination_rule(catalog: ResolvedCatalog, callee: str, ns: str) -> Ordered:
    failures, reset_s = callee_breaker(catalog, callee)
    return _doc("networking.istio.io/v1beta1", "DestinationRule", callee, ns, {
        "host": callee,
        "trafficPolicy": {
            "connectionPool": {"tcp": {"maxConnections": MAX_CONNECTIONS},
                               "http": {"http1MaxPendingRequests": MAX_CONNECTIONS,
                                        "maxRequestsPerConnection": 0}},
            "outlierDetection": {"consecutive5xxErrors": failures, "interval": "10s",
                                 "baseEjectionTime": f"{reset_s:g}s",
                                 "maxEjectionPercent": 50}}})


def _virtual_service(callee: str, mine: list[EdgeBudget], ns: str) -> Ordered:
    routes: list[dict[str, Any]] = []
    for edge in mine:
        routes.append({"name": f"from-{edge.caller}",
                       "match": [{"sourceLabels": {NAME_LABEL: edge.caller}}],
                       "route": [{"destination": {"host": callee}}],
                       "timeout": _duration(edge.total_ms), "retries": dict(NO_RETRIES)})
    routes.append({"name": "default", "route": [{"destination": {"host": callee}}],
                   "retries": dict(NO_RETRIES)})
    return _doc("networking.istio.io/v1beta1", "VirtualService", callee, ns,
                {"hosts": [callee], "http": routes})


def _duration(ms: int) -> str:
    return f"{ms / 1000:g}s"


def _authorization(name: str, callers: list[str], public: bool, ns: str,
                   metrics_path: str) -> Ordered:
    principals = [f"cluster.local/ns/{ns}/sa/{c}" for c in callers]
    if public:
        principals.append(f"cluster.local/ns/{ns}/sa/{GATEWAY_ACCOUNT}")
    rules: list[dict[str, Any]] = []
    if principals:
        rules.append({"from": [{"source": {"principals": principals}}]})
    rules.append({"from": [{"source": {"namespaces": [MONITORING_NAMESPACE]}}],
                  "to": [{"operation": {"methods": ["GET"], "paths": [metrics_path]}}]})
    return _doc("security.istio.io/v1", "AuthorizationPolicy", name, ns, {
        "selector": {"matchLabels": {NAME_LABEL: name}}, "action": "ALLOW", "rules": rules})

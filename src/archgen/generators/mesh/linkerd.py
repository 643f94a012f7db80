"""Linkerd: proxy injection for the namespace and a ServiceProfile per callee.

A ServiceProfile belongs to the callee and applies to every caller, so a
route's timeout is the longest any caller declares (a shorter one would cut
that caller off) and GET routes are retryable within a retry budget. The
budget's ratio comes from the most retries any caller allows.
"""

from __future__ import annotations

import re
from typing import Any

from archgen.generators.common import Ordered
from archgen.generators.mesh.edges import edges
from archgen.model.deployment import Deployment
from archgen.model.resolved import ResolvedCatalog

_PARAM = re.compile(r"\{[^{}/]+\}")
RETRYABLE = frozenset({"GET", "HEAD"})


def linkerd_resources(catalog: ResolvedCatalog, d: Deployment) -> list[Ordered]:
    ns = d.system
    docs = [Ordered(apiVersion="v1", kind="Namespace", metadata={
        "name": ns, "annotations": {"linkerd.io/inject": "enabled"}})]
    all_edges = edges(catalog)
    for callee in sorted({e.callee for e in all_edges}):
        mine = [e for e in all_edges if e.callee == callee]
        timeouts = [e.timeout_ms for e in mine if e.timeout_ms]
        retries = max((e.retries for e in mine), default=0)
        routes = [_route(ep.method, ep.path, max(timeouts) if timeouts else None,
                         retries > 0) for ep in catalog.services[callee].endpoints]
        spec: dict[str, Any] = {"routes": routes}
        if retries:
            spec["retryBudget"] = {"retryRatio": round(min(1.0, 0.1 * retries), 2),
                                   "minRetriesPerSecond": 10, "ttl": "10s"}
        docs.append(Ordered(apiVersion="linkerd.io/v1alpha2", kind="ServiceProfile",
                            metadata={"name": f"{callee}.{ns}.svc.cluster.local",
                                      "namespace": ns}, spec=spec))
    return docs


def _route(method: str, path: str, timeout_ms: int | None, retry: bool) -> dict[str, Any]:
    pieces = _PARAM.split(path)
    regex = "[^/]+".join(re.escape(p) for p in pieces)
    route: dict[str, Any] = {"name": f"{method} {path}",
                             "condition": {"method": method, "pathRegex": regex}}
    if timeout_ms:
        route["timeout"] = f"{timeout_ms}ms"
    if retry and method in RETRYABLE:
        route["isRetryable"] = True
    return route

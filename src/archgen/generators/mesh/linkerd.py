"""Linkerd: proxy injection for the namespace and a ServiceProfile per callee.

A ServiceProfile belongs to the callee and applies to every caller, so a
route's timeout is the longest whole budget any caller has (a shorter one would
cut that caller's last attempt off). No route is retryable: the generated client
owns every retry of an edge (see `EdgeBudget`), so the attempts on the wire are
the catalog's, never the product of two layers.
"""

from __future__ import annotations

import re
from typing import Any

from archgen.generators.common import Ordered
from archgen.model.deployment import Deployment
from archgen.model.resolved import ResolvedCatalog

_PARAM = re.compile(r"\{[^{}/]+\}")


def linkerd_resources(catalog: ResolvedCatalog, d: Deployment) -> list[Ordered]:
    ns = d.system
    docs = [Ordered(apiVersion="v1", kind="Namespace", metadata={
        "name": ns, "annotations": {"linkerd.io/inject": "enabled"}})]
    all_edges = d.edges()
    for callee in sorted({e.callee for e in all_edges}):
        budget_ms = max(e.total_ms for e in all_edges if e.callee == callee)
        routes = [_route(ep.method, ep.path, budget_ms)
                  for ep in catalog.services[callee].endpoints]
        spec: dict[str, Any] = {"routes": routes}
        docs.append(Ordered(apiVersion="linkerd.io/v1alpha2", kind="ServiceProfile",
                            metadata={"name": f"{callee}.{ns}.svc.cluster.local",
                                      "namespace": ns}, spec=spec))
    return docs


def _route(method: str, path: str, timeout_ms: int) -> dict[str, Any]:
    pieces = _PARAM.split(path)
    regex = "[^/]+".join(re.escape(p) for p in pieces)
    route: dict[str, Any] = {"name": f"{method} {path}",
                             "condition": {"method": method, "pathRegex": regex}}
    route["timeout"] = f"{timeout_ms}ms"
    return route

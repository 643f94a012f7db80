"""values.yaml of the system's chart: every catalog fact the templates print.

One chart with a values block per service (not a subchart per service): the
services share every template, so a fix to the Deployment reaches all of them,
and one `helm install` brings up the system with its NetworkPolicies, which
must see every service's callers at once. Catalog text lives only here; the
templates read `.Values` and never evaluate it (a `{{` in a description stays
text).
"""

from __future__ import annotations

import re
from typing import Any

from archgen.model.deployment import Deployment, ServiceDeployment
from archgen.model.resolved import ResolvedCatalog

AGGREGATOR_DESCRIPTION = "Serves the gateway's aggregations: calls the services, combines them"
RUN_AS = 10001  # a high UID outside the node's system range
_K8S_NAME = re.compile(r"[^a-z0-9.-]+")

# checkov findings the chart cannot fix by itself, with the reason (printed as
# `checkov.io/skipN` annotations on each Deployment, the form checkov reads).
CHECKOV_SKIPS = (
    ("CKV_K8S_43", "images are pinned by tag per release; set a digest in values to pin them"),
    ("CKV_K8S_35", "services read their store URL from an environment variable "
                   "(the generated services' settings contract)"),
)


def chart_values(catalog: ResolvedCatalog, d: Deployment) -> dict[str, Any]:
    public = {s.name for s, _ in catalog.public_endpoints()}
    # The aggregation service is one more workload: the gateway reaches it, it calls services.
    workloads = dict(d.services)
    if d.aggregator is not None:
        workloads[d.aggregator.name] = d.aggregator
        public.add(d.aggregator.name)
    callers: dict[str, list[str]] = {name: [] for name in workloads}
    for name, svc in workloads.items():
        for up in svc.upstreams:
            if up.service in callers:
                callers[up.service].append(name)
    tag = catalog.system.version or "latest"
    services = {name: _service(catalog, d, svc, tag, name in public, sorted(callers[name]))
                for name, svc in workloads.items()}
    return {
        "services": services,
        "podSecurity": {"runAsUser": RUN_AS, "runAsGroup": RUN_AS},
        "checkovSkips": [{"id": i, "reason": r} for i, r in CHECKOV_SKIPS],
        "serviceMonitor": {"enabled": True, "interval": "30s"},
        "networkPolicy": {
            "enabled": True,
            "gateway": {"namespaceSelector": {},
                        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}}},
            "monitoring": {"namespaceSelector": {},
                           "podSelector": {"matchLabels": {"app.kubernetes.io/name":
                                                           "prometheus"}}},
            "dns": {"namespaceSelector": {"matchLabels": {
                "kubernetes.io/metadata.name": "kube-system"}}},
        },
        "kafkaTopics": {"enabled": False, "cluster": "kafka", "topics": [
            topic for t in d.topics.values() for topic in _topics(t.name, t.dead_letter_topic,
                                                                   t.partitions,
                                                                   t.replication_factor,
                                                                   t.retention_ms)]},
    }


def _service(catalog: ResolvedCatalog, d: Deployment, svc: ServiceDeployment, tag: str,
             public: bool, callers: list[str]) -> dict[str, Any]:
    requests = {"cpu": svc.cpu_request, "memory": svc.memory_request}
    limits = {"cpu": svc.cpu_limit or svc.cpu_request,
              "memory": svc.memory_limit or svc.memory_request}
    egress = [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": u.service}},
               "port": d.services[u.service].port}
              for u in svc.upstreams if u.service in d.services]
    if svc.store is not None and svc.store.port:
        egress.append({"podSelector": {"matchLabels": {"app.kubernetes.io/name":
                                                       svc.store.name}},
                       "port": svc.store.port})
    if d.broker is not None and (svc.publishes_topics or svc.consumes_topics):
        egress.append({"podSelector": {"matchLabels": {"app.kubernetes.io/name":
                                                       d.broker.host}},
                       "port": d.broker.port})
    return {
        "description": (catalog.services[svc.name].spec.description or ""
                        if svc.name in catalog.services else AGGREGATOR_DESCRIPTION),
        "image": {"repository": svc.image.rsplit(":", 1)[0], "tag": tag,
                  "pullPolicy": "Always"},
        "port": svc.port,
        "health": {"live": svc.health_live, "ready": svc.health_ready},
        "metricsPath": svc.metrics_path,
        "replicas": {"min": svc.replicas_min, "max": svc.replicas_max,
                     "cpuTargetPct": svc.cpu_target_pct},
        "resources": {"requests": requests, "limits": limits},
        "env": {v.name: v.value or "" for v in svc.env if v.secret is None},
        "secretEnv": [{"name": v.name, "secretKeyRef": {"name": v.secret, "key": v.key or "url"}}
                      for v in svc.env if v.secret is not None],
        "public": public,
        "callers": callers,
        "egress": egress,
    }


def _topics(name: str, dlq: str | None, partitions: int, replicas: int,
            retention_ms: int | None) -> list[dict[str, Any]]:
    config = {"retention.ms": str(retention_ms)} if retention_ms is not None else {}
    return [{"name": n, "resourceName": _K8S_NAME.sub("-", n.lower()).strip(".-"),
             "partitions": partitions, "replicas": replicas, "config": config}
            for n in [name, *([dlq] if dlq else [])]]

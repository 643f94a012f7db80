"""Which `diagrams` package node class draws which node: (kind, technology) -> class path.

Class paths are strings, imported only when rendering, so that `archgen` starts
fast and the text formats work without the `diagrams` package.
"""

from __future__ import annotations

import importlib
from typing import Any

from archgen.generators.diagrams.model import NO_TOPIC_ID, Kind, Node

_BY_TECH: dict[str, str] = {
    # gateways and meshes
    "kong": "onprem.network.Kong", "envoy": "onprem.network.Envoy",
    "nginx": "onprem.network.Nginx", "traefik": "onprem.network.Traefik",
    "istio": "onprem.network.Istio", "linkerd": "onprem.network.Linkerd",
    "consul": "onprem.network.Consul",
    # service frameworks and languages
    "fastapi": "programming.framework.Fastapi", "flask": "programming.framework.Flask",
    "django": "programming.framework.Django", "spring": "programming.framework.Spring",
    "spring boot": "programming.framework.Spring", "starlette": "programming.framework.Starlette",
    "python": "programming.language.Python", "java": "programming.language.Java",
    "go": "programming.language.Go", "node": "programming.language.Nodejs",
    "nodejs": "programming.language.Nodejs", "kotlin": "programming.language.Kotlin",
    "rust": "programming.language.Rust", "typescript": "programming.language.Typescript",
    # stores
    "postgresql": "onprem.database.Postgresql", "mongodb": "onprem.database.Mongodb",
    "redis": "onprem.inmemory.Redis", "sqlite": "generic.database.SQL",
    "mysql": "onprem.database.Mysql",
    # messaging
    "kafka": "onprem.queue.Kafka", "rabbitmq": "onprem.queue.Rabbitmq",
    # infrastructure
    "prometheus": "onprem.monitoring.Prometheus", "grafana": "onprem.monitoring.Grafana",
    "jaeger": "onprem.tracing.Jaeger", "tempo": "onprem.tracing.Tempo",
    "loki": "onprem.logging.Loki", "elk": "elastic.elasticsearch.Elasticsearch",
    "vault": "onprem.security.Vault", "kubernetes-dns": "k8s.network.Service",
    "spring-boot": "programming.framework.Spring",
}
_BY_KIND: dict[Kind, str] = {
    Kind.CLIENT: "onprem.client.Users", Kind.GATEWAY: "onprem.network.Internet",
    Kind.SERVICE: "generic.compute.Rack", Kind.STORE: "generic.database.SQL",
    Kind.BUS: "onprem.queue.Kafka", Kind.TOPIC: "onprem.queue.Kafka",
    Kind.DLQ: "onprem.queue.Kafka",
}


def icon_class_path(node: Node) -> str | None:
    """The `diagrams` class for a node, or None for a plain box (contexts, unknown services)."""
    if node.kind in (Kind.CONTEXT, Kind.EXTERNAL) or node.id == NO_TOPIC_ID:
        return None
    if node.tech in _BY_TECH:
        return _BY_TECH[node.tech]
    return _BY_KIND.get(node.kind)


def icon_class(path: str) -> Any:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(f"diagrams.{module}"), name)

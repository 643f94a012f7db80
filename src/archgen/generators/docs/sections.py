"""The system-wide sections of the document (gateway, mesh, data, events, infrastructure,
communication) as label -> text, worded after docs/template.md."""

from __future__ import annotations

from dataclasses import dataclass

from archgen.generators.docs.facts import UNSPECIFIED, join, store_technology
from archgen.model import catalog as raw
from archgen.model.resolved import ResolvedCatalog, Retry


@dataclass(frozen=True, slots=True)
class StoreRow:
    service: str
    type: str
    technology: str
    purpose: str


@dataclass(frozen=True, slots=True)
class TopicRow:
    topic: str
    producers: str
    consumers: str
    purpose: str


def gateway_facts(catalog: ResolvedCatalog) -> dict[str, str]:
    gw = catalog.gateway
    if gw is None:
        return {"purpose": "The catalog has no API Gateway section.", "primary": UNSPECIFIED,
                "supporting": UNSPECIFIED, "auth": UNSPECIFIED, "rate_limits": UNSPECIFIED,
                "versions": UNSPECIFIED, "cors": UNSPECIFIED, "protocols": UNSPECIFIED,
                "aggregations": "none", "performance": UNSPECIFIED,
                "availability": UNSPECIFIED, "scalability": UNSPECIFIED}
    nfr = gw.nfr
    auth = gw.auth
    auth_text = UNSPECIFIED
    if auth is not None and auth.type:
        auth_text = auth.type.upper() + (f" issued by {auth.issuer}" if auth.issuer else "")
    rates = ", ".join(f"{tier} {r.requests}/{r.period}" for tier, r in gw.rate_limits.items())
    cors = join(gw.cors.allow_origins, UNSPECIFIED) if gw.cors else UNSPECIFIED
    return {
        "purpose": gw.purpose or gw.description or UNSPECIFIED,
        "primary": gw.technology or UNSPECIFIED,
        "supporting": join(gw.supporting, UNSPECIFIED),
        "auth": auth_text, "rate_limits": rates or UNSPECIFIED,
        "versions": join(gw.versions, UNSPECIFIED), "cors": f"CORS origins: {cors}; "
        f"compression {'on' if gw.compression else 'off'}",
        "protocols": join([p.upper() for p in gw.protocols], "REST"),
        "aggregations": join(list(gw.aggregations), "none"),
        "performance": _gateway_performance(nfr),
        "availability": f"{nfr.availability:g}% uptime" if nfr and nfr.availability
        else UNSPECIFIED,
        "scalability": _replicas(nfr.replicas if nfr else None,
                                 nfr.max_connections if nfr else None),
    }


def _gateway_performance(nfr: raw.GatewayNfr | None) -> str:
    if nfr is None:
        return UNSPECIFIED
    parts = []
    if nfr.latency_overhead_ms is not None:
        parts.append(f"<{nfr.latency_overhead_ms:g} ms routing overhead")
    if nfr.throughput_rps is not None:
        parts.append(f"{nfr.throughput_rps:g} req/sec throughput")
    return ", ".join(parts) or UNSPECIFIED


def _replicas(replicas: raw.Replicas | None, connections: int | None) -> str:
    parts = []
    if replicas is not None and replicas.min is not None and replicas.max is not None:
        parts.append(f"Auto-scaling {replicas.min}-{replicas.max} instances")
    if connections is not None:
        parts.append(f"{connections} concurrent connections")
    return ", ".join(parts) or UNSPECIFIED


def mesh_facts(catalog: ResolvedCatalog) -> dict[str, str]:
    mesh = catalog.mesh
    if mesh is None:
        return {"purpose": "The catalog has no Service Mesh section.", "primary": UNSPECIFIED,
                "mtls": UNSPECIFIED, "performance": UNSPECIFIED, "availability": UNSPECIFIED}
    if mesh.technology == "none":
        purpose = f"No service mesh. Justification: {mesh.justification or UNSPECIFIED}"
    else:
        purpose = mesh.description or "Service-to-service mTLS, traffic management, " \
            "observability and resilience for every service."
    nfr = mesh.nfr
    return {
        "purpose": purpose, "primary": mesh.technology or UNSPECIFIED,
        "mtls": mesh.mtls or UNSPECIFIED,
        "performance": (f"Proxy overhead <{nfr.proxy_overhead_p99_ms:g} ms p99"
                        if nfr and nfr.proxy_overhead_p99_ms else UNSPECIFIED),
        "availability": (f"{nfr.control_plane_replicas} control plane replicas"
                         if nfr and nfr.control_plane_replicas else UNSPECIFIED),
    }


def store_rows(catalog: ResolvedCatalog) -> list[StoreRow]:
    rows = []
    for name, svc in sorted(catalog.services.items()):
        store = svc.data_store
        if store is None:
            rows.append(StoreRow(name, "none", "none", UNSPECIFIED))
            continue
        rows.append(StoreRow(name, (store.type or UNSPECIFIED).capitalize(),
                             store_technology(store), store.owns or store.description
                             or UNSPECIFIED))
    return rows


def topic_rows(catalog: ResolvedCatalog) -> list[TopicRow]:
    rows = []
    for name, topic in sorted(catalog.topics.items()):
        producers = sorted({p for e in topic.events for p in _event(catalog, e, "producers")})
        consumers = sorted({c for e in topic.events for c in _event(catalog, e, "consumers")})
        purpose = topic.spec.description or "Events"
        rows.append(TopicRow(name, join(producers), join(consumers),
                             f"{purpose}: {', '.join(topic.events)}"))
    return rows


def _event(catalog: ResolvedCatalog, name: str, role: str) -> tuple[str, ...]:
    event = catalog.events.get(name)
    return tuple(getattr(event, role)) if event else ()


def event_bus_facts(catalog: ResolvedCatalog) -> dict[str, str]:
    bus = catalog.event_bus
    if bus is None:
        return {"purpose": "The catalog has no Event Bus section.", "primary": UNSPECIFIED,
                "supporting": UNSPECIFIED, "availability": UNSPECIFIED,
                "scalability": UNSPECIFIED}
    partitions = sorted({t.partitions for t in catalog.topics.values() if t.partitions})
    return {
        "purpose": bus.description or "Asynchronous communication and event streaming.",
        "primary": bus.technology or UNSPECIFIED,
        "supporting": "schema registry" if bus.schema_registry else "none",
        "availability": (f"Replication factor {bus.replication_factor}"
                         if bus.replication_factor else UNSPECIFIED),
        "scalability": (f"{join([str(p) for p in partitions])} partitions per topic, "
                        "one consumer group per consuming service" if partitions
                        else UNSPECIFIED),
    }


def infrastructure_facts(catalog: ResolvedCatalog) -> list[tuple[str, str, str]]:
    """(heading, technology, purpose) for each Supporting Infrastructure component."""
    infra = catalog.infrastructure
    rows = []
    for key, heading, default in _COMPONENTS:
        component = getattr(infra, key) if infra else None
        tech = (component.technology or UNSPECIFIED) if component else UNSPECIFIED
        if key == "monitoring" and component is not None and component.dashboards:
            tech = f"{tech}, {component.dashboards}"
        purpose = (component.purpose or default) if component else default
        rows.append((heading, tech, purpose))
    return rows


_COMPONENTS = (
    ("service_discovery", "Service Discovery", "Dynamic service registration and lookup"),
    ("configuration", "Configuration Management", "Centralized configuration for all services"),
    ("secrets", "Secrets Management", "Secure storage and rotation of secrets"),
    ("logging", "Distributed Logging", "Centralized log aggregation and search"),
    ("monitoring", "Monitoring & Alerting", "Metrics collection and visualization"),
    ("tracing", "Distributed Tracing", "Request tracing across services"),
)


def communication_facts(catalog: ResolvedCatalog) -> dict[str, str]:
    comm = catalog.communication
    sync = comm.sync if comm else None
    asyn = comm.async_ if comm else None
    breaker = sync.circuit_breaker if sync else None
    return {
        "sync_pattern": join([p.upper() for p in sync.protocols], "REST over HTTP")
        if sync else UNSPECIFIED,
        "sync_use": (sync.description if sync and sync.description
                     else "Request-response, real-time queries"),
        "breakers": (f"open after {breaker.failure_threshold} failures, reset after "
                     f"{breaker.reset_s:g} s" if breaker and breaker.failure_threshold
                     and breaker.reset_s else UNSPECIFIED),
        "timeouts": f"{sync.timeout_ms} ms default" if sync and sync.timeout_ms
        else UNSPECIFIED,
        "async_pattern": f"Event-driven via {catalog.event_bus.technology or 'the event bus'}"
        if catalog.event_bus else UNSPECIFIED,
        "async_use": (asyn.description if asyn and asyn.description
                      else "State changes, eventual consistency, notifications"),
        "delivery": (asyn.delivery or UNSPECIFIED) if asyn else UNSPECIFIED,
        "async_retry": _retry_text(asyn.retries) if asyn and asyn.retries else UNSPECIFIED,
        "sync_retry": _retry_text(sync.retries) if sync and sync.retries else UNSPECIFIED,
        "dlq": ("Failed events go to a <topic>.dlq topic" if asyn and asyn.dead_letter
                else "No dead-letter topics by default"),
    }


def _retry_text(retry: raw.RetryPolicy | Retry) -> str:
    parts = [f"{retry.max_attempts} attempts" if retry.max_attempts else "retries"]
    if retry.backoff:
        parts.append(f"{retry.backoff} backoff")
    if retry.base_ms:
        parts.append(f"from {retry.base_ms} ms")
    return ", ".join(parts)

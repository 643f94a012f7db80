"""What the architecture document says, as plain strings: the catalog read for people.

The templates only lay these out; every decision about wording and about what
to say when the catalog is silent lives here, so Markdown and HTML agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from archgen.model import catalog as raw
from archgen.model.resolved import Endpoint, ResolvedCatalog, Service
from archgen.model.tables import PAGE_LIMIT, PAGE_LIMIT_MAX, pages

UNSPECIFIED = "Not specified in the catalog"


@dataclass(frozen=True, slots=True)
class ServiceDoc:
    name: str
    context: str
    description: str
    team: str
    responsibilities: tuple[str, ...]
    primary: str
    supporting: str
    endpoints: tuple[tuple[str, str], ...]  # (route, summary)
    store_type: str
    store_schema: str
    store_owns: str
    published: tuple[tuple[str, str], ...]  # (event, when and what data)
    consumed: tuple[tuple[str, str], ...]  # (event, from whom and what action)
    upstream: str
    downstream: str
    performance: str
    availability: str
    scalability: str


def join(items: list[str] | tuple[str, ...], empty: str = "none") -> str:
    return ", ".join(items) if items else empty


def primary_technology(svc: Service) -> str:
    tech = svc.spec.technology
    if tech is None or not (tech.language or tech.framework):
        return UNSPECIFIED
    parts = [p for p in (tech.language, tech.framework) if p]
    text = " / ".join(parts)
    return f"{text} {tech.version}" if tech.version else text


def store_technology(store: raw.DataStore | None) -> str:
    if store is None or store.type == "none":
        return "none"
    tech = store.technology or UNSPECIFIED
    return f"{tech} {store.version}" if store.version else tech


def _endpoint_summary(endpoint: Endpoint, svc: Service) -> str:
    summary = endpoint.summary or "No summary"
    if not pages(endpoint, svc):
        return summary
    return (f"{summary}. In pages: at most limit items ({PAGE_LIMIT} unless asked, up to "
            f"{PAGE_LIMIT_MAX}) by key, the next page linked by the Link header (its cursor)")


def service_doc(catalog: ResolvedCatalog, svc: Service) -> ServiceDoc:
    spec, store = svc.spec, svc.data_store
    tech = spec.technology
    return ServiceDoc(
        name=svc.name, context=svc.bounded_context or UNSPECIFIED,
        description=spec.description or "", team=spec.team or UNSPECIFIED,
        responsibilities=tuple(spec.responsibilities) or (UNSPECIFIED,),
        primary=primary_technology(svc),
        supporting=join(tech.supporting if tech else [], UNSPECIFIED),
        endpoints=tuple((e.route, _endpoint_summary(e, svc)) for e in svc.endpoints),
        store_type=(f"{store.type or UNSPECIFIED} ({store_technology(store)})"
                    if store else "none"),
        store_schema=_schema(store),
        store_owns=(store.owns or UNSPECIFIED) if store else "none",
        published=tuple((p.event, _published(p.when, [f.name for f in p.payload]))
                        for p in svc.publishes),
        consumed=tuple((c.event, _consumed(catalog, c.event, c.action)) for c in svc.consumes),
        upstream=join([d.target for d in svc.dependencies]),
        downstream=join(list(svc.downstream)),
        performance=_performance(svc.nfr), availability=_availability(svc.nfr),
        scalability=_scalability(svc.nfr),
    )


def _schema(store: raw.DataStore | None) -> str:
    if store is None:
        return "none"
    if store.schema_summary:
        return store.schema_summary
    return f"{', '.join(store.tables)} tables" if store.tables else UNSPECIFIED


def _published(when: str, fields: list[str]) -> str:
    text = when or "No trigger described"
    return f"{text} (includes {', '.join(fields)})" if fields else text


def _consumed(catalog: ResolvedCatalog, event: str, action: str) -> str:
    known = catalog.events.get(event)
    producers = join(list(known.producers) if known else [], "no producer in the catalog")
    return f"From {producers}: {action or 'no action described'}"


def _performance(nfr: raw.ServiceNfr | None) -> str:
    if nfr is None:
        return UNSPECIFIED
    parts = []
    if nfr.latency_p95_ms is not None:
        parts.append(f"<{nfr.latency_p95_ms:g} ms response time (95th percentile)")
    if nfr.latency_p99_ms is not None:
        parts.append(f"<{nfr.latency_p99_ms:g} ms (99th percentile)")
    if nfr.throughput_tps is not None:
        parts.append(f"{nfr.throughput_tps:g} TPS")
    return ", ".join(parts) or UNSPECIFIED


def _availability(nfr: raw.ServiceNfr | None) -> str:
    if nfr is None or (nfr.availability is None and nfr.replicas is None):
        return UNSPECIFIED
    parts = []
    if nfr.availability is not None:
        parts.append(f"{nfr.availability:g}% uptime")
    if nfr.replicas is not None and nfr.replicas.min is not None:
        parts.append(f"{nfr.replicas.min} replicas minimum")
    return ", ".join(parts)


def _scalability(nfr: raw.ServiceNfr | None) -> str:
    if nfr is None:
        return UNSPECIFIED
    if nfr.scaling:
        return nfr.scaling
    replicas = nfr.replicas
    if replicas is not None and replicas.min is not None and replicas.max is not None:
        cpu = f" based on CPU ({replicas.cpu_target_pct}%)" if replicas.cpu_target_pct else ""
        return f"Horizontal scaling {replicas.min}-{replicas.max} pods{cpu}"
    return UNSPECIFIED

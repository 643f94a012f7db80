"""Build the four views (system, context map, event flow, service) from the resolved model.

Pure: the resolved catalog in, sorted Views out. The system view ranks services
by their calls (caller left of callee) and shows each topic; past CLUSTER_THRESHOLD
services it groups services by bounded context and leaves data stores and topics
to the other views, so that it stays readable.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from archgen.generators.diagrams.model import (
    NO_TOPIC_ID,
    Cluster,
    Kind,
    Node,
    Style,
    View,
    ViewBuilder,
    ident,
)
from archgen.model.resolved import Dependency, ResolvedCatalog, Service

CLUSTER_THRESHOLD = 30
NO_CONTEXT = "(no bounded context)"
NO_TOPIC = "(no topic)"
VIEW_KINDS = ("system", "context", "events", "service")
_MAX_LABELS = 4


def service_node(svc: Service, cluster: str = "") -> Node:
    tech = svc.spec.technology
    framework = (tech.framework or tech.language or "") if tech else ""
    return Node(ident("svc", svc.name), svc.name, Kind.SERVICE, framework.lower(),
                svc.bounded_context or "", cluster)


def external_node(name: str) -> Node:
    return Node(ident("svc", name), name, Kind.EXTERNAL, "", "not in the catalog")


def store_node(svc: Service) -> Node | None:
    store = svc.data_store
    if store is None or store.type == "none" or not (store.technology or store.name):
        return None
    name = store.name or f"{svc.name}-store"
    return Node(ident("db", name), name, Kind.STORE, (store.technology or "").lower(),
                store.type or "")


def gateway_node(catalog: ResolvedCatalog) -> Node:
    gateway = catalog.gateway
    tech = (gateway.technology or "") if gateway else ""
    return Node("gateway", "API Gateway", Kind.GATEWAY, tech.lower(),
                "" if gateway else "not in the catalog")


def topic_node(catalog: ResolvedCatalog, name: str) -> Node:
    bus = catalog.event_bus
    return Node(ident("topic", name), name, Kind.TOPIC, ((bus.technology or "") if bus else ""
                                                         ).lower())


def dependency_label(dep: Dependency) -> str:
    parts = [dep.protocol or "call"]
    if dep.timeout_ms is not None:
        parts.append(f"{dep.timeout_ms} ms")
    if dep.attempts > 1:
        parts.append(f"x{dep.attempts}")
    return " ".join(parts)


def compress(labels: Iterable[str], noun: str) -> str:
    """Up to a few labels one per line, else a count: big systems keep readable edges."""
    unique = sorted(set(labels))
    if len(unique) > _MAX_LABELS:
        return f"{len(unique)} {noun}"
    return "\n".join(unique)


def infrastructure_nodes(catalog: ResolvedCatalog) -> list[Node]:
    infra = catalog.infrastructure
    nodes: list[Node] = []
    if catalog.mesh and catalog.mesh.technology and catalog.mesh.technology != "none":
        nodes.append(Node("infra_mesh", "Service Mesh", Kind.INFRA,
                          catalog.mesh.technology.lower(), "", "infra"))
    if infra is None:
        return nodes
    for key, title in (("monitoring", "Monitoring"), ("tracing", "Tracing"),
                       ("logging", "Logging"), ("secrets", "Secrets"),
                       ("service_discovery", "Service Discovery")):
        component = getattr(infra, key)
        if component is not None and component.technology:
            nodes.append(Node(f"infra_{key}", title, Kind.INFRA,
                              component.technology.lower(), "", "infra"))
    return nodes


# ---------------------------------------------------------------- system view
def system_view(catalog: ResolvedCatalog) -> View:
    large = len(catalog.services) > CLUSTER_THRESHOLD
    b = ViewBuilder()
    b.node(Node("clients", "Clients", Kind.CLIENT, "", "web and mobile"))
    gateway = b.node(gateway_node(catalog))
    b.edge("clients", gateway, "HTTPS", Style.SYNC)
    # Every service node first: a dependency drawn before its target's own turn
    # would otherwise add the target without its cluster (issue 13).
    for svc in catalog.services.values():
        cluster = b.cluster(context_cluster(svc)) if large else ""
        b.node(service_node(svc, cluster))
    for svc in catalog.services.values():
        node = ident("svc", svc.name)
        if svc.routed:
            b.edge(gateway, node, "", Style.SYNC)
        _add_dependencies(b, catalog, svc, node)
        if not large:
            _add_store_and_topics(b, catalog, svc, node)
    if not large:
        _add_infrastructure(b, catalog)
    notes: tuple[str, ...] = ()
    if large:
        notes = (f"{len(catalog.services)} services: the system view groups them by bounded "
                 "context and leaves out data stores and the event bus; open context "
                 "(the context map), events (the event flow) and service-<name> views "
                 "for the details.",)
    return b.build("system", f"{title_of(catalog)}: system", "LR", notes, bundled=large)


def _add_infrastructure(b: ViewBuilder, catalog: ResolvedCatalog) -> None:
    nodes = infrastructure_nodes(catalog)
    if nodes:
        b.cluster(Cluster("infra", "Supporting Infrastructure"))
    for node in nodes:
        b.node(node)
    # Invisible links lay the components out in one row instead of a tall column.
    for left, right in itertools.pairwise(nodes):
        b.edge(left.id, right.id, "", Style.LAYOUT)


def context_cluster(svc: Service) -> Cluster:
    name = svc.bounded_context or NO_CONTEXT
    return Cluster(ident("ctx", name), name)


def title_of(catalog: ResolvedCatalog) -> str:
    return catalog.system.title or catalog.system.name


def _add_dependencies(b: ViewBuilder, catalog: ResolvedCatalog, svc: Service,
                      node: str) -> None:
    for dep in svc.dependencies:
        if dep.target == svc.name:
            continue
        target = catalog.services.get(dep.target)
        target_id = b.node(service_node(target) if target else external_node(dep.target))
        b.edge(node, target_id, dependency_label(dep), Style.SYNC)


def _add_store_and_topics(b: ViewBuilder, catalog: ResolvedCatalog, svc: Service,
                       node: str) -> None:
    store = store_node(svc)
    if store is not None:
        b.edge(node, b.node(store), "", Style.DATA)
    # One node per topic, not one "Event Bus" for all: which service talks to which
    # topic is what a reader of the system view looks for. Calls rank the services
    # (caller left of callee); an event runs back to its consumer without moving it.
    _add_service_topics(b, catalog, svc, node, rank_consumers=False)


# ---------------------------------------------------------------- service view
def service_view(catalog: ResolvedCatalog, name: str) -> View:
    svc = catalog.services[name]
    b = ViewBuilder()
    node = b.node(service_node(svc))
    if svc.routed:
        b.edge(b.node(gateway_node(catalog)), node, "", Style.SYNC)
    _add_dependencies(b, catalog, svc, node)
    for caller in sorted(svc.downstream):
        other = catalog.services[caller]
        for dep in other.dependencies:
            if dep.target == name:
                b.edge(b.node(service_node(other)), node, dependency_label(dep), Style.SYNC)
    store = store_node(svc)
    if store is not None:
        b.edge(node, b.node(store), "", Style.DATA)
    _add_service_topics(b, catalog, svc, node)
    return b.build(f"service-{name}", f"{title_of(catalog)}: {name}", "LR")


def _add_service_topics(b: ViewBuilder, catalog: ResolvedCatalog, svc: Service,
                        node: str, *, rank_consumers: bool = True) -> None:
    for pub in svc.publishes:
        for topic in topics_of(catalog, pub.event):
            b.edge(node, b.node(topic), pub.event, Style.ASYNC)
    for sub in svc.consumes:
        for topic in topics_of(catalog, sub.event):
            b.edge(b.node(topic), node, sub.event, Style.ASYNC, ranked=rank_consumers)


def topics_of(catalog: ResolvedCatalog, event: str) -> list[Node]:
    known = catalog.events.get(event)
    names = sorted(known.topics) if known and known.topics else []
    if not names:
        return [Node(NO_TOPIC_ID, NO_TOPIC, Kind.TOPIC, "", "events on no topic")]
    return [topic_node(catalog, n) for n in names]

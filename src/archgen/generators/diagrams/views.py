"""Build the four views (system, context map, event flow, service) from the resolved model.

Pure: the resolved catalog in, sorted Views out. The system view ranks services
by their calls (caller left of callee) and shows their stores; events have the
event flow view. Past CLUSTER_THRESHOLD services the system view is one node per
bounded context, and each context has a view of its own (contexts.py).
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
from archgen.generators.diagrams.ranks import with_ranks
from archgen.model.deployment import edge_budget
from archgen.model.resolved import Dependency, ResolvedCatalog, Service

CLUSTER_THRESHOLD = 25
NO_CONTEXT = "(no bounded context)"
NO_TOPIC = "(no topic)"
VIEW_KINDS = ("system", "context", "events", "contexts", "service")
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


def dependency_label(dep: Dependency, *, total: bool = False) -> str:
    """`http 60 ms x3`: protocol, timeout per attempt, attempts, from the deployment
    model's budget (the numbers the generated client and the mesh enforce); `total`
    adds the longest the caller can wait, every attempt and backoff included."""
    budget = edge_budget(dep)
    parts = [dep.protocol or "call", f"{budget.timeout_ms} ms"]
    if budget.attempts > 1:
        parts.append(f"x{budget.attempts}")
    if total:
        parts.append(f"<= {budget.total_ms} ms")
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
    """Clients, gateway, services, their calls and their stores; past CLUSTER_THRESHOLD
    services, one node per bounded context instead (contexts.py).

    Events are not drawn here: a producer -> topic -> consumer edge runs against the
    calls as often as with them, and the two together crossed dozens of times on six
    services. They have the event flow view; the page highlights a service in both.
    """
    if len(catalog.services) > CLUSTER_THRESHOLD:
        from archgen.generators.diagrams.contexts import context_system_view

        return context_system_view(catalog)
    b = ViewBuilder()
    b.node(Node("clients", "Clients", Kind.CLIENT, "", "web and mobile"))
    gateway = b.node(gateway_node(catalog))
    b.edge("clients", gateway, "HTTPS", Style.SYNC)
    # Every service node first: a dependency drawn before its target's own turn
    # would otherwise add the target without its cluster (issue 13).
    for svc in catalog.services.values():
        b.node(service_node(svc))
    for svc in catalog.services.values():
        node = ident("svc", svc.name)
        if svc.routed:
            b.edge(gateway, node, "", Style.SYNC)
        _add_dependencies(b, catalog, svc, node)
        store = store_node(svc)
        if store is not None:
            b.edge(node, b.node(store), "", Style.DATA)
    _add_infrastructure(b, catalog)
    return with_ranks(b.build("system", f"{title_of(catalog)}: system", "LR"))


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
                      node: str, *, total: bool = False) -> None:
    for dep in svc.dependencies:
        if dep.target == svc.name:
            continue
        target = catalog.services.get(dep.target)
        target_id = b.node(service_node(target) if target else external_node(dep.target))
        b.edge(node, target_id, dependency_label(dep, total=total), Style.SYNC)


# ---------------------------------------------------------------- service view
def service_view(catalog: ResolvedCatalog, name: str) -> View:
    svc = catalog.services[name]
    b = ViewBuilder()
    node = b.node(service_node(svc))
    if svc.routed:
        b.edge(b.node(gateway_node(catalog)), node, "", Style.SYNC)
    _add_dependencies(b, catalog, svc, node, total=True)
    for caller in sorted(svc.downstream):
        other = catalog.services[caller]
        for dep in other.dependencies:
            if dep.target == name:
                b.edge(b.node(service_node(other)), node, dependency_label(dep, total=True),
                       Style.SYNC)
    store = store_node(svc)
    if store is not None:
        b.edge(node, b.node(store), "", Style.DATA)
    _add_service_topics(b, catalog, svc, node)
    return b.build(f"service-{name}", f"{title_of(catalog)}: {name}", "LR")


def _add_service_topics(b: ViewBuilder, catalog: ResolvedCatalog, svc: Service,
                        node: str) -> None:
    for pub in svc.publishes:
        for topic in topics_of(catalog, pub.event):
            b.edge(node, b.node(topic), pub.event, Style.ASYNC)
    for sub in svc.consumes:
        for topic in topics_of(catalog, sub.event):
            b.edge(b.node(topic), node, sub.event, Style.ASYNC)


def topics_of(catalog: ResolvedCatalog, event: str) -> list[Node]:
    known = catalog.events.get(event)
    names = sorted(known.topics) if known and known.topics else []
    if not names:
        return [Node(NO_TOPIC_ID, NO_TOPIC, Kind.TOPIC, "", "events on no topic")]
    return [topic_node(catalog, n) for n in names]

"""The context map and the event flow: the two views that follow relations, not services."""

from __future__ import annotations

from archgen.generators.diagrams.model import Kind, Node, Style, View, ViewBuilder, ident
from archgen.generators.diagrams.ranks import with_ranks
from archgen.generators.diagrams.views import (
    CLUSTER_THRESHOLD,
    NO_CONTEXT,
    compress,
    service_node,
    title_of,
    topics_of,
)
from archgen.model.resolved import ResolvedCatalog


def context_of(catalog: ResolvedCatalog, service: str) -> str:
    svc = catalog.services.get(service)
    return (svc.bounded_context or NO_CONTEXT) if svc else NO_CONTEXT


def context_view(catalog: ResolvedCatalog) -> View:
    members: dict[str, list[str]] = {}
    for svc in catalog.services.values():
        members.setdefault(svc.bounded_context or NO_CONTEXT, []).append(svc.name)
    b = ViewBuilder()
    for context, names in members.items():
        b.node(Node(ident("ctx", context), context, Kind.CONTEXT, "",
                    compress(names, "services")))
    calls: dict[tuple[str, str], list[str]] = {}
    for svc in catalog.services.values():
        for dep in svc.dependencies:
            if dep.known:
                pair = (context_of(catalog, svc.name), context_of(catalog, dep.target))
                calls.setdefault(pair, []).append(f"{svc.name} -> {dep.target}")
    events: dict[tuple[str, str], list[str]] = {}
    for event in catalog.events.values():
        for producer in event.producers:
            for consumer in event.consumers:
                pair = (context_of(catalog, producer), context_of(catalog, consumer))
                events.setdefault(pair, []).append(event.name)
    # Past the threshold the system view already relates contexts by their calls: the
    # map keeps the events, one unlabelled edge per pair (with hundreds of relations
    # the labels are what makes it unreadable).
    large = len(catalog.services) > CLUSTER_THRESHOLD
    if not large:
        for (a, b_ctx), labels in calls.items():
            if a != b_ctx:
                b.edge(ident("ctx", a), ident("ctx", b_ctx), compress(labels, "calls"),
                       Style.SYNC)
    for (a, b_ctx), labels in events.items():
        if a != b_ctx:
            b.edge(ident("ctx", a), ident("ctx", b_ctx),
                   "" if large else compress(labels, "events"), Style.ASYNC)
    notes = ((f"{len(members)} bounded contexts: the map relates them by events, drawn "
              "without labels (the system view counts the calls between them); open "
              "service-<name> views for the calls and events of one service.",)
             if large else ())
    view = b.build("context", f"{title_of(catalog)}: context map", "LR", notes)
    return with_ranks(view, column=3.4, row=1.3)


# Past CLUSTER_THRESHOLD services, an event flow of more edges than this is drawn per
# bounded context (event_contexts.py); Train-Ticket's 19 edges stay one readable drawing.
EVENT_EDGE_LIMIT = 100


def aggregated_events(catalog: ResolvedCatalog) -> bool:
    """Whether the event flow is drawn per bounded context instead of per service."""
    return (len(catalog.services) > CLUSTER_THRESHOLD
            and len(_flat_event_view(catalog).edges) > EVENT_EDGE_LIMIT)


def event_view(catalog: ResolvedCatalog) -> View:
    if aggregated_events(catalog):
        from archgen.generators.diagrams.event_contexts import event_overview

        return event_overview(catalog)
    return with_ranks(_flat_event_view(catalog))


def _flat_event_view(catalog: ResolvedCatalog) -> View:
    """Producer -> topic -> consumer for every event, dead letters beside their topic."""
    b = ViewBuilder()
    for event in catalog.events.values():
        topics = topics_of(catalog, event.name)
        for topic in topics:
            topic_id = b.node(topic)
            for producer in event.producers:
                b.edge(b.node(participant(catalog, producer)), topic_id, event.name,
                       Style.ASYNC)
            for consumer in event.consumers:
                b.edge(topic_id, b.node(participant(catalog, consumer)), event.name,
                       Style.ASYNC)
    for bus_topic in catalog.topics.values():
        if bus_topic.dead_letter:
            name = bus_topic.name
            source = b.node(Node(ident("topic", name), name, Kind.TOPIC, _bus_tech(catalog)))
            dlq = b.node(Node(ident("dlq", name), f"{name}.dlq", Kind.DLQ,
                              _bus_tech(catalog), "dead letters"))
            b.edge(source, dlq, "failed deliveries", Style.DLQ)
    return b.build("events", f"{title_of(catalog)}: event flow", "LR")


def participant(catalog: ResolvedCatalog, name: str) -> Node:
    svc = catalog.services.get(name)
    if svc is None:
        return Node(ident("svc", name), name, Kind.EXTERNAL, "", "not in the catalog")
    return service_node(svc)


def _bus_tech(catalog: ResolvedCatalog) -> str:
    bus = catalog.event_bus
    return ((bus.technology or "") if bus else "").lower()

"""The event flow of a big system: its contexts on the bus, and one event view per context.

Drawn flat, 200 services' events are 600 producers, topics and consumers and 973
edges: 7,812 crossings and 2,631 edges through boxes. Bundled per pair of bounded
contexts it is no better (126 contexts, 557 pairs: 17,000 crossings, and dot ran
past ten minutes): events go from nearly any context to any other, and no drawing
of every pair is readable. Who sends to whom is what the context map relates and
each context's own view shows; the overview says what each context puts on the
bus and takes from it:

- `events`: one node per context with the topics it publishes on, in rows on lanes
  of the one bus; one edge per context counts the events it publishes and consumes.
- `events-<slug>`: one per context: its services, the topics they publish on and
  every consumer of those events, and the topics they consume from with their
  producers (a service of another context says which).
"""

from __future__ import annotations

import math
from dataclasses import replace

from archgen.generators.diagrams.contexts import context_members, context_slug
from archgen.generators.diagrams.flows import aggregated_events, participant
from archgen.generators.diagrams.model import Kind, Node, Style, View, ViewBuilder, ident
from archgen.generators.diagrams.ranks import with_ranks
from archgen.generators.diagrams.views import compress, service_node, title_of, topics_of
from archgen.model.resolved import ResolvedCatalog

# The width one context takes in a row across, and the height one lane of the bus takes
# down (a row above, the bus, a row below, their labels), in inches, as dot draws them.
EVENT_VIEW_PREFIX = "events-"
BUS_ID = "bus"  # lanes bus_1, bus_2...: ident() prefixes no catalog name with `bus`
_TARGET_ASPECT = 1.5
_BOX_WIDTH = 2.6
_LANE_HEIGHT = 7.0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def event_overview(catalog: ResolvedCatalog) -> View:
    """Every bounded context on the bus: its topics, and its events out and in."""
    spokes: list[tuple[Node, str, bool]] = []  # (context, label, publishes more than it takes)
    for name, services in context_members(catalog).items():
        published = sorted({p.event for s in services for p in s.publishes})
        consumed = sorted({c.event for s in services for c in s.consumes})
        if not published and not consumed:
            continue  # no events: nothing to say in the event flow
        topics = sorted({t.label for e in published for t in topics_of(catalog, e)})
        node = Node(ident("ctx", name), name, Kind.CONTEXT, "",
                    compress(topics, "topics") if topics else "no topic of its own")
        spokes.append((node, f"{len(published)} out / {len(consumed)} in",
                       len(published) >= len(consumed)))
    senders = [s for s in spokes if s[2]]
    takers = [s for s in spokes if not s[2]]
    lanes = _lane_count(len(senders), len(takers))
    up, down = math.ceil(len(senders) / lanes), math.ceil(len(takers) / lanes)
    b = ViewBuilder()
    bus = catalog.event_bus
    tech = ((bus.technology or "") if bus else "").lower()
    dead = sum(1 for t in catalog.topics.values() if t.dead_letter)
    summary = f"{_count(len(catalog.topics), 'topic')}, {_count(len(catalog.events), 'event')}"
    if dead:
        summary += f", {dead} with dead letters"
    rows: list[tuple[str, ...]] = []
    for lane in range(lanes):
        lane_id = f"{BUS_ID}_{lane + 1}"
        detail = summary if lane == 0 else f"lane {lane + 1} of {lanes}"
        b.node(Node(lane_id, "Event bus", Kind.BUS, tech, detail))
        above = senders[lane * up:(lane + 1) * up]
        below = takers[lane * down:(lane + 1) * down]
        # One spoke per context, pointing the way most of its events go: publishers
        # above their lane, consumers below, so a lane's spokes fan in and out of it
        # without crossing (two edges, out and in, would cross their neighbours').
        for node, label, _ in above:
            b.edge(b.node(node), lane_id, label, Style.ASYNC)
        for node, label, _ in below:
            b.edge(lane_id, b.node(node), label, Style.ASYNC)
        rows.extend(row for row in (tuple(n.id for n, _, _ in above), (lane_id,),
                                    tuple(n.id for n, _, _ in below)) if row)
    notes = (f"{len(catalog.services)} services: one node per bounded context with the "
             "topics it publishes on, on lanes of the one event bus; each edge counts the "
             "events the context publishes (out) and consumes (in). The context map "
             "relates contexts by events; each events-<name> view shows one context's "
             "topics, producers and consumers.",)
    view = b.build("events", f"{title_of(catalog)}: event flow (bounded contexts)", "TB",
                   notes)
    return replace(view, ranks=tuple(rows))


def _lane_count(senders: int, takers: int) -> int:
    """As many lanes as make the drawing closest to _TARGET_ASPECT, contexts shared evenly."""
    def aspect(lanes: int) -> float:
        row = max(math.ceil(senders / lanes), math.ceil(takers / lanes), 1)
        return row * _BOX_WIDTH / (lanes * _LANE_HEIGHT)

    most = max(senders, takers, 1)
    return min(range(1, most + 1),
               key=lambda lanes: abs(math.log(aspect(lanes) / _TARGET_ASPECT)))


def is_event_context_view(view: View) -> bool:
    return view.name.startswith(EVENT_VIEW_PREFIX)


def event_context_view(catalog: ResolvedCatalog, name: str) -> View:
    """One bounded context's events: what it publishes to whom, what it consumes from whom."""
    inside = {s.name for s in context_members(catalog).get(name, [])}
    b = ViewBuilder()
    for member in sorted(inside):
        b.node(service_node(catalog.services[member]))
    dead = {t.name for t in catalog.topics.values() if t.dead_letter}
    for event in catalog.events.values():
        ours = [p for p in event.producers if p in inside]
        theirs = [c for c in event.consumers if c in inside]
        if not ours and not theirs:
            continue
        # Our events go to every consumer; theirs only to ours (their other consumers
        # are in their own context's view).
        producers = list(event.producers)
        consumers = list(event.consumers) if ours else theirs
        for topic in topics_of(catalog, event.name):
            topic_id = b.node(topic)
            for producer in producers:
                b.edge(b.node(participant(catalog, producer)), topic_id, event.name,
                       Style.ASYNC)
            for consumer in consumers:
                b.edge(topic_id, b.node(participant(catalog, consumer)), event.name,
                       Style.ASYNC)
            if ours and topic.label in dead:  # theirs are in their producers' view
                dlq = b.node(Node(ident("dlq", topic.label), f"{topic.label}.dlq", Kind.DLQ,
                                  topic.tech, "dead letters"))
                b.edge(topic_id, dlq, "failed deliveries", Style.DLQ)
    return with_ranks(b.build(f"{EVENT_VIEW_PREFIX}{context_slug(name)}",
                              f"{title_of(catalog)}: events of {name}", "LR"))


def event_context_views(catalog: ResolvedCatalog) -> list[View]:
    """One event view per bounded context with events, when the event flow is aggregated."""
    if not aggregated_events(catalog):
        return []
    views = []
    for name, services in context_members(catalog).items():
        if any(s.publishes or s.consumes for s in services):
            views.append(event_context_view(catalog, name))
    return views


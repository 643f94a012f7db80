"""AG5xx: the Event Bus: documented topics, and an event topology that closes."""

from __future__ import annotations

from collections.abc import Iterator

from archgen.findings import Finding, Pointer, Severity
from archgen.model.base import VOCABULARIES
from archgen.rules.base import CL_EVENTS, EVENTS, Rule, RuleContext, did_you_mean, rule

_HEAD = "archgen: 1\nsystem: {name: shop}\n"
_BUS = "event_bus: {technology: kafka, topics: {orders: {events: [order.created]}}}\n"
_PUB = "  a: {publishes: {order.created: {payload: {order_id: uuid}}}}\n"
_SUB = "  b: {consumes: {order.created: Send an email}}\n"


def _pub(service: str, event: str) -> Pointer:
    return ("services", service, "publishes", event)


def _sub(service: str, event: str) -> Pointer:
    return ("services", service, "consumes", event)


@rule("AG500", "event-bus-missing", "Services exchange events but no event bus is documented",
      Severity.ERROR, EVENTS, checklist=CL_EVENTS,
      needs=("event_bus",),
      explanation="Asynchronous communication runs over the event bus: its technology and "
                  "topics are part of the architecture. Events without a bus have nowhere to go.",
      fix="Add `event_bus: {technology: kafka, topics: {...}}`.",
      bad=_HEAD + "services:\n" + _PUB + _SUB,
      good=_HEAD + _BUS + "services:\n" + _PUB + _SUB)
def event_bus_missing(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.catalog.event_bus is not None or not ctx.catalog.events:
        return
    first = next(iter(ctx.catalog.events.values()))
    yield self.finding(ctx, f"{len(ctx.catalog.events)} events are published or consumed "
                       "(e.g. " + first.name + ") but there is no `event_bus` section", ())


@rule("AG501", "event-without-topic", "A published event is on no topic", Severity.ERROR,
      EVENTS, checklist=CL_EVENTS,
      explanation="Every published event travels on a topic of the event bus: the topic table "
                  "is how producers and consumers find each other, and what archgen creates.",
      fix="Add the event to a topic's `events` list.",
      bad=_HEAD + "event_bus: {technology: kafka, topics: {orders: {events: []}}}\n"
                  "services:\n" + _PUB + _SUB,
      good=_HEAD + _BUS + "services:\n" + _PUB + _SUB)
def event_without_topic(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.catalog.event_bus is None:
        return  # AG500 reports the missing bus once
    for event in ctx.catalog.events.values():
        if not event.topics:
            for producer in event.producers:
                yield self.finding(ctx, f"{producer} publishes {event.name}, which is on no "
                                   "topic", _pub(producer, event.name), key=True)


@rule("AG502", "consumed-without-producer", "An event is consumed but nobody publishes it",
      Severity.ERROR, EVENTS,
      needs=("services",),
      explanation="A consumer waits for an event that no service publishes: the flow it "
                  "belongs to never runs. Usually a renamed event or a missing `publishes`.",
      fix="Publish the event from its owner, or fix the event name.",
      bad=_HEAD + _BUS + "services:\n  a: {}\n" + _SUB,
      good=_HEAD + _BUS + "services:\n" + _PUB + _SUB)
def consumed_without_producer(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for event in ctx.catalog.events.values():
        if event.consumers and not event.producers:
            first, *rest = event.consumers
            who = ", ".join(event.consumers)
            published = [e.name for e in ctx.catalog.events.values() if e.producers]
            yield self.finding(ctx, f"{event.name} is consumed by {who} but no service "
                               "publishes it", _sub(first, event.name), key=True,
                               related=[_sub(c, event.name) for c in rest],
                               hint=did_you_mean(event.name, published) or self.fix)


@rule("AG503", "published-without-consumer", "An event is published but nobody consumes it",
      Severity.WARNING, EVENTS,
      needs=("services",),
      explanation="An event no service consumes may be meant for systems outside the catalog, "
                  "or be left over. Worth a look, not a failure.",
      fix="Add the consumer, or suppress with the reason (e.g. consumed by analytics).",
      bad=_HEAD + _BUS + "services:\n" + _PUB,
      good=_HEAD + _BUS + "services:\n" + _PUB + _SUB)
def published_without_consumer(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for event in ctx.catalog.events.values():
        if event.producers and not event.consumers:
            for producer in event.producers:
                yield self.finding(ctx, f"{producer} publishes {event.name} but no service "
                                   "consumes it", _pub(producer, event.name), key=True)


@rule("AG504", "event-multiple-producers", "Two services publish the same event",
      Severity.ERROR, EVENTS,
      explanation="An event states a fact about one service's data; it has one producer. Two "
                  "producers mean two owners of one entity, and consumers cannot trust it.",
      fix="Keep one producer; give the other service its own event name.",
      bad=_HEAD + _BUS + "services:\n" + _PUB + "  c: {publishes: {order.created: {payload: "
                         "{order_id: uuid}}}}\n" + _SUB,
      good=_HEAD + _BUS + "services:\n" + _PUB + _SUB)
def event_multiple_producers(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for event in ctx.catalog.events.values():
        if len(event.producers) > 1:
            first, *rest = event.producers
            yield self.finding(ctx, f"{event.name} is published by {', '.join(event.producers)}",
                               _pub(first, event.name), key=True,
                               related=[_pub(p, event.name) for p in rest])


@rule("AG505", "topic-key-not-in-payload", "A topic's key is not a field of an event on it",
      Severity.ERROR, EVENTS,
      explanation="The topic key partitions the topic and keeps one entity's events in order. "
                  "It must be a payload field of every event on the topic, or producers have "
                  "nothing to key by.",
      fix="Add the key field to the event's payload, or choose a key every event carries.",
      bad=_HEAD + "event_bus: {technology: kafka, topics: {orders: {events: [order.created], "
                  "key: order_id}}}\nservices:\n  a: {publishes: {order.created: {payload: "
                  "{id: uuid}}}}\n" + _SUB,
      good=_HEAD + "event_bus: {technology: kafka, topics: {orders: {events: [order.created], "
                   "key: order_id}}}\nservices:\n" + _PUB + _SUB)
def topic_key_not_in_payload(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    publications = {(svc.name, p.event): p for svc in ctx.catalog.services.values()
                    for p in svc.publishes}
    events = ctx.catalog.events
    for topic in ctx.catalog.topics.values():
        if topic.key is None:
            continue
        for event_name in topic.events:
            event = events.get(event_name)
            for producer in event.producers if event else ():
                pub = publications[(producer, event_name)]
                if all(f.name != topic.key for f in pub.payload):
                    yield self.finding(
                        ctx, f"topic {topic.name} is keyed by {topic.key!r}, which is not a "
                        f"payload field of {event_name} (published by {producer})",
                        ("event_bus", "topics", topic.name, "key"),
                        related=[_pub(producer, event_name)])


_BUS_KNOWN = VOCABULARIES["event_bus.technology"]


@rule("AG506", "event-bus-technology-unknown", "Unknown event bus technology", Severity.WARNING,
      EVENTS,
      explanation=f"archgen generates topics and clients for {', '.join(_BUS_KNOWN)}; other "
                  "values load, and generation skips the event bus.",
      fix=f"Use one of: {', '.join(_BUS_KNOWN)}.",
      bad=_HEAD + "event_bus: {technology: pulsar}\nservices: {a: {}}\n",
      good=_HEAD + "event_bus: {technology: kafka}\nservices: {a: {}}\n")
def event_bus_technology_unknown(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    bus = ctx.catalog.event_bus
    if bus is not None and bus.technology is not None and bus.technology not in _BUS_KNOWN:
        yield self.finding(ctx, f"unknown event bus technology {bus.technology!r}: generation "
                           "will skip topics and clients", ("event_bus", "technology"),
                           hint=self.vocab_hint(bus.technology, _BUS_KNOWN))


@rule("AG507", "emits-unpublished", "An endpoint emits an event its service does not publish",
      Severity.ERROR, EVENTS,
      explanation="`emits` links an endpoint to an event of its own service's `publishes`: "
                  "that is where the payload is defined.",
      fix="Add the event to the service's `publishes`, or fix the name in `emits`.",
      bad=_HEAD + "services:\n  a: {endpoints: {POST /api/v1/orders: {emits: [order.created]}}}\n",
      good=_HEAD + "services:\n  a:\n    endpoints: {POST /api/v1/orders: {emits: "
                   "[order.created]}}\n    publishes: {order.created: {payload: {id: uuid}}}\n")
def emits_unpublished(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for name, svc in ctx.catalog.services.items():
        published = {p.event for p in svc.publishes}
        for ep in svc.endpoints:
            for i, event in enumerate(ep.emits):
                if event not in published:
                    yield self.finding(ctx, f"{ep.route} of {name} emits {event}, which {name} "
                                       "does not publish",
                                       ("services", name, "endpoints", ep.route, "emits", i),
                                       hint=did_you_mean(event, published) or self.fix)


@rule("AG514", "topic-event-unpublished", "A topic lists an event no service publishes",
      Severity.ERROR, EVENTS, checklist=CL_EVENTS,
      needs=("services",),
      explanation="A topic's `events` list is the contract of what travels on it: the AsyncAPI "
                  "document, the docs and the consumers trust it. An event no service "
                  "publishes has no payload and never arrives; usually a renamed event or a "
                  "missing `publishes`.",
      fix="Publish the event from its owner, fix its name, or remove it from the topic.",
      bad=_HEAD + "event_bus: {technology: kafka, topics: {orders: {events: [order.created, "
                  "order.shipped]}}}\nservices:\n" + _PUB + _SUB,
      good=_HEAD + _BUS + "services:\n" + _PUB + _SUB)
def topic_event_unpublished(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    published = [e.name for e in ctx.catalog.events.values() if e.producers]
    for topic in ctx.catalog.topics.values():
        for i, name in enumerate(topic.events):
            event = ctx.catalog.events.get(name)
            if event is not None and not event.producers:
                yield self.finding(ctx, f"topic {topic.name} lists {name}, which no service "
                                   "publishes", ("event_bus", "topics", topic.name, "events", i),
                                   hint=did_you_mean(name, published) or self.fix)


RULES = (event_bus_missing, event_without_topic, consumed_without_producer,
         published_without_consumer, event_multiple_producers, topic_key_not_in_payload,
         event_bus_technology_unknown, emits_unpublished, topic_event_unpublished)

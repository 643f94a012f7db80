"""AGD3xx: events removed, renamed or moved; payload fields; topics' contracts."""

from __future__ import annotations

from archgen.diff.context import DiffContext, join
from archgen.diff.fields import FieldChange, compare, describe
from archgen.model.resolved import Publication, Service, Topic, duration_seconds


def check(ctx: DiffContext) -> None:
    _events(ctx)
    _payloads(ctx)
    _topics(ctx)


def _pub_pointer(service: str, event: str) -> tuple[str, ...]:
    return ("services", service, "publishes", event)


def _events(ctx: DiffContext) -> None:
    old, new = ctx.old.catalog.events, ctx.new.catalog.events
    renamed = {was: now for now, was in ctx.event_renames.items()}
    for name, event in old.items():
        if not event.producers:
            continue
        consumers = join(event.consumers)
        if name in renamed and renamed[name] in new:
            now = renamed[name]
            producer = new[now].producers[0] if new[now].producers else event.producers[0]
            ctx.changed("AGD303", f"event {name} is now {now}; its consumers "
                        f"{consumers} must switch together with its producer",
                        _pub_pointer(producer, now))
        elif name not in new or not new[name].producers:
            code = "AGD301" if event.consumers else "AGD302"
            ctx.removed(code, f"event {name} is no longer published, consumed by {consumers}",
                        _pub_pointer(event.producers[0], name))
    for name, event in new.items():
        was = ctx.event_renames.get(name, name)
        is_new = was not in old or not old[was].producers
        if event.producers and is_new and name not in ctx.event_renames:
            ctx.changed("AGD390", f"event {name} is new", _pub_pointer(event.producers[0], name))
        if was in old and old[was].topics and event.topics and \
                set(old[was].topics) != set(event.topics):
            _moved(ctx, name, old[was].topics, event.topics, event.consumers)


def _moved(ctx: DiffContext, name: str, before: tuple[str, ...], after: tuple[str, ...],
           consumers: tuple[str, ...]) -> None:
    topic = after[0]
    index = ctx.new.catalog.topics[topic].events.index(name)
    ctx.changed("AGD304", f"event {name} moved from topic {join(before)} to {join(after)}; "
                f"consumers {join(consumers)} read the old topic",
                ("event_bus", "topics", topic, "events", index))


def _payloads(ctx: DiffContext) -> None:
    for old, new in ctx.service_pairs():
        before = {p.event: p for p in old.publishes}
        for pub in new.publishes:
            was = before.get(ctx.event_renames.get(pub.event, pub.event))
            if was is not None:
                _payload(ctx, new, was, pub)


def _payload(ctx: DiffContext, service: Service, a: Publication, b: Publication) -> None:
    where = (*_pub_pointer(service.name, b.event), "payload")
    event = ctx.new.catalog.events[b.event]
    consumers = f"consumed by {join(event.consumers)}"
    others = [p for p in event.producers if p != service.name]
    for change in compare(a.payload, b.payload):
        subject = f"payload field `{change.name}` of {b.event} ({service.name})"
        at = (*where, change.name)
        verdict = _verdict(change, others)
        if verdict is None:
            continue
        code, what = verdict
        tail = f"also published by {join(others)}" if code == "AGD306" else consumers
        if change.kind == "removed":
            ctx.removed(code, f"{subject} {what}; {tail}", at, new_parent=where)
        else:
            ctx.changed(code, f"{subject} {what}; {tail}", at)


def _verdict(c: FieldChange, other_producers: list[str]) -> tuple[str, str] | None:
    if c.kind == "removed":
        return "AGD204", "was removed"
    if c.kind == "added":
        if c.required and other_producers:
            return "AGD306", "was added as required"
        return "AGD290", "was added"
    if c.kind == "retyped":
        return "AGD305", f"changed type ({c.detail})"
    if "required to optional" in c.widened:
        return "AGD305", "became optional"
    if c.enum_added or c.enum_removed:
        parts = [*(f"{v} added" for v in c.enum_added), *(f"{v} removed" for v in c.enum_removed)]
        return "AGD307", f"changed its enum values ({', '.join(parts)})"
    text = describe(c, narrowing=True) or describe(c, narrowing=False)
    return ("AGD290", f"changed compatibly ({text})") if text else None


def _topics(ctx: DiffContext) -> None:
    old, new = ctx.old.catalog.topics, ctx.new.catalog.topics
    for name, topic in old.items():
        if name not in new:
            events = [e for e in topic.events if e in ctx.new.catalog.events]
            ctx.removed("AGD310", f"topic {name} was removed; it carried "
                        f"{join(topic.events, 'no event')}"
                        + (f" ({join(events)} still in use)" if events else ""),
                        ("event_bus", "topics", name), new_parent=("event_bus", "topics"))
        else:
            _topic(ctx, topic, new[name])
    for name in new:
        if name not in old:
            ctx.changed("AGD390", f"topic {name} is new", ("event_bus", "topics", name))


def _topic(ctx: DiffContext, a: Topic, b: Topic) -> None:
    at = ("event_bus", "topics", b.name)
    readers = join(sorted({c for e in b.events if e in ctx.new.catalog.events
                           for c in ctx.new.catalog.events[e].consumers}))
    if a.key is not None and a.key != b.key:  # gaining a key only adds ordering
        ctx.changed("AGD311", f"topic {b.name} is keyed by {b.key or 'nothing'} instead of "
                    f"{a.key or 'nothing'}; per-key ordering changes for {readers}", (*at, "key"))
    if a.partitions and b.partitions and a.partitions != b.partitions:
        code = "AGD312" if b.partitions < a.partitions else "AGD313"
        ctx.changed(code, f"topic {b.name} goes from {a.partitions} to {b.partitions} "
                    f"partitions; read by {readers}", (*at, "partitions"))
    # Unset means the broker's default, unknown here: compare only what both catalogs say.
    if a.spec.retention and b.spec.retention and _retention(a) > _retention(b):
        ctx.changed("AGD314", f"topic {b.name} keeps messages {b.spec.retention} instead of "
                    f"{a.spec.retention or 'forever'}; read by {readers}", (*at, "retention"))
    if a.dead_letter and not b.dead_letter:
        ctx.changed("AGD315", f"topic {b.name} loses its dead-letter queue; read by {readers}",
                    at)


def _retention(topic: Topic) -> float:
    """Seconds; `forever` as infinity."""
    seconds = duration_seconds(topic.spec.retention)
    return float("inf") if seconds is None else seconds

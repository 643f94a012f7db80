"""AGX3xx: topics, consumer groups and sampled messages on the broker against the catalog.

Expected topics and groups are the deployment model's (`archgen.model.deployment`,
what `archgen up` and the Helm chart create): each topic and its dead-letter
topic, one group per consuming service (named after it) reading the topics of
the events it consumes. Sampled messages are validated against the payload
schema of the AsyncAPI document `archgen generate` writes.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from archgen.drift.context import DriftContext
from archgen.drift.observed import Message
from archgen.model.deployment import Deployment, deployment
from archgen.model.resolved import ResolvedCatalog

MAX_PROBLEMS = 3  # per message: the first few say enough


def check(ctx: DriftContext) -> None:
    broker = ctx.observed.broker
    if broker is None:
        return
    dep = deployment(ctx.catalog)
    _topics(ctx, dep, broker.topics)
    _groups(ctx, dep, broker.groups)
    validators = _validators(ctx.catalog)
    seen: dict[tuple[str, ...], list[Message]] = {}
    for message in broker.messages:
        key = _verdict(ctx, dep, validators, message)
        if key is not None:
            seen.setdefault(key, []).append(message)
    for key, messages in seen.items():
        _report(ctx, key, messages)


def _topic_pointer(topic: str) -> tuple[str, ...]:
    return ("event_bus", "topics", topic)


def _topics(ctx: DriftContext, dep: Deployment, present: frozenset[str]) -> None:
    declared = {t.name for t in dep.topics.values()}
    dead = {t.dead_letter_topic for t in dep.topics.values() if t.dead_letter_topic}
    for name in sorted(present - declared - dead):
        if not name.startswith("__"):  # the broker's own (__consumer_offsets)
            ctx.add("AGX301", f"topic `{name}` exists on the broker; the catalog routes no "
                    "event through it", ("event_bus", "topics"))
    for name in sorted(declared - present):
        ctx.add("AGX302", f"topic `{name}` is declared but does not exist on the broker",
                _topic_pointer(name))


def _groups(ctx: DriftContext, dep: Deployment, groups: dict[str, frozenset[str]]) -> None:
    expected = {s.consumer_group: s for s in dep.services.values() if s.consumer_group}
    topic_names = {t.name for t in dep.topics.values()}
    for group, topics in sorted(groups.items()):
        service = expected.get(group)
        if service is None:
            read = ", ".join(f"`{t}`" for t in sorted(topics)) or "no topic yet"
            ctx.add("AGX303", f"consumer group `{group}` reads {read}; no service of the "
                    "catalog consumes as that group",
                    _topic_pointer(min(topics & topic_names)) if topics & topic_names
                    else ("event_bus", "topics"))
            continue
        for topic in sorted(topics - set(service.consumes_topics)):
            ctx.add("AGX304", f"{service.name}'s consumer group reads topic `{topic}`, but "
                    f"{service.name} consumes no event routed through it",
                    ("services", service.name, "consumes"))


def _schema_root(catalog: ResolvedCatalog) -> dict[str, Any]:
    from archgen.generators.asyncapi import asyncapi_document

    return dict(asyncapi_document(catalog, "")["components"])


def _validators(catalog: ResolvedCatalog) -> dict[str, Draft202012Validator]:
    """Event -> a validator of its payload; `$ref`s resolve within the AsyncAPI components."""
    components = _schema_root(catalog)
    out = {}
    for event, message in components.get("messages", {}).items():
        payload = message.get("payload")
        if isinstance(payload, dict):
            schema = {**payload, "components": {"schemas": components.get("schemas", {})}}
            out[event] = Draft202012Validator(
                schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return out


def _source(ctx: DriftContext, message: Message) -> str | None:
    """The catalog service the CloudEvents source (`/<system>/<service>`) names, if any."""
    name = (message.source or "").rstrip("/").rsplit("/", 1)[-1]
    return name if name in ctx.catalog.services else None


def _producer(ctx: DriftContext, message: Message, event: str) -> str | None:
    """The service that sent it: the CloudEvents source names it; else the only producer."""
    producers = ctx.catalog.events[event].producers if event in ctx.catalog.events else ()
    return _source(ctx, message) or (producers[0] if len(producers) == 1 else None)


def _verdict(ctx: DriftContext, dep: Deployment,
             validators: dict[str, Draft202012Validator], message: Message
             ) -> tuple[str, ...] | None:
    """What is wrong with a message, as a key that groups alike messages; None if nothing."""
    topic = dep.topics.get(message.topic)
    if topic is None:
        return None  # an undeclared or dead-letter topic: reported as a topic, or expected
    event = message.event
    if event is None or event not in topic.events:
        return ("AGX311", message.topic, event or "untyped")
    source = _source(ctx, message)
    if source is not None and source not in ctx.catalog.events[event].producers:
        return ("AGX312", message.topic, event, source)
    problems = _problems(validators.get(event), message, event)
    if not problems:
        return None
    return ("AGX310", message.topic, event, _producer(ctx, message, event) or "",
            "; ".join(problems[:MAX_PROBLEMS]))


def _report(ctx: DriftContext, key: tuple[str, ...], messages: list[Message]) -> None:
    first = messages[0]
    at = f"{first.topic}[{first.partition}]@{first.offset}"
    count = f"{len(messages)} sampled message(s), first {at}"
    if key[0] == "AGX311":
        ctx.add("AGX311", f"`{key[2]}` events are on topic `{key[1]}`, which the catalog "
                f"routes no such event through ({count})", _topic_pointer(key[1]))
        return
    if key[0] == "AGX312":
        _, topic, event, source = key
        ctx.add("AGX312", f"{source} publishes `{event}` on topic `{topic}` but does not "
                f"declare it ({count})", ("services", source, "publishes"))
        return
    _, topic, event, producer, problems = key
    where = (("services", producer, "publishes", event) if producer
             else _topic_pointer(topic))
    by = f" from {producer}" if producer else ""
    ctx.add("AGX310", f"`{event}` events{by} on topic `{topic}` break the payload schema: "
            f"{problems} ({count})", where)


def _problems(validator: Draft202012Validator | None, message: Message, event: str
              ) -> list[str]:
    if not message.decoded:
        return ["the body is not JSON"]
    if validator is None:
        return []
    problems = [_say(e.message, list(e.absolute_path))
                for e in sorted(validator.iter_errors(message.body), key=lambda e: e.path)]
    declared = validator.schema.get("properties")
    if isinstance(message.body, dict) and isinstance(declared, dict):
        problems += [f"field `{k}` is not in the payload of {event}"
                     for k in message.body if k not in declared]
    return problems


def _say(text: str, path: list[Any]) -> str:
    where = ".".join(str(p) for p in path)
    return f"{where}: {text}" if where else text

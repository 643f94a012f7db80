"""AsyncAPI 3.0: `asyncapi.yaml`, the event bus as one document.

One channel per topic (address = topic name, Kafka bindings), a dead-letter
channel `<topic>.dlq` where configured, one message per event with its payload
and a CloudEvents envelope in the headers, and per service one operation per
`publishes` / `consumes` entry and topic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archgen.generators.common import Ordered, dump_yaml, free_name
from archgen.generators.inputs import document_unit
from archgen.generators.schemas import (
    Schema,
    SchemaContext,
    component_names,
    component_schemas,
    field_schema,
    object_schema,
    reachable_models,
)
from archgen.model.resolved import Publication, ResolvedCatalog, Service, Topic
from archgen.output import GenerationContext, OutputFile, Unit

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING = "0.5.0"
SCHEMA_BASE = "#/components/schemas/"
ENVELOPE = "CloudEventHeaders"
# Binary content mode of the CloudEvents Kafka binding: attributes travel as ce_* headers.
_CE_TEXT = {"type": "string"}
# W3C Trace Context's traceparent: version, trace id, parent span id, flags (lower-case hex).
TRACEPARENT = "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"


class AsyncApiGenerator:
    name = "asyncapi"
    description = "AsyncAPI 3.0 document of the event bus"

    def plan(self, ctx: GenerationContext) -> list[OutputFile]:
        return [f for unit in self.units(ctx) for f in unit.render()]

    def units(self, ctx: GenerationContext) -> list[Unit]:
        """One unit, fingerprinted on the document as data (inputs.document_unit)."""
        broker = ctx.deployment.broker
        if not ctx.catalog.topics or broker is None:
            return []
        document = asyncapi_document(ctx.catalog, broker.bootstrap)
        return [document_unit(f"{self.name}:", self.name,
                              [("asyncapi.yaml", dump_yaml, document)])]


def asyncapi_document(catalog: ResolvedCatalog, bootstrap: str) -> Ordered:
    system, bus = catalog.system, catalog.event_bus
    producers = _first_producers(catalog)
    names = component_names({
        s: reachable_models(catalog.services[s], [f.type for p in pubs for f in p.payload])
        for s, pubs in _publications_by_service(producers).items()})
    envelope = free_name(ENVELOPE, {n for models in names.values() for n in models.values()})
    schemas: dict[str, Schema] = {envelope: envelope_schema()}
    for service, models in names.items():
        schemas.update(component_schemas(catalog.services[service], sorted(models),
                                         SchemaContext(SCHEMA_BASE, models)))
    messages = {event: message(catalog, event, producers.get(event), names, envelope)
                for event in sorted(catalog.events)}
    technology = (bus.technology if bus else None) or "kafka"
    description = bus.description if bus else None
    doc_info: dict[str, Any] = {"title": f"{system.title or system.name} events",
                                "version": system.version or "0.0.0"}
    if description:
        doc_info["description"] = description
    if system.owner:
        doc_info["contact"] = {"name": system.owner}
    return Ordered(
        asyncapi=ASYNCAPI_VERSION,
        info=doc_info,
        defaultContentType="application/json",
        servers={"event-bus": {"host": bootstrap, "protocol": technology,
                               "description": "The event bus (in-cluster address)"}},
        channels=channels(catalog),
        operations=operations(catalog),
        components={"schemas": schemas, "messages": messages},
    )


def _first_producers(catalog: ResolvedCatalog) -> dict[str, tuple[Service, Publication]]:
    """Per event, the publication its payload comes from: the first producer declaring it."""
    out: dict[str, tuple[Service, Publication]] = {}
    for service in catalog.services.values():
        for pub in service.publishes:
            out.setdefault(pub.event, (service, pub))
    return out


def _publications_by_service(
        producers: Mapping[str, tuple[Service, Publication]]) -> dict[str, list[Publication]]:
    out: dict[str, list[Publication]] = {}
    for service, pub in producers.values():
        out.setdefault(service.name, []).append(pub)
    return out


def envelope_schema() -> Schema:
    return {
        "type": "object",
        "description": "CloudEvents 1.0 attributes in Kafka headers (binary content mode).",
        "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time"],
        "properties": {
            "ce_specversion": {"type": "string", "const": "1.0"},
            "ce_id": {**_CE_TEXT, "description": "Unique per event; consumers deduplicate on it."},
            "ce_source": {"type": "string", "format": "uri-reference",
                          "description": "The producing service: /<system>/<service>."},
            "ce_type": {**_CE_TEXT, "description": "The event name, e.g. order.created."},
            "ce_time": {"type": "string", "format": "date-time"},
            "ce_subject": {**_CE_TEXT, "description": "The entity the event is about: the "
                                                      "value of the topic's partition key."},
            "content-type": {"type": "string", "const": "application/json"},
            "traceparent": {"type": "string", "pattern": TRACEPARENT,
                            "description": "W3C Trace Context of what caused the event (a "
                                           "request, an event handled): its consumers "
                                           "continue that trace."},
            "tracestate": {"type": "string",
                           "description": "W3C Trace Context vendor state, with traceparent."},
        },
    }


def message(catalog: ResolvedCatalog, event: str, producer: tuple[Service, Publication] | None,
            names: Mapping[str, Mapping[str, str]], envelope: str) -> dict[str, Any]:
    info = catalog.events[event]
    headers: Schema = {"type": "object", "allOf": [{"$ref": SCHEMA_BASE + envelope}],
                       "properties": {"ce_type": {"type": "string", "const": event}}}
    if info.producers:
        headers["properties"]["ce_source"] = {
            "type": "string", "enum": [f"/{catalog.system.name}/{p}" for p in info.producers]}
    msg: dict[str, Any] = {"name": event, "title": event, "contentType": "application/json",
                           "headers": headers, "payload": _payload(event, producer, names)}
    if producer is not None:
        pub = producer[1]
        if pub.when:
            msg["summary"] = pub.when
        if pub.spec.description:
            msg["description"] = pub.spec.description
    key = _key_schema(catalog, event, producer, names)
    if key is not None:
        msg["bindings"] = {"kafka": {"key": key, "bindingVersion": KAFKA_BINDING}}
    msg["x-archgen-producers"] = list(info.producers)
    msg["x-archgen-consumers"] = list(info.consumers)
    return msg


def _payload(event: str, producer: tuple[Service, Publication] | None,
             names: Mapping[str, Mapping[str, str]]) -> Schema:
    if producer is None:
        return {"type": "object",
                "description": f"No service publishes {event}; its payload is not declared."}
    service, pub = producer
    return object_schema(pub.payload, SchemaContext(SCHEMA_BASE, names.get(service.name, {})))


def _key_schema(catalog: ResolvedCatalog, event: str,
                producer: tuple[Service, Publication] | None,
                names: Mapping[str, Mapping[str, str]]) -> Schema | None:
    """The Kafka key: the topic's `key` field of the payload, when all its topics agree."""
    keys = {catalog.topics[t].key for t in catalog.events[event].topics if t in catalog.topics}
    if len(keys) != 1 or None in keys:
        return None
    key = next(iter(keys))
    assert key is not None
    fields = {f.name: f for f in producer[1].payload} if producer else {}
    if key in fields:
        ctx = SchemaContext(SCHEMA_BASE, names.get(producer[0].name, {}) if producer else {})
        schema = field_schema(fields[key], ctx)
    else:
        schema = {"type": "string"}
    return {**schema, "description": f"Partition key: the event's {key}."}


def channels(catalog: ResolvedCatalog) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, topic in sorted(catalog.topics.items()):
        out[name] = _channel(name, topic, topic.spec.description)
        if topic.key:
            out[name]["x-archgen-partition-key"] = topic.key
        if topic.dead_letter:
            dlq = dead_letter_name(name)
            out[dlq] = _channel(dlq, topic, f"Dead letters of {name}: events its consumers "
                                            "could not process after their retries.")
            out[dlq]["x-archgen-dead-letter-of"] = name
            retry = _retry_policy(catalog)
            if retry:
                out[dlq]["x-archgen-retry"] = retry
    return out


def dead_letter_name(topic: str) -> str:
    return f"{topic}.dlq"


def _channel(address: str, topic: Topic, description: str | None) -> dict[str, Any]:
    kafka: dict[str, Any] = {"topic": address, "bindingVersion": KAFKA_BINDING}
    if topic.partitions:
        kafka["partitions"] = topic.partitions
    if topic.replication_factor:
        kafka["replicas"] = topic.replication_factor
    config: dict[str, Any] = {"cleanup.policy": ["delete"]}
    if topic.spec.retention == "forever":
        config["retention.ms"] = -1
    elif topic.retention_s is not None:
        config["retention.ms"] = round(topic.retention_s * 1000)
    kafka["topicConfiguration"] = config
    channel: dict[str, Any] = {
        "address": address,
        "messages": {e: {"$ref": f"#/components/messages/{e}"} for e in topic.events},
        "bindings": {"kafka": kafka},
    }
    if description:
        channel["description"] = description
    return channel


def _retry_policy(catalog: ResolvedCatalog) -> dict[str, Any]:
    comm = catalog.communication
    retries = comm.async_.retries if comm and comm.async_ else None
    if retries is None:
        return {}
    return {k: v for k, v in retries.model_dump().items() if v is not None}


def operations(catalog: ResolvedCatalog) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, service in sorted(catalog.services.items()):
        tags = [{"name": service.bounded_context or name}]
        for pub in service.publishes:
            for topic in _topics_of(catalog, pub.event):
                op = _operation("send", topic, pub.event, pub.when, pub.spec.description, tags)
                out[_op_id(catalog, name, "send", pub.event, topic)] = op
        for sub in service.consumes:
            for topic in _topics_of(catalog, sub.event):
                op = _operation("receive", topic, sub.event, sub.action,
                                sub.spec.description, tags)
                if sub.spec.idempotent is not None:
                    op["x-archgen-idempotent"] = sub.spec.idempotent
                out[_op_id(catalog, name, "receive", sub.event, topic)] = op
                if catalog.topics[topic].dead_letter:
                    dlq = dead_letter_name(topic)
                    out[_op_id(catalog, name, "send", sub.event, dlq)] = _operation(
                        "send", dlq, sub.event, f"Dead-letter {sub.event} after failed retries",
                        None, tags)
    return out


def _topics_of(catalog: ResolvedCatalog, event: str) -> list[str]:
    info = catalog.events.get(event)
    return sorted(t for t in info.topics if t in catalog.topics) if info else []


def _op_id(catalog: ResolvedCatalog, service: str, action: str, event: str,
           channel: str) -> str:
    # The common case (one topic per event) keeps short ids; otherwise name the channel.
    several = len(_topics_of(catalog, event)) > 1 or channel.endswith(".dlq")
    suffix = f".via.{channel}" if several else ""
    return f"{service}.{action}.{event}{suffix}"


def _operation(action: str, channel: str, event: str, summary: str,
               description: str | None, tags: list[dict[str, str]]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "action": action,
        "channel": {"$ref": f"#/channels/{channel}"},
        "messages": [{"$ref": f"#/channels/{channel}/messages/{event}"}],
        "tags": tags,
    }
    if summary:
        op["summary"] = summary
    if description:
        op["description"] = description
    return op

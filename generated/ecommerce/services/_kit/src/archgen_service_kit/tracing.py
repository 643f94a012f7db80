"""Trace context across the broker (W3C Trace Context in the Kafka headers).

An event carries the `traceparent` of what caused it (the request, or the event being
handled) in its headers, so it is stored with its outbox row; the relay sends it in a
producer span of that trace, and the consumer handles it in a consumer span, the child of
the send. One order is then one trace across every service it reaches.
Without OpenTelemetry (the services' `otel` extra) each helper does nothing.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .storage import Message

# The headers the propagator writes: W3C Trace Context, and baggage when there is some.
CONTEXT_HEADERS = ("traceparent", "tracestate", "baggage")


@functools.cache
def _otel() -> tuple[Any, Any, Any] | None:
    """OpenTelemetry's trace and propagation API and the kit's tracer, if installed."""
    try:
        trace = importlib.import_module("opentelemetry.trace")
        propagate = importlib.import_module("opentelemetry.propagate")
    except ImportError:
        return None
    return trace, propagate, trace.get_tracer("archgen_service_kit")


def inject(headers: dict[str, str]) -> None:
    """Add the current trace context to `headers` (an HTTP call's, an event's)."""
    otel = _otel()
    if otel is not None:
        otel[1].inject(headers)


def context_headers() -> list[tuple[str, str]]:
    """The current trace context as event headers; none outside a trace."""
    carrier: dict[str, str] = {}
    inject(carrier)
    return sorted(carrier.items())


def _extract(headers: Any) -> Any:
    """The trace context in raw Kafka headers ((name, bytes) pairs); unreadable values
    count as absent (the consumer reports those on its own)."""
    carrier: dict[str, str] = {}
    for key, value in headers or ():
        if key in CONTEXT_HEADERS and value is not None:
            try:
                carrier[key] = bytes(value).decode("ascii")
            except UnicodeDecodeError:
                continue
    otel = _otel()
    return otel[1].extract(carrier) if otel is not None else None


def sending(message: Message) -> tuple[Any, Message]:
    """A producer span for sending `message`, the child of the context it was stored
    with, and the message carrying that span as its parent for the consumers."""
    otel = _otel()
    if otel is None:
        return None, message
    trace, propagate, tracer = otel
    span = tracer.start_span(
        f"send {message.topic}",
        context=_extract(message.headers),
        kind=trace.SpanKind.PRODUCER,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "send",
            "messaging.destination.name": message.topic,
            **_event_attributes(message.headers),
        },
    )
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=trace.set_span_in_context(span))
    kept = tuple((k, v) for k, v in message.headers if k not in CONTEXT_HEADERS)
    headers = kept + tuple((k, v.encode()) for k, v in sorted(carrier.items()))
    return span, Message(message.topic, message.key, message.value, headers)


def sent(span: Any, error: BaseException | None) -> None:
    """End a send's span: an error if the broker did not take the message."""
    if span is None:
        return
    otel = _otel()
    if error is not None and otel is not None:
        _fail(otel[0], span, f"{error.__class__.__name__}: {error}")
    span.end()


@contextmanager
def consuming(msg: Any) -> Iterator[None]:
    """Handle the Kafka message `msg` in a consumer span, the child of the span that sent
    it (a new trace when it came without one); what it publishes goes on in that trace."""
    otel = _otel()
    if otel is None:
        yield
        return
    trace, _, tracer = otel
    attributes: dict[str, Any] = {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.destination.name": msg.topic,
        "messaging.destination.partition.id": str(msg.partition),
        "messaging.kafka.offset": msg.offset,
        **_event_attributes(msg.headers),
    }
    if msg.key is not None:
        attributes["messaging.kafka.message.key"] = bytes(msg.key).decode(errors="replace")
    with tracer.start_as_current_span(
        f"process {msg.topic}",
        context=_extract(msg.headers),
        kind=trace.SpanKind.CONSUMER,
        attributes=attributes,
    ):
        yield


def outcome(result: str, why: str = "") -> None:
    """Note a handled message's outcome on the current span: anything but ok or duplicate
    (dead-lettered, dropped) marks it failed."""
    otel = _otel()
    if otel is None:
        return
    span = otel[0].get_current_span()
    span.set_attribute("archgen.outcome", result)
    if result not in ("ok", "duplicate"):
        _fail(otel[0], span, why or result)


def _fail(trace: Any, span: Any, description: str) -> None:
    span.set_status(trace.Status(trace.StatusCode.ERROR, description[:300]))


def _event_attributes(headers: Any) -> dict[str, str]:
    """The CloudEvents attributes a span is found by: the event's type and id."""
    out: dict[str, str] = {}
    for key, name in (("ce_type", "cloudevents.event_type"), ("ce_id", "cloudevents.event_id")):
        value = next((v for k, v in headers or () if k == key and v is not None), None)
        if value is not None:
            out[name] = bytes(value).decode(errors="replace")
    return out

"""Trace context across the broker (W3C Trace Context in the Kafka headers).

An event carries the `traceparent` of what caused it (the request, or the event being
handled) in its headers, so it is stored with its outbox row; the relay sends it in a
producer span of that trace, and the consumer handles it in a consumer span, the child of
the send. One order is then one trace across every service it reaches.
A service that records no spans (no OTLP endpoint) passes the context on unchanged;
without OpenTelemetry (the services' `otel` extra) each helper does nothing.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .storage import Message

# The headers the propagator writes: W3C Trace Context, and baggage when there is some.
CONTEXT_HEADERS = ("traceparent", "tracestate", "baggage")


@dataclass(frozen=True)
class _Api:
    """OpenTelemetry's API modules and the kit's tracer."""

    trace: Any
    propagate: Any
    context: Any
    tracer: Any

    def recording(self) -> bool:
        """Whether this service records spans (observability.setup_tracing set a tracer
        provider up); otherwise its spans would go nowhere and cost time for nothing."""
        provider = self.trace.get_tracer_provider()
        return not isinstance(
            provider, (self.trace.ProxyTracerProvider, self.trace.NoOpTracerProvider)
        )


@functools.cache
def _api() -> _Api | None:
    try:
        trace = importlib.import_module("opentelemetry.trace")
        propagate = importlib.import_module("opentelemetry.propagate")
        context = importlib.import_module("opentelemetry.context")
    except ImportError:
        return None
    return _Api(trace, propagate, context, trace.get_tracer("archgen_service_kit"))


def _recording() -> _Api | None:
    api = _api()
    return api if api is not None and api.recording() else None


def inject(headers: dict[str, str]) -> None:
    """Add the current trace context to `headers` (an HTTP call's, an event's)."""
    api = _api()
    if api is not None:
        api.propagate.inject(headers)


def context_headers() -> list[tuple[str, str]]:
    """The current trace context as event headers; none outside a trace."""
    carrier: dict[str, str] = {}
    inject(carrier)
    return sorted(carrier.items())


def _extract(api: _Api, headers: Any) -> Any:
    """The trace context in raw Kafka headers ((name, bytes) pairs); unreadable values
    count as absent (the consumer reports those on its own)."""
    carrier: dict[str, str] = {}
    for key, value in headers or ():
        if key in CONTEXT_HEADERS and value is not None:
            try:
                carrier[key] = bytes(value).decode("ascii")
            except UnicodeDecodeError:
                continue
    return api.propagate.extract(carrier)


def sending(message: Message) -> tuple[Any, Message]:
    """A producer span for sending `message`, the child of the context it was stored
    with, and the message carrying that span as its parent for the consumers. Without
    spans recorded here the message goes as it was stored."""
    api = _recording()
    if api is None:
        return None, message
    span = api.tracer.start_span(
        f"send {message.topic}",
        context=_extract(api, message.headers),
        kind=api.trace.SpanKind.PRODUCER,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "send",
            "messaging.destination.name": message.topic,
            **_event_attributes(message.headers),
        },
    )
    carrier: dict[str, str] = {}
    api.propagate.inject(carrier, context=api.trace.set_span_in_context(span))
    kept = tuple((k, v) for k, v in message.headers if k not in CONTEXT_HEADERS)
    headers = kept + tuple((k, v.encode()) for k, v in sorted(carrier.items()))
    return span, Message(message.topic, message.key, message.value, headers)


def sent(span: Any, error: BaseException | None) -> None:
    """End a send's span: an error if the broker did not take the message."""
    api = _api()
    if span is None or api is None:
        return
    if error is not None:
        _fail(api, span, f"{error.__class__.__name__}: {error}")
    span.end()


@contextmanager
def consuming(msg: Any) -> Iterator[None]:
    """Handle the Kafka message `msg` in a consumer span, the child of the span that sent
    it (a new trace when it came without one); what it publishes goes on in that trace.
    Without spans recorded here, what it publishes still carries the sender's context."""
    api = _api()
    if api is None:
        yield
        return
    if not api.recording():
        with _carried(api, msg.headers):
            yield
        return
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
    with api.tracer.start_as_current_span(
        f"process {msg.topic}",
        context=_extract(api, msg.headers),
        kind=api.trace.SpanKind.CONSUMER,
        attributes=attributes,
    ):
        yield


@contextmanager
def _carried(api: _Api, headers: Any) -> Iterator[None]:
    """The sender's trace context as the current one, when it sent one."""
    if not any(k == "traceparent" for k, _ in headers or ()):
        yield
        return
    token = api.context.attach(_extract(api, headers))
    try:
        yield
    finally:
        api.context.detach(token)


def outcome(result: str, why: str = "") -> None:
    """Note a handled message's outcome on the current span: anything but ok or duplicate
    (dead-lettered, dropped) marks it failed."""
    api = _recording()
    if api is None:
        return
    span = api.trace.get_current_span()
    span.set_attribute("archgen.outcome", result)
    if result not in ("ok", "duplicate"):
        _fail(api, span, why or result)


def _fail(api: _Api, span: Any, description: str) -> None:
    span.set_status(api.trace.Status(api.trace.StatusCode.ERROR, description[:300]))


def _event_attributes(headers: Any) -> dict[str, str]:
    """The CloudEvents attributes a span is found by: the event's type and id."""
    out: dict[str, str] = {}
    for key, name in (("ce_type", "cloudevents.event_type"), ("ce_id", "cloudevents.event_id")):
        value = next((v for k, v in headers or () if k == key and v is not None), None)
        if value is not None:
            out[name] = bytes(value).decode(errors="replace")
    return out

"""JSON logs with trace ids, Prometheus RED metrics and consumer lag, optional OTLP traces.

Every request gets one access line (method, route template, status, ms, request id)
and its RED metrics from one pure ASGI middleware.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
import time
import uuid
from contextvars import ContextVar
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The request id of the request being served: in every log line written while serving it.
request_id: ContextVar[str] = ContextVar("request_id", default="")
access_log = logging.getLogger("access")


class Metrics:
    """One registry per app, so that tests can build several apps in one process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request duration",
            ["method", "route"],
            registry=self.registry,
        )
        self.handled = Counter(
            "events_handled_total",
            "Events handled by consumers",
            ["event", "outcome"],
            registry=self.registry,
        )
        self.handling = Histogram(
            "event_handling_seconds", "Event handling time", ["event"], registry=self.registry
        )
        self.lag = Gauge(
            "kafka_consumer_lag",
            "Messages behind the partition's end",
            ["topic", "partition"],
            registry=self.registry,
        )
        self.parked = Counter(
            "outbox_parked_total",
            "Outbox events the broker refused, parked",
            ["topic"],
            registry=self.registry,
        )


class AccessMiddleware:
    """RED metrics and one access line per request; the request id (the caller's
    `x-request-id`, else a new one) goes back in the response's `x-request-id`.
    Requests to the `quiet` paths (health probes, metrics scrapes) log at DEBUG."""

    def __init__(self, app: ASGIApp, metrics: Metrics, quiet: frozenset[str]) -> None:
        self.app = app
        self.metrics = metrics
        self.quiet = quiet

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = _header(scope, b"x-request-id") or uuid.uuid4().hex
        token = request_id.set(rid)
        status = 500  # what the server answers if the app raises before responding

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", ()),
                    (b"x-request-id", rid.encode("latin-1")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            method = scope["method"]
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(elapsed)
            ms = round(elapsed * 1000, 1)
            level = logging.DEBUG if route in self.quiet else logging.INFO
            if access_log.isEnabledFor(level):
                # The record made and handled directly: Logger.log would also walk the
                # stack for the caller's file and line, always this line.
                access_log.handle(
                    access_log.makeRecord(
                        access_log.name,
                        level,
                        __file__,
                        0,
                        "%s %s %d %.1f ms",
                        (method, route, status, ms),
                        None,
                        extra={
                            "http_method": method,
                            "http_route": route,
                            "http_status": status,
                            "duration_ms": ms,
                        },
                    )
                )
            request_id.reset(token)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            # Only what is safe to echo and log: printable ASCII, bounded.
            text = value.decode("latin-1")[:128]
            return text if text.isprintable() and text.isascii() else ""
    return ""


def _trace_ids() -> tuple[str, str]:
    # Not imported means no tracer was set up: no span can be current (and no import
    # machinery runs for each log line).
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:
        return "", ""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return "", ""
    return f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}"


_ACCESS_FIELDS = ("http_method", "http_route", "http_status", "duration_ms")


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service
        self._second = -1
        self._second_text = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """logging's default text, its strftime done once a second, not once a line."""
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        second = int(record.created)
        if second != self._second:
            self._second_text = time.strftime("%Y-%m-%d %H:%M:%S", self.converter(record.created))
            self._second = second
        return f"{self._second_text},{int(record.msecs):03d}"

    def format(self, record: logging.LogRecord) -> str:
        trace_id, span_id = _trace_ids()
        data: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service,
        }
        if trace_id:
            data["trace_id"], data["span_id"] = trace_id, span_id
        rid = request_id.get()
        if rid:
            data["request_id"] = rid
        for key in _ACCESS_FIELDS:
            if key in record.__dict__:
                data[key] = record.__dict__[key]
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data)


def setup_logging(service: str, level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def setup_tracing(app: Any, service: str, endpoint: str) -> None:
    """OTLP traces when OTEL_EXPORTER_OTLP_ENDPOINT is set (extra `otel`); off otherwise."""
    if not endpoint:
        return
    sdk = importlib.import_module("opentelemetry.sdk.trace")
    export = importlib.import_module("opentelemetry.sdk.trace.export")
    otlp = importlib.import_module("opentelemetry.exporter.otlp.proto.http.trace_exporter")
    resources = importlib.import_module("opentelemetry.sdk.resources")
    trace = importlib.import_module("opentelemetry.trace")
    provider = sdk.TracerProvider(resource=resources.Resource.create({"service.name": service}))
    provider.add_span_processor(
        export.BatchSpanProcessor(
            otlp.OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")
        )
    )
    trace.set_tracer_provider(provider)
    fastapi_otel = importlib.import_module("opentelemetry.instrumentation.fastapi")
    fastapi_otel.FastAPIInstrumentor.instrument_app(app)
    importlib.import_module(
        "opentelemetry.instrumentation.httpx"
    ).HTTPXClientInstrumentor().instrument()

"""JSON logs with trace ids, Prometheus RED metrics and consumer lag, optional OTLP traces.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import importlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.requests import Request
from starlette.responses import Response


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

    async def middleware(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        self.requests.labels(request.method, path, str(response.status_code)).inc()
        self.latency.labels(request.method, path).observe(time.perf_counter() - started)
        return response


def _trace_ids() -> tuple[str, str]:
    try:
        trace = importlib.import_module("opentelemetry.trace")
    except ImportError:
        return "", ""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return "", ""
    return f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}"


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

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

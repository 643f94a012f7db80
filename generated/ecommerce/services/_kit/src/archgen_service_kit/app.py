"""A service's application, from its definition: `create_app()` and `from_environment()`.

Each generated service's app.py builds its ServiceDefinition (what the catalog decided,
its routes, the team's handlers, its store, its clients) and asks this module for the app.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import JSONResponse, Response

from . import admission, events, problems, timers
from .callers import CallerCounter
from .clients import UpstreamClient
from .consumer import Consumer
from .contract import ReactionHandler
from .observability import AccessMiddleware, Metrics, setup_logging, setup_tracing
from .spec import ServiceSpec
from .storage import Pool, StoreBackend

log = logging.getLogger(__name__)

# FastAPI's own OpenTelemetry (FastAPI 0.16x) stays off: the service traces through the
# OpenTelemetry instrumentation, and only when OTEL_EXPORTER_OTLP_ENDPOINT is set
# (observability.setup_tracing); its metrics are Prometheus'. On, FastAPI would trace by
# itself whenever some code set a global tracer provider, and it checks whether it is on
# in every request.
_NO_NATIVE_TELEMETRY = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}


def _fastapi_options() -> dict[str, Any]:
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters:
        return {"telemetry": _NO_NATIVE_TELEMETRY}
    return {}  # a FastAPI without it


class Settings(Protocol):
    """What the kit reads of a service's Settings (its settings.py)."""

    service_name: str
    log_level: str
    otel_exporter_otlp_endpoint: str
    store_pool_size: int
    store_pool_timeout_s: float
    max_in_flight: int
    admission_target_ms: float
    kafka_bootstrap_servers: str
    kafka_consumer_group: str
    kafka_session_timeout_ms: int
    kafka_heartbeat_interval_ms: int
    kafka_rebalance_timeout_ms: int
    kafka_fetch_max_wait_ms: int
    kafka_commit_interval_ms: int

    def store_url(self) -> str: ...

    def missing(self) -> list[str]: ...


@dataclass(frozen=True)
class ServiceDefinition:
    """One generated service, as its app.py hands it to the kit."""

    spec: ServiceSpec
    router: APIRouter  # the catalog's routes (routes.py), then the team's
    openapi: Mapping[str, Any]  # the document archgen emits (openapi.json)
    # The team's reaction handlers by event (resolved once from handlers.py): each
    # replaces the catalog's reaction to its event.
    reactions: Mapping[str, ReactionHandler]
    store: StoreBackend  # stores.relational, stores.key_value, ... .BACKEND
    clients: Callable[[Any], Mapping[str, UpstreamClient]]  # settings -> upstream clients
    tables: Any = None  # the relational store's tables.py


class Runtime:
    """The service's parts: store, producer, relay, consumer, upstream clients."""

    def __init__(self, settings: Any, metrics: Metrics, service: ServiceDefinition) -> None:
        self.settings = settings
        self.metrics = metrics
        self.service = service
        self.spec = service.spec
        self.store: Any = service.store.open(
            settings.store_url(),
            Pool(settings.store_pool_size, settings.store_pool_timeout_s),
            service.spec,
            service.tables,
        )
        self.producer: Any = None
        self.consumer: Consumer | None = None
        self.clients: dict[str, UpstreamClient] = dict(service.clients(settings))
        self.stopping = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await self.store.start()
        servers = self.settings.kafka_bootstrap_servers
        if servers:
            # Not idempotent: the test broker (tansu) refuses aiokafka's InitProducerId;
            # duplicates are absorbed by the consumers' processed-event ids.
            self.producer = AIOKafkaProducer(bootstrap_servers=servers, acks="all", linger_ms=0)
            await self.producer.start()
        publisher = events.Publisher(self.producer)
        if self.store.has_outbox:
            self.tasks.append(
                asyncio.create_task(
                    events.relay(self.store, publisher, self.stopping, self.metrics)
                )
            )
        else:
            self.store.sink = publisher.send
        if servers and self.spec.consumes:
            await self._start_consumer(servers)
        if self.spec.deadlines:
            self.tasks.append(
                asyncio.create_task(timers.poll(self.store, self.spec, self.stopping))
            )

    async def _start_consumer(self, servers: str) -> None:
        s = self.settings
        kafka = AIOKafkaConsumer(
            bootstrap_servers=servers,
            group_id=s.kafka_consumer_group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=s.kafka_session_timeout_ms,
            heartbeat_interval_ms=s.kafka_heartbeat_interval_ms,
            rebalance_timeout_ms=s.kafka_rebalance_timeout_ms,
            fetch_max_wait_ms=s.kafka_fetch_max_wait_ms,
            max_poll_interval_ms=max(5000, s.kafka_session_timeout_ms * 5),
        )
        self.consumer = Consumer(
            kafka,
            self.store,
            self.producer,
            self.metrics,
            self.spec,
            self.service.reactions,
            s.kafka_commit_interval_ms / 1000,
        )
        kafka.subscribe(
            sorted({spec.topic for spec in self.spec.consumes.values()}),
            listener=self.consumer.listener(),
        )
        await kafka.start()
        self.tasks.append(asyncio.create_task(self.consumer.supervise()))

    async def stop(self) -> None:
        """Stop consuming, finish the message in hand (its offset is committed), drain."""
        self.stopping.set()
        if self.consumer is not None:
            self.consumer.stopping.set()
        for task in self.tasks:
            with suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=5)
        if self.consumer is not None:
            await self.consumer.consumer.stop()
        if self.producer is not None:
            await self.producer.stop()
        for client in self.clients.values():
            await client.aclose()
        await self.store.stop()

    async def ready(self) -> dict[str, str]:
        checks: dict[str, str] = {}
        try:
            await self.store.ping()
            checks["store"] = "ok"
        except Exception as exc:
            checks["store"] = f"down: {exc.__class__.__name__}"
        if self.settings.kafka_bootstrap_servers:
            checks["broker"] = "ok" if self.producer is not None else "down"
        if self.consumer is not None:
            checks["consumer"] = self.consumer.state()
        return checks


def create_app(service: ServiceDefinition, settings: Settings) -> FastAPI:
    setup_logging(settings.service_name, settings.log_level)
    metrics = Metrics()
    runtime = Runtime(settings, metrics, service)
    paths = service.spec.probes

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        yield
        await runtime.stop()

    app = FastAPI(title=settings.service_name, lifespan=lifespan, **_fastapi_options())
    app.state.runtime = runtime
    declared = dict(service.openapi)
    app.openapi = lambda: served_openapi(app, declared)  # type: ignore[method-assign]
    probes = frozenset({paths.live, paths.ready, paths.metrics})
    app.add_middleware(CallerCounter, registry=metrics.registry, probes=probes)
    app.add_middleware(AccessMiddleware, metrics=metrics, quiet=probes)
    problems.install(app, service.store.unavailable)
    app.include_router(service.router)

    @app.get(paths.live, include_in_schema=False)
    async def live() -> Response:
        return JSONResponse({"status": "ok"})

    @app.get(paths.ready, include_in_schema=False)
    async def ready() -> Response:
        checks = await runtime.ready()
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": checks},
            status_code=200 if ok else 503,
        )

    @app.get(paths.metrics, include_in_schema=False)
    async def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    setup_tracing(app, settings.service_name, settings.otel_exporter_otlp_endpoint)
    # Last: it wraps the whole stack, tracing included, so a shed request costs no span
    # and the tracer sees the stack it expects (its exclusions of the probes hold).
    admission.install(
        app, settings.max_in_flight, metrics.registry, probes, settings.admission_target_ms / 1000
    )
    return app


def from_environment(service: ServiceDefinition, settings: Settings) -> FastAPI:
    """The service as deployed: its settings from the environment, and none missing."""
    missing = settings.missing()
    if missing:
        # One line, exit status 1: the pod fails to start and says what to set.
        raise SystemExit(
            f"{settings.service_name}: cannot start: {', '.join(missing)} not set "
            "(set it, or ENVIRONMENT=development to run on local defaults)"
        )
    return create_app(service, settings)


def served_openapi(app: FastAPI, declared: dict[str, Any]) -> dict[str, Any]:
    """The document archgen emits, plus the operations of routes it does not list."""
    if app.openapi_schema is None:
        found = get_openapi(title=app.title, version=app.version, routes=app.routes)
        paths = declared.get("paths", {})
        extra = {
            path: {m: op for m, op in item.items() if m not in paths.get(path, {})}
            for path, item in found.get("paths", {}).items()
        }
        extra = {path: item for path, item in extra.items() if item}
        doc = declared
        if extra:
            doc = {
                **declared,
                "paths": {
                    **paths,
                    **{p: {**paths.get(p, {}), **item} for p, item in extra.items()},
                },
            }
            components = dict(declared.get("components", {}))
            schemas = {
                **found.get("components", {}).get("schemas", {}),
                **components.get("schemas", {}),
            }
            doc["components"] = {**components, "schemas": schemas}
        app.openapi_schema = doc
    return app.openapi_schema

"""The shipping-service application: `app`, and `create_app()` for tests.

Run: PYTHONPATH=src uvicorn shipping_service.app:app --host 127.0.0.1 --port $PORT
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from importlib import resources
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import JSONResponse, Response

from . import admission, events, problems
from .callers import CallerCounter
from .clients import UpstreamClient, upstream_clients
from .consumer import Consumer
from .observability import AccessMiddleware, Metrics, setup_logging, setup_tracing
from .routes import router, served_openapi
from .settings import Settings
from .spec import CONSUMES
from .storage import Pool
from .store import open_store

log = logging.getLogger(__name__)
OPENAPI: dict[str, Any] = json.loads(
    resources.files(__package__).joinpath("openapi.json").read_text(encoding="utf-8")
)


class Runtime:
    """The service's parts: store, producer, relay, consumer, upstream clients."""

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.store: Any = open_store(
            settings.store_url(), Pool(settings.store_pool_size, settings.store_pool_timeout_s)
        )
        self.producer: Any = None
        self.consumer: Consumer | None = None
        self.clients: dict[str, UpstreamClient] = upstream_clients(settings)
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
        if servers and CONSUMES:
            await self._start_consumer(servers)

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
        self.consumer = Consumer(kafka, self.store, self.producer, self.metrics)
        kafka.subscribe(
            sorted({spec.topic for spec in CONSUMES.values()}), listener=self.consumer.listener()
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


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    setup_logging(settings.service_name, settings.log_level)
    metrics = Metrics()
    runtime = Runtime(settings, metrics)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        yield
        await runtime.stop()

    app = FastAPI(title=settings.service_name, lifespan=lifespan)
    app.state.runtime = runtime
    app.openapi = lambda: served_openapi(app, OPENAPI)  # type: ignore[method-assign]
    probes = frozenset({"/health/live", "/health/ready", "/metrics"})
    admission.install(app, settings.max_in_flight, metrics.registry, probes)
    app.add_middleware(CallerCounter, registry=metrics.registry)
    app.add_middleware(AccessMiddleware, metrics=metrics, quiet=probes)
    problems.install(app)
    app.include_router(router)

    @app.get("/health/live", include_in_schema=False)
    async def live() -> Response:
        return JSONResponse({"status": "ok"})

    @app.get("/health/ready", include_in_schema=False)
    async def ready() -> Response:
        checks = await runtime.ready()
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": checks},
            status_code=200 if ok else 503,
        )

    @app.get("/metrics", include_in_schema=False)
    async def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    setup_tracing(app, settings.service_name, settings.otel_exporter_otlp_endpoint)
    return app


def from_environment() -> FastAPI:
    """The service as deployed: its settings from the environment, and none missing."""
    settings = Settings()
    missing = settings.missing()
    if missing:
        # One line, exit status 1: the pod fails to start and says what to set.
        raise SystemExit(
            f"{settings.service_name}: cannot start: {', '.join(missing)} not set "
            "(set it, or ENVIRONMENT=development to run on local defaults)"
        )
    return create_app(settings)


_app: FastAPI | None = None


def __getattr__(name: str) -> FastAPI:
    """`app`, what uvicorn serves, made on first use: importing this module (tests do,
    with settings of their own) does not read the environment."""
    global _app
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _app is None:
        _app = from_environment()
    return _app

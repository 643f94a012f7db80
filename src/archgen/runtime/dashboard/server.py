"""The dashboard's lifecycle inside `archgen up`: serve on 127.0.0.1 before the parts start
(so that the services export their traces to it), follow the topics once all are ready,
stop with the system."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING

import uvicorn

from archgen.runtime.dashboard.board import TOKEN_TTL_S, Board, Bounds
from archgen.runtime.parts import Broker
from archgen.runtime.ports import LOCALHOST

if TYPE_CHECKING:
    from archgen.model.deployment import Deployment
    from archgen.model.resolved import ResolvedCatalog
    from archgen.runtime.dashboard.views import ArchitectureViews
    from archgen.runtime.devkeys import DevKey
    from archgen.runtime.plan import Plan
    from archgen.runtime.supervisor import Supervisor

STOP_WAIT_S = 3.0
# What a generated service imports to export OTLP (its `otel` extra); without them it
# starts with tracing off, as it would without the endpoint.
OTEL_MODULES = ("opentelemetry.sdk.trace", "opentelemetry.exporter.otlp.proto.http",
                "opentelemetry.instrumentation.fastapi", "opentelemetry.instrumentation.httpx")
OTEL_ENV = {
    "OTEL_BSP_SCHEDULE_DELAY": "500",  # spans on the page within a second
    # archgen's readiness probes, every 2 s per service, would push the orders out of the
    # kept traces: no spans for them (nor for Prometheus' scrapes).
    "OTEL_PYTHON_FASTAPI_EXCLUDED_URLS": "health/,metrics",
}


class DashboardError(Exception):
    """The dashboard cannot serve (its port is taken); one line."""


class Dashboard:
    def __init__(self, board: Board, server: uvicorn.Server, sock: socket.socket) -> None:
        self.board = board
        self._server = server
        self._sock = sock
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self._sock.getsockname()[1]}"

    def log(self, part: str, line: str) -> None:
        self.board.logs.add(part, line)

    def attach(self, supervisor: Supervisor) -> None:
        self.board.supervisor = supervisor

    def system_ready(self) -> None:
        """Follow the topics (the broker and its topics exist now)."""
        broker = next((p for stage in self.board.plan.stages for p in stage
                       if isinstance(p, Broker)), None)
        if broker is not None:
            self.board.start_watch(f"{LOCALHOST}:{broker.port}")

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(sockets=[self._sock]))
        while not self._server.started and not self._task.done():
            await asyncio.sleep(0.01)
        if self._task.done():  # it could not serve: say why
            self._task.result()

    async def stop(self) -> None:
        await self.board.close()
        if self._task is None:
            self._sock.close()
            return
        self._server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(self._task), STOP_WAIT_S)
        except TimeoutError:  # a page still polling: close its connections now
            self._server.force_exit = True
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, STOP_WAIT_S)
        self._sock.close()


def open_dashboard(catalog: ResolvedCatalog, deployment: Deployment, plan: Plan,
                   views: ArchitectureViews, key: DevKey, port: int,
                   bounds: Bounds | None = None) -> Dashboard:
    """A dashboard for `plan` on 127.0.0.1:`port` (0: a free one), not yet serving; the
    plan's services export their traces to it where they can."""
    from archgen.runtime.dashboard.app import create_app
    from archgen.runtime.devkeys import catalog_claims, top_tier

    tier = top_tier(catalog)
    token = key.sign(catalog_claims(catalog, "dashboard", tier[0] if tier else None,
                                    TOKEN_TTL_S))
    board = Board(catalog, deployment, plan, views, token, bounds or Bounds())
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((LOCALHOST, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise DashboardError(f"dashboard: cannot listen on {LOCALHOST}:{port}: "
                             f"{exc.strerror}; pass another --dashboard-port or "
                             "--no-dashboard") from None
    config = uvicorn.Config(create_app(board), log_config=None, log_level="warning",
                            access_log=False, lifespan="off")
    dashboard = Dashboard(board, _QuietServer(config), sock)
    if tracing_available():
        endpoint = {"OTEL_EXPORTER_OTLP_ENDPOINT": dashboard.url, **OTEL_ENV}
        for service in [*plan.services.values(), *([plan.aggregator] if plan.aggregator
                                                     else [])]:
            service.env = {**service.env, **endpoint}
    return dashboard


def tracing_available() -> bool:
    """The services (run with this Python) can export OTLP."""
    try:
        return all(importlib.util.find_spec(m) is not None for m in OTEL_MODULES)
    except (ImportError, ValueError):
        return False


class _QuietServer(uvicorn.Server):
    """uvicorn inside `archgen up`: the signals stay archgen's (Ctrl-C stops the system)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

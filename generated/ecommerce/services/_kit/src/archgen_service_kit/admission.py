"""Admission control: past capacity the service sheds with 503 instead of timing out.

At most `limit` requests are served at once; one more is answered at once with
503 and Retry-After, before it waits in a queue whose length is the latency.
The limit adapts (additive increase, multiplicative decrease, as TCP's window
does): while requests finish within the latency target (ADMISSION_TARGET_MS, half
the catalog's p95 SLA) it grows by about one per `limit` requests, up to
MAX_IN_FLIGHT; when one takes longer it shrinks by a fifth, at most once per
target, down to FLOOR. A fixed limit was right for one machine and one load only:
on a busy host each request costs more, and 64 in flight queued for a second.
Health probes and metrics scrapes are never shed (the orchestrator must see the
service). A pure ASGI middleware: nothing is read from the request it refuses.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import json
import time

from prometheus_client import CollectorRegistry, Counter, Gauge
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

# Seconds a shed client is told to wait: long enough for a burst to drain.
RETRY_AFTER_S = 1
FLOOR = 4  # the limit never falls below this (nor above MAX_IN_FLIGHT)
BACKOFF = 0.8  # the limit's share kept when a request took longer than the target


class Limit:
    """The adaptive limit: `admits` before a request, `finished` after it."""

    def __init__(self, ceiling: int, target_s: float) -> None:
        self.ceiling = ceiling
        self.floor = min(FLOOR, ceiling)
        self.target_s = target_s
        self.value = float(ceiling)
        self.lowered_at = 0.0  # monotonic time of the last decrease

    def admits(self, in_flight: int) -> bool:
        return self.ceiling <= 0 or in_flight < int(self.value)

    def finished(self, seconds: float, now: float) -> None:
        if self.ceiling <= 0:
            return
        if seconds > self.target_s:
            # Requests admitted together finish slow together: one decrease per target.
            if now - self.lowered_at >= self.target_s:
                self.value = max(float(self.floor), self.value * BACKOFF)
                self.lowered_at = now
        else:
            self.value = min(float(self.ceiling), self.value + 1 / self.value)


class Admission:
    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        registry: CollectorRegistry,
        exempt: frozenset[str],
        target_s: float,
    ) -> None:
        self.app = app
        self.limit = Limit(limit, target_s)
        self.exempt = exempt
        self.in_flight = 0
        self.shed = Counter(
            "http_requests_shed",
            "Requests answered 503 past the admission limit",
            registry=registry,
        )
        # Read when scraped: nothing more to do per request.
        Gauge(
            "http_admission_limit", "Requests the service admits at once now", registry=registry
        ).set_function(lambda: int(self.limit.value))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        if not self.limit.admits(self.in_flight):
            self.shed.inc()
            await _refuse(send, int(self.limit.value))
            return
        self.in_flight += 1
        started = time.monotonic()
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            now = time.monotonic()
            self.limit.finished(now - started, now)


def install(
    app: Starlette, limit: int, registry: CollectorRegistry, exempt: frozenset[str], target_s: float
) -> None:
    """Admission control outside every other middleware (errors, access log, metrics): a
    refused request costs the least CPU there, which matters when clients retry at once.
    Shed requests are counted in http_requests_shed_total, not logged one by one."""
    build = app.build_middleware_stack

    def with_admission() -> ASGIApp:
        return Admission(build(), limit, registry, exempt, target_s)

    app.build_middleware_stack = with_admission  # type: ignore[method-assign]


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Service Unavailable",
            "status": 503,
            "detail": f"{limit} requests are being served; try again in {RETRY_AFTER_S} s.",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"retry-after", str(RETRY_AFTER_S).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

"""Admission control: past capacity the service sheds with 503 instead of timing out.

At most `limit` requests are served at once; one more is answered at once with
503 and Retry-After, before it waits in a queue whose length is the latency. The
limit (MAX_IN_FLIGHT) is the latency budget over the time a request costs: 64
requests of ~1.5 ms of CPU each queue for ~100 ms, under a 200 ms SLA. Health
probes and metrics scrapes are never shed (the orchestrator must see the service).
A pure ASGI middleware: nothing is read from the request it refuses.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import json

from prometheus_client import CollectorRegistry, Counter
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

# Seconds a shed client is told to wait: long enough for a burst to drain.
RETRY_AFTER_S = 1


class Admission:
    def __init__(
        self, app: ASGIApp, limit: int, registry: CollectorRegistry, exempt: frozenset[str]
    ) -> None:
        self.app = app
        self.limit = limit
        self.exempt = exempt
        self.in_flight = 0
        self.shed = Counter(
            "http_requests_shed", "Requests answered 503 past MAX_IN_FLIGHT", registry=registry
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        if self.limit > 0 and self.in_flight >= self.limit:
            self.shed.inc()
            await _refuse(send, self.limit)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


def install(
    app: Starlette, limit: int, registry: CollectorRegistry, exempt: frozenset[str]
) -> None:
    """Admission control outside every other middleware (errors, access log, metrics): a
    refused request costs the least CPU there, which matters when clients retry at once.
    Shed requests are counted in http_requests_shed_total, not logged one by one."""
    build = app.build_middleware_stack

    def with_admission() -> ASGIApp:
        return Admission(build(), limit, registry, exempt)

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

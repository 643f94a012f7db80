"""Who calls a service: incoming requests counted per caller, for `archgen drift`.

The generated upstream client of every service names its service in the
`x-archgen-caller` header. A request without it that came through a proxy
(the gateway sets X-Forwarded-For or X-Forwarded-Proto) counts as `gateway`;
any other as `unidentified`: a raw HTTP call from some handler, bypassing the
client. Health checks, metrics and the OpenAPI document are not counted.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import re

from prometheus_client import CollectorRegistry, Counter
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

CALLER_HEADER = "x-archgen-caller"
GATEWAY = "gateway"
UNIDENTIFIED = "unidentified"
OTHER = "other"
MAX_CALLERS = 64  # the header is the caller's to set: bound the label values
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_PROXIED = ("x-forwarded-for", "x-forwarded-proto")
# Besides the service's probes and metrics (`probes`).
_NOT_COUNTED = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})


class CallerCounter:
    """`archgen_requests_by_caller_total{caller}` in the service's metrics registry.

    A pure ASGI middleware: starlette's BaseHTTPMiddleware would cost a task and a
    response copy per request."""

    def __init__(
        self, app: ASGIApp, registry: CollectorRegistry, probes: frozenset[str] = frozenset()
    ) -> None:
        self.app = app
        self.not_counted = _NOT_COUNTED | probes
        self.requests = Counter(
            "archgen_requests_by_caller",
            "Incoming requests per caller: a service, gateway or unidentified",
            ["caller"],
            registry=registry,
        )
        self.callers: set[str] = set()

    def caller(self, headers: Headers) -> str:
        name = headers.get(CALLER_HEADER, "").strip().lower()
        if not name:
            return GATEWAY if any(h in headers for h in _PROXIED) else UNIDENTIFIED
        if not _NAME.match(name):
            return OTHER
        if name not in self.callers:
            if len(self.callers) >= MAX_CALLERS:
                return OTHER
            self.callers.add(name)
        return name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in self.not_counted:
            self.requests.labels(caller=self.caller(Headers(scope=scope))).inc()
        await self.app(scope, receive, send)

"""The dashboard's HTTP side: the page, its JSON API, the OTLP/HTTP receiver and a proxy to
the local gateway for the API explorer. 127.0.0.1 only; requests that change something
carry the page's own header, which another site's page cannot send without asking."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from archgen.runtime.dashboard import otlp
from archgen.runtime.dashboard.events import RedriveError
from archgen.runtime.supervisor import RestartRefused

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from archgen.runtime.dashboard.board import Board

STATIC = Path(__file__).parent / "static"
ACTION_HEADER = "x-archgen-dashboard"  # sent by the page's scripts on every change
MAX_OTLP_BYTES = 8 * 1024 * 1024
PROXY_TIMEOUT_S = 30.0
_PROXIED_HEADERS = ("authorization", "content-type", "accept", "idempotency-key")
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
       "connect-src 'self'; frame-ancestors 'none'")


class _Headers:
    """A content security policy on every answer: the page runs its own files only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      (b"content-security-policy", CSP.encode()),
                                      (b"x-content-type-options", b"nosniff"),
                                      (b"cache-control", b"no-store")]
            await send(message)

        await self.app(scope, receive, with_headers)


def _action_refused(request: Request) -> Response | None:
    if request.headers.get(ACTION_HEADER) != "1":
        return JSONResponse({"error": f"send the {ACTION_HEADER}: 1 header"}, 403)
    return None


class _Api:
    """The handlers, each one answer of the page's API."""

    def __init__(self, board: Board) -> None:
        self.board = board

    async def page(self, request: Request) -> Response:
        return FileResponse(STATIC / "index.html")

    async def explorer(self, request: Request) -> Response:
        return FileResponse(STATIC / "explorer.html")

    async def parts(self, request: Request) -> Response:
        gateway = self.board.plan.gateway
        return JSONResponse({"parts": self.board.parts(), "system": self.board.catalog.system.name,
                             "gateway": gateway.url if gateway else None})

    async def restart(self, request: Request) -> Response:
        refused = _action_refused(request)
        if refused is not None:
            return refused
        name = request.path_params["part"]
        if name not in {p.name for stage in self.board.plan.stages for p in stage}:
            return JSONResponse({"error": f"no part named {name!r}"}, 404)
        try:
            self.board.restart(name)
        except RestartRefused as exc:
            return JSONResponse({"error": str(exc)}, 409)
        return JSONResponse({"part": name, "state": "restarting"}, 202)

    async def logs(self, request: Request) -> Response:
        q = request.query_params
        try:
            since = int(q.get("since", "0"))
        except ValueError:
            return JSONResponse({"error": "since: a line number"}, 400)
        found = self.board.logs.lines(part=q.get("part") or None, since=since,
                                 level=q.get("level") or None, text=q.get("q") or None)
        return JSONResponse({"lines": [ln.as_json() for ln in found],
                             "parts": sorted(self.board.logs.parts),
                             "per_part": self.board.logs.per_part})

    async def traces(self, request: Request) -> Response:
        return JSONResponse({"traces": self.board.traces.recent(
            service=request.query_params.get("service") or None),
            "max_traces": self.board.traces.max_traces})

    async def trace(self, request: Request) -> Response:
        found = self.board.traces.get(request.path_params["trace_id"])
        if found is None:
            return JSONResponse({"error": "no such trace (or no longer kept)"}, 404)
        return JSONResponse(found)

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_OTLP_BYTES:
            return JSONResponse({"error": f"more than {MAX_OTLP_BYTES} bytes"}, 413)
        kind = request.headers.get("content-type", "")
        try:
            self.board.receive_spans(body, kind)
        except otlp.OtlpError as exc:
            return JSONResponse({"error": str(exc)}, 400)
        if kind.startswith(otlp.JSON):
            return JSONResponse({})
        return Response(otlp.empty_response(), media_type=otlp.PROTOBUF)

    async def topics(self, request: Request) -> Response:
        return JSONResponse(self.board.topic_list())

    async def lag(self, request: Request) -> Response:
        return JSONResponse(await self.board.consumer_lag())

    async def redrive(self, request: Request) -> Response:
        refused = _action_refused(request)
        if refused is not None:
            return refused
        try:
            data: Any = await request.json()
            dlq, partition, offset = str(data["topic"]), int(data["partition"]), int(
                data["offset"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "send {topic, partition, offset} as JSON"}, 400)
        try:
            sent = await self.board.redrive(dlq, partition, offset)
        except RedriveError as exc:
            return JSONResponse({"error": str(exc)}, 409)
        return JSONResponse({"redriven": sent})

    async def architecture(self, request: Request) -> Response:
        return JSONResponse(self.board.architecture())

    async def diagram(self, request: Request) -> Response:
        svg, error = await self.board.diagram_svg()
        if svg is None:
            return JSONResponse({"error": error}, 503)
        return Response(svg, media_type="image/svg+xml")

    async def openapi(self, request: Request) -> Response:
        document = self.board.openapi()
        if document is None:
            return JSONResponse({"error": "the system has no gateway with public routes"}, 404)
        return JSONResponse(document)

    async def token(self, request: Request) -> Response:
        return JSONResponse({"token": self.board.token})

    async def stats(self, request: Request) -> Response:
        return JSONResponse(self.board.stats())

    async def gateway(self, request: Request) -> Response:
        if self.board.plan.gateway is None:
            return JSONResponse({"error": "the system has no gateway"}, 404)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            refused = _action_refused(request)
            if refused is not None:
                return refused
        import httpx

        url = f"{self.board.plan.gateway.url}/{request.path_params['path']}"
        headers = {k: v for k, v in request.headers.items() if k in _PROXIED_HEADERS}
        async with httpx.AsyncClient(timeout=PROXY_TIMEOUT_S) as client:
            try:
                answer = await client.request(request.method, url, params=request.query_params,
                                              content=await request.body(), headers=headers)
            except httpx.HTTPError as exc:
                return JSONResponse({"error": f"the gateway did not answer: {exc}"}, 502)
        kept = {k: v for k, v in answer.headers.items()
                if k in ("content-type", "retry-after", "location", "www-authenticate")}
        return Response(answer.content, answer.status_code, headers=kept)



def create_app(board: Board) -> Starlette:
    api = _Api(board)
    routes = [
        Route("/", api.page), Route("/explorer", api.explorer),
        Route("/api/parts", api.parts), Route("/api/logs", api.logs),
        Route("/api/parts/{part}/restart", api.restart, methods=["POST"]),
        Route("/api/traces", api.traces), Route("/api/traces/{trace_id}", api.trace),
        Route("/v1/traces", api.receive, methods=["POST"]),
        Route("/api/topics", api.topics), Route("/api/lag", api.lag),
        Route("/api/dlq/redrive", api.redrive, methods=["POST"]),
        Route("/api/architecture", api.architecture), Route("/api/diagram.svg", api.diagram),
        Route("/api/openapi.json", api.openapi), Route("/api/token", api.token),
        Route("/api/stats", api.stats),
        Route("/gateway/{path:path}", api.gateway,
              methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost"]),
                  Middleware(_Headers)]
    return Starlette(routes=routes, middleware=middleware)

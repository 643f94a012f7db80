"""Request body limits: a route reads at most its limit of body bytes, then answers 413.

The limits are derived from each route's request model (routes.py). A declared
Content-Length past the limit is refused before anything is read; a body without
one (chunked) is counted as it arrives, so memory stays bounded by the limit.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class BodyTooLarge(HTTPException):
    """An HTTPException, so that FastAPI lets it through its body parsing (problems.py)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than this route's {limit} bytes.")
        self.limit = limit


def limited_route(limits: Mapping[str, int], default: int) -> type[APIRoute]:
    """A route class that holds each route (by endpoint name) to its body limit."""

    class BodyLimitedRoute(APIRoute):
        def get_route_handler(self) -> Handler:
            handler = super().get_route_handler()
            limit = limits.get(self.name, default)

            async def limited(request: Request) -> Response:
                declared = request.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise BodyTooLarge(limit)
                return await handler(Request(request.scope, _counted(request.receive, limit)))

            return limited

    return BodyLimitedRoute


def _counted(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return counted

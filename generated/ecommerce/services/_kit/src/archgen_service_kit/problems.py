"""Errors as application/problem+json (RFC 9457), as the OpenAPI document says.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from .clients import UpstreamNotFound, UpstreamRefused, UpstreamUnavailable
from .contract import InvalidResponse
from .defaults import NotFound
from .flow import IllegalTransition
from .limits import BodyTooLarge
from .storage import BadCursor, Conflict

PROBLEM = "application/problem+json"
# Seconds a client is told to wait when the store is busy (503).
RETRY_AFTER_S = 1
log = logging.getLogger(__name__)


def problem(
    status: int, title: str, detail: str = "", headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "pointer": "/" + "/".join(str(p) for p in e.get("loc", ())),
            "detail": str(e.get("msg", "")),
        }
        for e in exc.errors()
    ]
    return problem(
        422, "Unprocessable Content", "The request did not pass validation.", errors=errors
    )


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400:
        # A body that is not JSON at all: the document promises 422 for any invalid request.
        return problem(422, "Unprocessable Content", str(exc.detail))
    return problem(exc.status_code, str(exc.detail))


async def _too_large(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyTooLarge)
    return problem(413, "Content Too Large", str(exc.detail), limit=exc.limit)


async def _not_found(request: Request, exc: Exception) -> Response:
    return problem(404, "Not Found", str(exc))


async def _bad_cursor(request: Request, exc: Exception) -> Response:
    # 400, not 422: the parameter has its type, its value is not a position of this list.
    return problem(400, "Bad Request", f"{exc}: start again without a cursor")


async def _conflict(request: Request, exc: Exception) -> Response:
    return problem(409, "Conflict", str(exc))


async def _upstream_not_found(request: Request, exc: Exception) -> Response:
    return problem(404, "Not Found", str(exc))


async def _upstream_refused(request: Request, exc: Exception) -> Response:
    # The callee refused our request (a 4xx other than 404): our fault or its contract's,
    # not the client's; named so that the log and the answer say which callee.
    log.error("upstream refused a request: %s", exc)
    return problem(502, "Bad Gateway", str(exc))


async def _illegal_transition(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, IllegalTransition)
    return problem(409, "Conflict", str(exc), allowed=exc.allowed)


async def _upstream(request: Request, exc: Exception) -> Response:
    return problem(503, "Service Unavailable", str(exc))


async def _store_unavailable(request: Request, exc: Exception) -> Response:
    # Not logged one by one: a full pool sheds many at once, each has its access line.
    return problem(
        503,
        "Service Unavailable",
        "The store cannot take the request now.",
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


async def _invalid_response(request: Request, exc: Exception) -> Response:
    # The service's fault, not the client's: logged where it was raised (contract.checked).
    assert isinstance(exc, InvalidResponse)
    return problem(500, "Internal Server Error", str(exc), errors=exc.errors)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "Internal Server Error")


def install(app: FastAPI, unavailable: tuple[type[Exception], ...] = ()) -> None:
    """Answer the kit's errors as problems; `unavailable`: the store's errors of a full pool."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(IllegalTransition, _illegal_transition)
    app.add_exception_handler(BodyTooLarge, _too_large)
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(BadCursor, _bad_cursor)
    app.add_exception_handler(UpstreamNotFound, _upstream_not_found)
    app.add_exception_handler(UpstreamRefused, _upstream_refused)
    app.add_exception_handler(UpstreamUnavailable, _upstream)
    app.add_exception_handler(InvalidResponse, _invalid_response)
    for error in unavailable:
        app.add_exception_handler(error, _store_unavailable)
    app.add_exception_handler(Exception, _unexpected)

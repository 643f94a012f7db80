"""The endpoints of shipping-service: one route per catalog endpoint.

Each route runs the team's handler of its endpoint when handlers.py has one (registered
with `@implement.<name>` or named after it: see handlers_api.py; resolved once, here, and
its answer validated against the response model), else the default behaviour the
catalog describes (the service kit's defaults).
A route reads at most its BODY_LIMITS bytes of body, derived from its request model.
Routes the team adds (an `APIRouter` named `router` in handlers.py) are served after
them, and listed in the served OpenAPI document, where `archgen drift` sees them.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson
from archgen_service_kit import defaults, paging
from archgen_service_kit.limits import limited_route
from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel
from starlette.responses import Response

from . import handlers, models
from .handlers_api import implement
from .spec import SPEC

__all__ = ["UUID", "HTTPException", "date", "datetime", "models", "router"]

TEAM = implement.resolve(handlers)

# Bytes of request body each route reads: the largest body its request model admits
# (at least 65536), or 1048576 when the model has no bound.
BODY_LIMITS: dict[str, int] = {}
router = APIRouter(route_class=limited_route(BODY_LIMITS, 65536))


def _json(result: Any, status: int) -> Response:
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json", exclude_none=True)
    elif isinstance(result, list):
        result = [
            r.model_dump(mode="json", exclude_none=True) if isinstance(r, BaseModel) else r
            for r in result
        ]
    # orjson: the same compact UTF-8 JSON as starlette's JSONResponse, in a fraction of
    # the time (and UUIDs and datetimes a team's handler returns serialize too).
    return Response(orjson.dumps(result), status_code=status, media_type="application/json")


@router.get("/api/v1/shipments/{id}", status_code=200)
async def get_v1_shipments_by_id(request: Request, id: UUID) -> Response:
    custom = TEAM.get_v1_shipments_by_id
    if custom is not None:
        return _json(await custom(request.app.state.runtime, id), 200)
    store = request.app.state.runtime.store
    result: Any = await defaults.read(store, "Shipment", id)
    return _json(result, 200)


@router.get("/api/v1/shipments/order/{orderId}", status_code=200)
async def get_v1_shipments_order_by_order_id(
    request: Request,
    orderId: UUID,
    limit: paging.Limit = paging.DEFAULT_LIMIT,
    cursor: paging.Cursor = None,
) -> Response:
    custom = TEAM.get_v1_shipments_order_by_order_id
    if custom is not None:
        answer = await custom(request.app.state.runtime, orderId, paging.PageRequest(limit, cursor))
        if isinstance(answer, paging.Page):
            return paging.answer(_json(answer.items, 200), request, answer.after)
        return _json(answer, 200)
    store = request.app.state.runtime.store
    result, after = await defaults.list_page(
        SPEC, store, "Shipment", "order_id", orderId, limit, cursor
    )
    return paging.answer(_json(result, 200), request, after)


_team_router = getattr(handlers, "router", None)
if isinstance(_team_router, APIRouter):
    router.include_router(_team_router)

"""The endpoints of inventory-service: one route per catalog endpoint.

Each route runs the team's handler of the same name when handlers.py defines
one, else the default behaviour the catalog describes (defaults.py). A route reads
at most its BODY_LIMITS bytes of body, derived from its request model (limits.py).
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

from . import defaults, handlers, models
from .limits import limited_route

__all__ = ["UUID", "HTTPException", "date", "datetime", "models", "router"]

# Bytes of request body each route reads: the largest body its request model admits
# (at least 65536), or 1048576 when the model has no bound.
BODY_LIMITS: dict[str, int] = {
    "put_v1_inventory_by_sku": 1048576,
}
router = APIRouter(route_class=limited_route(BODY_LIMITS, 65536))


def _json(result: Any, status: int) -> Response:
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json", exclude_none=True)
    elif isinstance(result, list):
        result = [
            r.model_dump(mode="json", exclude_none=True) if isinstance(r, BaseModel) else r
            for r in result
        ]
    return JSONResponse(result, status_code=status)


def _custom(name: str) -> Any:
    return getattr(handlers, name, None)


@router.get("/api/v1/inventory/{sku}", status_code=200)
async def get_v1_inventory_by_sku(request: Request, sku: str) -> Response:
    custom = _custom("get_v1_inventory_by_sku")
    if custom is not None:
        return _json(await custom(request.app.state.runtime, sku), 200)
    store = request.app.state.runtime.store
    result: Any = await defaults.read(store, "StockLevel", sku)
    return _json(result, 200)


@router.put("/api/v1/inventory/{sku}", status_code=200)
async def put_v1_inventory_by_sku(request: Request, sku: str, body: models.StockLevel) -> Response:
    custom = _custom("put_v1_inventory_by_sku")
    if custom is not None:
        return _json(await custom(request.app.state.runtime, sku, body), 200)
    store = request.app.state.runtime.store
    result: Any = await defaults.update(store, "StockLevel", sku, body, (), upsert=True)
    return _json(result, 200)

"""Pydantic models of inventory-service and of the events it publishes and consumes.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

__all__ = [
    "Annotated",
    "Any",
    "Decimal",
    "Field",
    "Literal",
    "StrictBool",
    "StrictInt",
    "UUID",
    "date",
    "datetime",
]


class Model(BaseModel):
    # A length bound makes pydantic read every string as Unicode text: JSON lets a client
    # send a lone surrogate (`"\\ud800"`), which no store or response can encode (a 422,
    # not a 500 later). A catalog name Python cannot take (`from`, `model_config`) is the
    # alias of a safe attribute (`from_`): JSON in and out, and every dict of the service,
    # use the alias.
    model_config = ConfigDict(strict=False, str_max_length=sys.maxsize, serialize_by_alias=True)


def wire_names(model: type[BaseModel]) -> tuple[str, ...]:
    """The JSON keys of a model's fields, in order: the catalog's names."""
    return tuple(info.alias or name for name, info in model.model_fields.items())


class Reservation(Model):
    order_id: UUID
    status: Literal["reserved", "released"]


class StockLevel(Model):
    sku: str
    available: Annotated[StrictInt, Field(ge=0, le=2**63 - 1)]
    reserved: Annotated[StrictInt, Field(ge=0, le=2**63 - 1)]


class InventoryReservedEvent(Model):
    """Payload of inventory.reserved."""

    order_id: UUID
    skus: list[str]


class OrderCreatedEvent(Model):
    """Payload of order.created."""

    order_id: UUID
    customer_id: UUID
    total: Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$")]
    items: list[dict[str, Any]]


class OrderCancelledEvent(Model):
    """Payload of order.cancelled."""

    order_id: UUID
    customer_id: UUID
    reason: str

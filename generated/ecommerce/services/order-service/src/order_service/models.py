"""Pydantic models of order-service and of the events it publishes and consumes.

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


class OrderItem(Model):
    sku: str
    quantity: Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]
    unit_price: Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$")]


class NewOrder(Model):
    customer_id: UUID
    items: list[OrderItem]
    total: Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$")] | None = None
    note: Annotated[str, Field(max_length=500)] | None = None


class Order(Model):
    id: UUID
    customer_id: UUID
    items: list[OrderItem]
    total: Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$")]
    currency: Annotated[str, Field(pattern="^[A-Z]{3}$")] = "EUR"
    status: Literal["pending", "confirmed", "shipped", "cancelled"] = "pending"
    note: Annotated[str, Field(max_length=500)] | None = None
    created_at: datetime | None = None


class OrderStatus(Model):
    status: Literal["pending", "confirmed", "shipped", "cancelled"]
    reason: Annotated[str, Field(max_length=200)] | None = None


class OrderCreatedEvent(Model):
    """Payload of order.created."""

    order_id: UUID
    customer_id: UUID
    total: Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$")]
    items: list[OrderItem]


class OrderConfirmedEvent(Model):
    """Payload of order.confirmed."""

    order_id: UUID
    customer_id: UUID


class OrderShippedEvent(Model):
    """Payload of order.shipped."""

    order_id: UUID
    customer_id: UUID
    tracking_number: str


class OrderCancelledEvent(Model):
    """Payload of order.cancelled."""

    order_id: UUID
    customer_id: UUID
    reason: str


class PaymentCompletedEvent(Model):
    """Payload of payment.completed."""

    order_id: UUID
    payment_id: UUID
    amount: Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$")]


class PaymentFailedEvent(Model):
    """Payload of payment.failed."""

    order_id: UUID
    payment_id: UUID
    reason: str


class InventoryReservedEvent(Model):
    """Payload of inventory.reserved."""

    order_id: UUID
    skus: list[str]


class ShipmentDispatchedEvent(Model):
    """Payload of shipment.dispatched."""

    order_id: UUID
    shipment_id: UUID
    tracking_number: str

"""Pydantic models of shipping-service and of the events it publishes and consumes.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

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
    model_config = ConfigDict(strict=False)


class Shipment(Model):
    id: UUID
    order_id: UUID
    carrier: str
    tracking_number: str
    status: Literal["preparing", "dispatched", "delivered"]


class ShipmentDispatchedEvent(Model):
    """Payload of shipment.dispatched."""

    order_id: UUID
    shipment_id: UUID
    tracking_number: str


class OrderConfirmedEvent(Model):
    """Payload of order.confirmed."""

    order_id: UUID
    customer_id: UUID

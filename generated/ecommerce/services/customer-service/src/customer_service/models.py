"""Pydantic models of customer-service and of the events it publishes and consumes.

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


class Address(Model):
    street: str
    city: str
    postal_code: str
    country: Annotated[str, Field(pattern="^[A-Z]{2}$")]


class Customer(Model):
    id: UUID
    email: str
    name: Annotated[str, Field(min_length=1, max_length=200)]
    addresses: list[Address]
    marketing_opt_in: StrictBool = False


class NewCustomer(Model):
    email: str
    name: Annotated[str, Field(min_length=1, max_length=200)]


class CustomerRegisteredEvent(Model):
    """Payload of customer.registered."""

    customer_id: UUID
    email: str

"""Clients of the services notification-service calls: typed calls on the kit's client.

The kit's UpstreamClient gives each call its timeout, retries and circuit breaker.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from datetime import date, datetime  # noqa: F401  (the callees' models may use them)
from typing import Annotated, Any, Literal  # noqa: F401
from uuid import UUID  # noqa: F401

from archgen_service_kit import clients as kit
from archgen_service_kit.clients import expand_path  # noqa: F401
from purgatory import AsyncCircuitBreakerFactory
from pydantic import Field, StrictBool, StrictInt  # noqa: F401

from .models import Model  # noqa: F401

CALLER = "notification-service"  # sent in CALLER_HEADER: the callee counts its callers


class UpstreamClient(kit.UpstreamClient):
    """The kit's client, naming notification-service in every call it makes."""

    caller = CALLER


class OrderServiceOrderItem(Model):
    """OrderServiceOrderItem as order-service answers it."""

    sku: str
    quantity: Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]
    unit_price: Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$")]


class OrderServiceOrder(Model):
    """OrderServiceOrder as order-service answers it."""

    id: UUID
    customer_id: UUID
    items: list[OrderServiceOrderItem]
    total: Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$")]
    currency: Annotated[str, Field(pattern="^[A-Z]{3}$")] = "EUR"
    status: Literal["pending", "confirmed", "shipped", "cancelled"] = "pending"
    note: Annotated[str, Field(max_length=500)] | None = None
    created_at: datetime | None = None


class OrderServiceClient(UpstreamClient):
    """Typed calls of order-service."""

    async def get_v1_orders_by_id(self, id: UUID) -> OrderServiceOrder:
        data = await self.get_json(expand_path("/api/v1/orders/{id}", id=id))
        return OrderServiceOrder.model_validate(data)

    async def get_v1_orders_customer_by_customer_id(
        self, customerId: UUID
    ) -> list[OrderServiceOrder]:
        data = await self.get_list(
            expand_path("/api/v1/orders/customer/{customerId}", customerId=customerId)
        )
        return [OrderServiceOrder.model_validate(item) for item in data]


class CustomerServiceAddress(Model):
    """CustomerServiceAddress as customer-service answers it."""

    street: str
    city: str
    postal_code: str
    country: Annotated[str, Field(pattern="^[A-Z]{2}$")]


class CustomerServiceCustomer(Model):
    """CustomerServiceCustomer as customer-service answers it."""

    id: UUID
    email: str
    name: Annotated[str, Field(min_length=1, max_length=200)]
    addresses: list[CustomerServiceAddress]
    marketing_opt_in: StrictBool = False


class CustomerServiceClient(UpstreamClient):
    """Typed calls of customer-service."""

    async def get_v1_customers_by_id(self, id: UUID) -> CustomerServiceCustomer:
        data = await self.get_json(expand_path("/api/v1/customers/{id}", id=id))
        return CustomerServiceCustomer.model_validate(data)


def upstream_clients(settings: Any) -> dict[str, kit.UpstreamClient]:
    breakers = AsyncCircuitBreakerFactory()
    return {
        "order-service": OrderServiceClient(
            "order-service", settings.order_service_url, 0.25, 3, 100, breakers, 5, 30.0, 2.0
        ),
        "customer-service": CustomerServiceClient(
            "customer-service", settings.customer_service_url, 0.15, 3, 100, breakers, 5, 30.0, 2.0
        ),
    }

"""Clients of the services order-service calls: typed calls on the kit's client.

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

CALLER = "order-service"  # sent in CALLER_HEADER: the callee counts its callers


class UpstreamClient(kit.UpstreamClient):
    """The kit's client, naming order-service in every call it makes."""

    caller = CALLER


class PaymentServicePayment(Model):
    """PaymentServicePayment as payment-service answers it."""

    id: UUID
    order_id: UUID
    amount: Annotated[str, Field(pattern=r"^-?[0-9]+(\.[0-9]+)?$")]
    currency: Annotated[str, Field(pattern="^[A-Z]{3}$")]
    status: Literal["authorized", "captured", "failed", "refunded"]


class PaymentServiceClient(UpstreamClient):
    """Typed calls of payment-service."""

    async def get_v1_payments_by_id(self, id: UUID) -> PaymentServicePayment:
        data = await self.get_json(expand_path("/api/v1/payments/{id}", id=id))
        return PaymentServicePayment.model_validate(data)


class InventoryServiceReservation(Model):
    """InventoryServiceReservation as inventory-service answers it."""

    order_id: UUID
    status: Literal["reserved", "released"]


class InventoryServiceStockLevel(Model):
    """InventoryServiceStockLevel as inventory-service answers it."""

    sku: str
    available: Annotated[StrictInt, Field(ge=0, le=2**63 - 1)]
    reserved: Annotated[StrictInt, Field(ge=0, le=2**63 - 1)]


class InventoryServiceClient(UpstreamClient):
    """Typed calls of inventory-service."""

    async def get_v1_inventory_by_sku(self, sku: str) -> InventoryServiceStockLevel:
        data = await self.get_json(expand_path("/api/v1/inventory/{sku}", sku=sku))
        return InventoryServiceStockLevel.model_validate(data)

    async def get_v1_inventory_reservations_by_order_id(
        self, orderId: UUID
    ) -> InventoryServiceReservation:
        data = await self.get_json(
            expand_path("/api/v1/inventory/reservations/{orderId}", orderId=orderId)
        )
        return InventoryServiceReservation.model_validate(data)


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
        "payment-service": PaymentServiceClient(
            "payment-service", settings.payment_service_url, 0.06, 3, 100, breakers, 5, 30.0, 2.0
        ),
        "inventory-service": InventoryServiceClient(
            "inventory-service",
            settings.inventory_service_url,
            0.06,
            3,
            100,
            breakers,
            5,
            30.0,
            2.0,
        ),
        "customer-service": CustomerServiceClient(
            "customer-service", settings.customer_service_url, 0.06, 3, 100, breakers, 5, 30.0, 2.0
        ),
    }

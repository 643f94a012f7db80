"""Consumer-contract tests archgen generates for order-service: its calls, checked.

Each typed call of clients.py is made against the callee's OpenAPI document as recorded
in contracts/ when archgen generated this service (ContractStub: the request must be an
operation of the document, the answer is the document's example, valid for its schema).
A callee that drops a field this service reads, or renames a path it calls, fails here.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from uuid import UUID

from archgen_service_kit.testing import ContractStub

from order_service.clients import (
    CustomerServiceClient,
    InventoryServiceClient,
    PaymentServiceClient,
    upstream_clients,
)
from order_service.settings import Settings

CONTRACTS = Path(__file__).resolve().parent / "contracts"


def _stub(callee: str) -> ContractStub:
    path = CONTRACTS / f"{callee}.openapi.json"
    return ContractStub(json.loads(path.read_text(encoding="utf-8")))


def test_payment_service_get_v1_payments_by_id_keeps_to_its_contract() -> None:
    stub = _stub("payment-service")
    client = upstream_clients(Settings(kafka_bootstrap_servers=""))["payment-service"]
    assert isinstance(client, PaymentServiceClient)
    stub.use(client)

    async def call() -> None:
        try:
            await client.get_v1_payments_by_id(UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6"))
        finally:
            await client.aclose()

    asyncio.run(call())
    assert stub.calls == ["GET /api/v1/payments/{id}"]


def test_inventory_service_get_v1_inventory_by_sku_keeps_to_its_contract() -> None:
    stub = _stub("inventory-service")
    client = upstream_clients(Settings(kafka_bootstrap_servers=""))["inventory-service"]
    assert isinstance(client, InventoryServiceClient)
    stub.use(client)

    async def call() -> None:
        try:
            await client.get_v1_inventory_by_sku("EUR")
        finally:
            await client.aclose()

    asyncio.run(call())
    assert stub.calls == ["GET /api/v1/inventory/{sku}"]


def test_inventory_service_get_v1_inventory_reservations_by_order_id_keeps_to_its_contract() -> (
    None
):
    stub = _stub("inventory-service")
    client = upstream_clients(Settings(kafka_bootstrap_servers=""))["inventory-service"]
    assert isinstance(client, InventoryServiceClient)
    stub.use(client)

    async def call() -> None:
        try:
            await client.get_v1_inventory_reservations_by_order_id(
                UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6")
            )
        finally:
            await client.aclose()

    asyncio.run(call())
    assert stub.calls == ["GET /api/v1/inventory/reservations/{orderId}"]


def test_customer_service_get_v1_customers_by_id_keeps_to_its_contract() -> None:
    stub = _stub("customer-service")
    client = upstream_clients(Settings(kafka_bootstrap_servers=""))["customer-service"]
    assert isinstance(client, CustomerServiceClient)
    stub.use(client)

    async def call() -> None:
        try:
            await client.get_v1_customers_by_id(UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6"))
        finally:
            await client.aclose()

    asyncio.run(call())
    assert stub.calls == ["GET /api/v1/customers/{id}"]

"""What the catalog says inventory-service does, as data the service kit reads.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from archgen_service_kit.spec import (
    EventSpec,
    Machine,
    Probes,
    ReactionSpec,
    ServiceSpec,
    Stored,
)

from . import models

SERVICE = "inventory-service"
SOURCE = "/shop/inventory-service"

STORED: dict[str, Stored] = {
    "Reservation": Stored(
        models.Reservation, "order_id", (), {"order_id": "@uuid", "status": "reserved"}
    ),
    "StockLevel": Stored(models.StockLevel, "sku", (), {"sku": "", "available": 0, "reserved": 0}),
}
PUBLISHES: dict[str, EventSpec] = {
    "inventory.reserved": EventSpec(
        models.InventoryReservedEvent,
        "inventory",
        "order_id",
        "inventory.dlq",
        {"order_id": "@uuid", "skus": []},
    ),
}
CONSUMES: dict[str, EventSpec] = {
    "order.created": EventSpec(
        models.OrderCreatedEvent,
        "orders",
        "order_id",
        "orders.dlq",
        {"order_id": "@uuid", "customer_id": "@uuid", "total": "0", "items": []},
    ),
    "order.cancelled": EventSpec(
        models.OrderCancelledEvent,
        "orders",
        "order_id",
        "orders.dlq",
        {"order_id": "@uuid", "customer_id": "@uuid", "reason": ""},
    ),
}
REACTIONS: dict[str, ReactionSpec] = {
    "order.created": ReactionSpec(
        "create",
        "Reservation",
        {},
        {"order_id": "order_id"},
        {"status": "reserved"},
        (("inventory.reserved", {}),),
        {},
    ),
    "order.cancelled": ReactionSpec(
        "update", "Reservation", {"order_id": "order_id"}, {}, {"status": "released"}, (), {}
    ),
}
# The fields with a state machine, per stored model: the legal transitions and their causes.
MACHINES: dict[str, dict[str, Machine]] = {
    "Reservation": {
        "status": Machine("reserved", ("released",), {"reserved": {"released": ()}}),
    },
}
# communication.async.retries: attempts per event before its dead-letter topic.
RETRY_ATTEMPTS = 5
RETRY_BASE_MS = 200

SPEC = ServiceSpec(
    SERVICE,
    SOURCE,
    STORED,
    PUBLISHES,
    CONSUMES,
    REACTIONS,
    MACHINES,
    RETRY_ATTEMPTS,
    RETRY_BASE_MS,
    Probes("/health/live", "/health/ready", "/metrics"),
)

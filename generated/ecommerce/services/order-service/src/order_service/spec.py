"""What the catalog says order-service does, as data the service kit reads.

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

SERVICE = "order-service"
SOURCE = "/shop/order-service"

STORED: dict[str, Stored] = {
    "Order": Stored(
        models.Order,
        "id",
        ("customer_id",),
        {
            "id": "@uuid",
            "customer_id": "@uuid",
            "items": [],
            "total": "0",
            "currency": "EUR",
            "status": "pending",
        },
    ),
}
PUBLISHES: dict[str, EventSpec] = {
    "order.created": EventSpec(
        models.OrderCreatedEvent,
        "orders",
        "order_id",
        "orders.dlq",
        {"order_id": "@uuid", "customer_id": "@uuid", "total": "0", "items": []},
    ),
    "order.confirmed": EventSpec(
        models.OrderConfirmedEvent,
        "orders",
        "order_id",
        "orders.dlq",
        {"order_id": "@uuid", "customer_id": "@uuid"},
    ),
    "order.shipped": EventSpec(
        models.OrderShippedEvent,
        "orders",
        "order_id",
        "orders.dlq",
        {"order_id": "@uuid", "customer_id": "@uuid", "tracking_number": ""},
    ),
    "order.cancelled": EventSpec(
        models.OrderCancelledEvent,
        "orders",
        "order_id",
        "orders.dlq",
        {"order_id": "@uuid", "customer_id": "@uuid", "reason": ""},
    ),
}
CONSUMES: dict[str, EventSpec] = {
    "payment.completed": EventSpec(
        models.PaymentCompletedEvent,
        "payments",
        "order_id",
        "payments.dlq",
        {"order_id": "@uuid", "payment_id": "@uuid", "amount": "0"},
    ),
    "payment.failed": EventSpec(
        models.PaymentFailedEvent,
        "payments",
        "order_id",
        "payments.dlq",
        {"order_id": "@uuid", "payment_id": "@uuid", "reason": ""},
    ),
    "inventory.reserved": EventSpec(
        models.InventoryReservedEvent,
        "inventory",
        "order_id",
        "inventory.dlq",
        {"order_id": "@uuid", "skus": []},
    ),
    "shipment.dispatched": EventSpec(
        models.ShipmentDispatchedEvent,
        "shipments",
        "order_id",
        "shipments.dlq",
        {"order_id": "@uuid", "shipment_id": "@uuid", "tracking_number": ""},
    ),
}
REACTIONS: dict[str, ReactionSpec] = {
    "payment.completed": ReactionSpec(
        "update",
        "Order",
        {"id": "order_id"},
        {},
        {"status": "confirmed"},
        (("order.confirmed", {}),),
        {},
    ),
    "payment.failed": ReactionSpec(
        "update",
        "Order",
        {"id": "order_id"},
        {},
        {"status": "cancelled"},
        (("order.cancelled", {}),),
        {},
    ),
    "shipment.dispatched": ReactionSpec(
        "update",
        "Order",
        {"id": "order_id"},
        {},
        {"status": "shipped"},
        (("order.shipped", {}),),
        {},
    ),
}
# The fields with a state machine, per stored model: the legal transitions and their causes.
MACHINES: dict[str, dict[str, Machine]] = {
    "Order": {
        "status": Machine(
            "pending",
            ("shipped", "cancelled"),
            {
                "pending": {"confirmed": (), "cancelled": ()},
                "confirmed": {
                    "shipped": ("shipment.dispatched", "PUT /api/v1/orders/{id}/status"),
                    "cancelled": ("PUT /api/v1/orders/{id}/status",),
                },
            },
        ),
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

"""What the catalog says notification-service does, as data the service kit reads.

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

SERVICE = "notification-service"
SOURCE = "/shop/notification-service"

STORED: dict[str, Stored] = {
    "Notification": Stored(
        models.Notification,
        "id",
        ("customer_id",),
        {
            "id": "@uuid",
            "customer_id": "@uuid",
            "channel": "email",
            "template": "",
            "sent_at": "@now",
        },
    ),
}
PUBLISHES: dict[str, EventSpec] = {}
CONSUMES: dict[str, EventSpec] = {
    "order.created": EventSpec(
        models.OrderCreatedEvent,
        "orders",
        "order_id",
        "orders.dlq",
        {"order_id": "@uuid", "customer_id": "@uuid", "total": "0", "items": []},
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
    "payment.failed": EventSpec(
        models.PaymentFailedEvent,
        "payments",
        "order_id",
        "payments.dlq",
        {"order_id": "@uuid", "payment_id": "@uuid", "reason": ""},
    ),
    "customer.registered": EventSpec(
        models.CustomerRegisteredEvent,
        "customers",
        "customer_id",
        "customers.dlq",
        {"customer_id": "@uuid", "email": ""},
    ),
}
REACTIONS: dict[str, ReactionSpec] = {
    "order.shipped": ReactionSpec(
        "create",
        "Notification",
        {},
        {"customer_id": "customer_id"},
        {"channel": "email", "template": "order-shipped"},
        (),
        {},
    ),
}
# The fields with a state machine, per stored model: the legal transitions and their causes.
MACHINES: dict[str, dict[str, Machine]] = {}
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

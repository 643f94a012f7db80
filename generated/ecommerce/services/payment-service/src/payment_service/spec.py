"""What the catalog says payment-service does, as data the service kit reads.

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

SERVICE = "payment-service"
SOURCE = "/shop/payment-service"

STORED: dict[str, Stored] = {
    "Payment": Stored(
        models.Payment,
        "id",
        (),
        {"id": "@uuid", "order_id": "@uuid", "amount": "0", "currency": "", "status": "authorized"},
    ),
}
PUBLISHES: dict[str, EventSpec] = {
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
}
CONSUMES: dict[str, EventSpec] = {
    "order.created": EventSpec(
        models.OrderCreatedEvent,
        "orders",
        "order_id",
        "orders.dlq",
        {"order_id": "@uuid", "customer_id": "@uuid", "total": "0", "items": []},
    ),
}
REACTIONS: dict[str, ReactionSpec] = {
    "order.created": ReactionSpec(
        "create",
        "Payment",
        {},
        {"order_id": "order_id", "amount": "total"},
        {"currency": "EUR", "status": "authorized"},
        (
            ("payment.completed", {"amount": {"le": 1000.0}}),
            ("payment.failed", {"amount": {"gt": 1000.0}}),
        ),
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

"""What the catalog says shipping-service does, as data the service kit reads.

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

SERVICE = "shipping-service"
SOURCE = "/shop/shipping-service"

STORED: dict[str, Stored] = {
    "Shipment": Stored(
        models.Shipment,
        "id",
        ("order_id",),
        {
            "id": "@uuid",
            "order_id": "@uuid",
            "carrier": "",
            "tracking_number": "",
            "status": "preparing",
        },
    ),
}
PUBLISHES: dict[str, EventSpec] = {
    "shipment.dispatched": EventSpec(
        models.ShipmentDispatchedEvent,
        "shipments",
        "order_id",
        "shipments.dlq",
        {"order_id": "@uuid", "shipment_id": "@uuid", "tracking_number": ""},
    ),
}
CONSUMES: dict[str, EventSpec] = {
    "order.confirmed": EventSpec(
        models.OrderConfirmedEvent,
        "orders",
        "order_id",
        "orders.dlq",
        {"order_id": "@uuid", "customer_id": "@uuid"},
    ),
}
REACTIONS: dict[str, ReactionSpec] = {
    "order.confirmed": ReactionSpec(
        "create",
        "Shipment",
        {},
        {"order_id": "order_id"},
        {"carrier": "standard", "status": "dispatched"},
        (("shipment.dispatched", {}),),
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

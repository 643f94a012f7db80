"""What the catalog says customer-service does, as data the service kit reads.

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

SERVICE = "customer-service"
SOURCE = "/shop/customer-service"

STORED: dict[str, Stored] = {
    "Customer": Stored(
        models.Customer,
        "id",
        (),
        {"id": "@uuid", "email": "", "name": "", "addresses": [], "marketing_opt_in": False},
    ),
}
PUBLISHES: dict[str, EventSpec] = {
    "customer.registered": EventSpec(
        models.CustomerRegisteredEvent,
        "customers",
        "customer_id",
        "customers.dlq",
        {"customer_id": "@uuid", "email": ""},
    ),
}
CONSUMES: dict[str, EventSpec] = {}
REACTIONS: dict[str, ReactionSpec] = {}
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

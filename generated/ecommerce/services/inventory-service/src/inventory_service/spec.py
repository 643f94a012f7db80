"""What the catalog says inventory-service does, as data the default behaviour reads.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from pydantic import BaseModel

from . import models

SERVICE = "inventory-service"
SOURCE = "/shop/inventory-service"


class Stored(NamedTuple):
    model: type[BaseModel]
    key: str
    indexes: tuple[str, ...]
    fill: dict[str, Any]  # values of required fields a create does not receive


class EventSpec(NamedTuple):
    payload: type[BaseModel]
    topic: str
    key: str | None  # the payload field that is the message key
    dead_letter: str | None
    fill: dict[str, Any]


# field: {operator: value}, all must hold (operators: eq, ne, gt, ge, lt, le, in).
Condition = dict[str, dict[str, Any]]


class ReactionSpec(NamedTuple):
    kind: str  # create | update
    model: str
    match: dict[str, str]  # model field: payload field
    copy: dict[str, str]  # model field: payload field
    set: dict[str, Any]  # model field: literal
    emits: tuple[tuple[str, Condition], ...]  # (event, condition on the result)
    when: Condition  # on the payload: the reaction runs only when it holds


class Machine(NamedTuple):
    initial: str
    final: tuple[str, ...]
    transitions: dict[str, dict[str, tuple[str, ...]]]  # from: {to: causes, () = anyone}


STORED: dict[str, Stored] = {
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
REACTIONS: dict[str, ReactionSpec] = {}
# The fields with a state machine, per stored model: the legal transitions and their causes.
MACHINES: dict[str, dict[str, Machine]] = {}
# communication.async.retries: attempts per event before its dead-letter topic.
RETRY_ATTEMPTS = 5
RETRY_BASE_MS = 200

"""What the catalog says shipping-service does, as data the default behaviour reads.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from pydantic import BaseModel

from . import models

SERVICE = "shipping-service"
SOURCE = "/shop/shipping-service"


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

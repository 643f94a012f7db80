"""What the team's handlers.py may replace in order-service, and the type of each.

One type per endpoint (the runtime, then the path parameters and the request model, in;
the response model out) and per reaction (the unit of work and the event's payload), and
`implement`, on which handlers.py registers a handler, so that mypy checks it:

    from . import models
    from .handlers_api import Runtime, implement

    @implement.<name>  # a name of OVERRIDABLE
    async def my_handler(runtime: Runtime, ...) -> models.<the response model>: ...

A list endpoint's handler gets the page asked for last (`paging.PageRequest`: limit and
cursor) and answers a `paging.Page` (the items, and the cursor of the next page, which
the route links), or a plain list, answered whole; `repositories.<Model>Repository.page`
reads one page as the default behaviour does.

A function of handlers.py named after an endpoint or reaction replaces it too (untyped).
The routes resolve the handlers once, when the app is built. What an endpoint handler
returns (a model, or a dict the model reads) is validated against its response model:
an answer the model refuses is a 500 problem naming the field.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Annotated, Any, TypeAlias
from uuid import UUID

from archgen_service_kit import contract, paging
from fastapi import Depends
from pydantic import TypeAdapter

from . import models
from .settings import Settings

# What an endpoint handler gets first: the service's store, upstream clients and settings.
Runtime: TypeAlias = contract.Runtime[Settings]
# The same runtime injected the FastAPI way, in the team's own routes (handlers.router):
# `async def report(runtime: RuntimeDep) -> ...`.
RuntimeDep: TypeAlias = Annotated[Runtime, Depends(contract.runtime_of)]
# What a reaction handler gets first: the unit of work the event is handled in, then the
# event's payload as a dict (the catalog's names).
Unit: TypeAlias = contract.Unit

# Endpoint handlers.
PostV1OrdersHandler: TypeAlias = Callable[[Runtime, models.NewOrder], Awaitable[models.Order]]
GetV1OrdersByIdHandler: TypeAlias = Callable[[Runtime, UUID], Awaitable[models.Order]]
PutV1OrdersByIdStatusHandler: TypeAlias = Callable[
    [Runtime, UUID, models.OrderStatus], Awaitable[models.Order]
]
GetV1OrdersCustomerByCustomerIdHandler: TypeAlias = Callable[
    [Runtime, UUID, paging.PageRequest], Awaitable[paging.Page[models.Order] | list[models.Order]]
]

# Reaction handlers.
OnPaymentCompletedHandler: TypeAlias = contract.ReactionHandler
OnPaymentFailedHandler: TypeAlias = contract.ReactionHandler
OnInventoryReservedHandler: TypeAlias = contract.ReactionHandler
OnShipmentDispatchedHandler: TypeAlias = contract.ReactionHandler

# Every name handlers.py may replace: endpoints by operationId, reactions as on_<event>.
OVERRIDABLE: frozenset[str] = frozenset(
    {
        "post_v1_orders",
        "get_v1_orders_by_id",
        "put_v1_orders_by_id_status",
        "get_v1_orders_customer_by_customer_id",
        "on_payment_completed",
        "on_payment_failed",
        "on_inventory_reserved",
        "on_shipment_dispatched",
    }
)
# The response model each endpoint handler's answer is validated against.
ANSWERS: dict[str, TypeAdapter[Any]] = {
    "post_v1_orders": TypeAdapter(models.Order),
    "get_v1_orders_by_id": TypeAdapter(models.Order),
    "put_v1_orders_by_id_status": TypeAdapter(models.Order),
    "get_v1_orders_customer_by_customer_id": TypeAdapter(list[models.Order]),
}


@dataclass(frozen=True, slots=True)
class Team:
    """The team's handler of each endpoint and reaction; None: the default behaviour."""

    post_v1_orders: PostV1OrdersHandler | None = None
    get_v1_orders_by_id: GetV1OrdersByIdHandler | None = None
    put_v1_orders_by_id_status: PutV1OrdersByIdStatusHandler | None = None
    get_v1_orders_customer_by_customer_id: GetV1OrdersCustomerByCustomerIdHandler | None = None
    on_payment_completed: OnPaymentCompletedHandler | None = None
    on_payment_failed: OnPaymentFailedHandler | None = None
    on_inventory_reserved: OnInventoryReservedHandler | None = None
    on_shipment_dispatched: OnShipmentDispatchedHandler | None = None

    def reactions(self) -> dict[str, contract.ReactionHandler]:
        """The reaction handlers by the event each handles."""
        found: dict[str, contract.ReactionHandler | None] = {
            "payment.completed": self.on_payment_completed,
            "payment.failed": self.on_payment_failed,
            "inventory.reserved": self.on_inventory_reserved,
            "shipment.dispatched": self.on_shipment_dispatched,
        }
        return {event: handler for event, handler in found.items() if handler is not None}


class Implement(contract.Registry):
    """`@implement.<name>` makes the decorated function the handler of <name>."""

    def post_v1_orders(self, handler: PostV1OrdersHandler) -> PostV1OrdersHandler:
        return self._register("post_v1_orders", handler)

    def get_v1_orders_by_id(self, handler: GetV1OrdersByIdHandler) -> GetV1OrdersByIdHandler:
        return self._register("get_v1_orders_by_id", handler)

    def put_v1_orders_by_id_status(
        self, handler: PutV1OrdersByIdStatusHandler
    ) -> PutV1OrdersByIdStatusHandler:
        return self._register("put_v1_orders_by_id_status", handler)

    def get_v1_orders_customer_by_customer_id(
        self, handler: GetV1OrdersCustomerByCustomerIdHandler
    ) -> GetV1OrdersCustomerByCustomerIdHandler:
        return self._register("get_v1_orders_customer_by_customer_id", handler)

    def on_payment_completed(self, handler: OnPaymentCompletedHandler) -> OnPaymentCompletedHandler:
        return self._register("on_payment_completed", handler)

    def on_payment_failed(self, handler: OnPaymentFailedHandler) -> OnPaymentFailedHandler:
        return self._register("on_payment_failed", handler)

    def on_inventory_reserved(
        self, handler: OnInventoryReservedHandler
    ) -> OnInventoryReservedHandler:
        return self._register("on_inventory_reserved", handler)

    def on_shipment_dispatched(
        self, handler: OnShipmentDispatchedHandler
    ) -> OnShipmentDispatchedHandler:
        return self._register("on_shipment_dispatched", handler)

    def resolve(self, handlers: ModuleType) -> Team:
        """The team's handlers, found once: those registered here, and the functions of
        `handlers` named after an endpoint or reaction; endpoint answers are validated."""
        found = self._resolved(handlers)
        for name, answer in ANSWERS.items():
            if name in found:
                found[name] = contract.checked(name, found[name], answer)
        return Team(**found)


implement = Implement(OVERRIDABLE)

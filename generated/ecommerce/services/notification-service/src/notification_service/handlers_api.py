"""What the team's handlers.py may replace in notification-service, and the type of each.

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
GetV1NotificationsCustomerByCustomerIdHandler: TypeAlias = Callable[
    [Runtime, UUID, paging.PageRequest],
    Awaitable[paging.Page[models.Notification] | list[models.Notification]],
]

# Reaction handlers.
OnOrderCreatedHandler: TypeAlias = contract.ReactionHandler
OnOrderShippedHandler: TypeAlias = contract.ReactionHandler
OnOrderCancelledHandler: TypeAlias = contract.ReactionHandler
OnPaymentFailedHandler: TypeAlias = contract.ReactionHandler
OnCustomerRegisteredHandler: TypeAlias = contract.ReactionHandler

# Every name handlers.py may replace: endpoints by operationId, reactions as on_<event>.
OVERRIDABLE: frozenset[str] = frozenset(
    {
        "get_v1_notifications_customer_by_customer_id",
        "on_order_created",
        "on_order_shipped",
        "on_order_cancelled",
        "on_payment_failed",
        "on_customer_registered",
    }
)
# The response model each endpoint handler's answer is validated against.
ANSWERS: dict[str, TypeAdapter[Any]] = {
    "get_v1_notifications_customer_by_customer_id": TypeAdapter(list[models.Notification]),
}


@dataclass(frozen=True, slots=True)
class Team:
    """The team's handler of each endpoint and reaction; None: the default behaviour."""

    get_v1_notifications_customer_by_customer_id: (
        GetV1NotificationsCustomerByCustomerIdHandler | None
    ) = None
    on_order_created: OnOrderCreatedHandler | None = None
    on_order_shipped: OnOrderShippedHandler | None = None
    on_order_cancelled: OnOrderCancelledHandler | None = None
    on_payment_failed: OnPaymentFailedHandler | None = None
    on_customer_registered: OnCustomerRegisteredHandler | None = None

    def reactions(self) -> dict[str, contract.ReactionHandler]:
        """The reaction handlers by the event each handles."""
        found: dict[str, contract.ReactionHandler | None] = {
            "order.created": self.on_order_created,
            "order.shipped": self.on_order_shipped,
            "order.cancelled": self.on_order_cancelled,
            "payment.failed": self.on_payment_failed,
            "customer.registered": self.on_customer_registered,
        }
        return {event: handler for event, handler in found.items() if handler is not None}


class Implement(contract.Registry):
    """`@implement.<name>` makes the decorated function the handler of <name>."""

    def get_v1_notifications_customer_by_customer_id(
        self, handler: GetV1NotificationsCustomerByCustomerIdHandler
    ) -> GetV1NotificationsCustomerByCustomerIdHandler:
        return self._register("get_v1_notifications_customer_by_customer_id", handler)

    def on_order_created(self, handler: OnOrderCreatedHandler) -> OnOrderCreatedHandler:
        return self._register("on_order_created", handler)

    def on_order_shipped(self, handler: OnOrderShippedHandler) -> OnOrderShippedHandler:
        return self._register("on_order_shipped", handler)

    def on_order_cancelled(self, handler: OnOrderCancelledHandler) -> OnOrderCancelledHandler:
        return self._register("on_order_cancelled", handler)

    def on_payment_failed(self, handler: OnPaymentFailedHandler) -> OnPaymentFailedHandler:
        return self._register("on_payment_failed", handler)

    def on_customer_registered(
        self, handler: OnCustomerRegisteredHandler
    ) -> OnCustomerRegisteredHandler:
        return self._register("on_customer_registered", handler)

    def resolve(self, handlers: ModuleType) -> Team:
        """The team's handlers, found once: those registered here, and the functions of
        `handlers` named after an endpoint or reaction; endpoint answers are validated."""
        found = self._resolved(handlers)
        for name, answer in ANSWERS.items():
            if name in found:
                found[name] = contract.checked(name, found[name], answer)
        return Team(**found)


implement = Implement(OVERRIDABLE)

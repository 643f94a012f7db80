"""What the team's handlers.py may replace in payment-service, and the type of each.

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

from archgen_service_kit import contract
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
PostV1PaymentsHandler: TypeAlias = Callable[
    [Runtime, models.PaymentRequest], Awaitable[models.Payment]
]
GetV1PaymentsByIdHandler: TypeAlias = Callable[[Runtime, UUID], Awaitable[models.Payment]]

# Reaction handlers.
OnOrderCreatedHandler: TypeAlias = contract.ReactionHandler

# Every name handlers.py may replace: endpoints by operationId, reactions as on_<event>.
OVERRIDABLE: frozenset[str] = frozenset(
    {
        "post_v1_payments",
        "get_v1_payments_by_id",
        "on_order_created",
    }
)
# The response model each endpoint handler's answer is validated against.
ANSWERS: dict[str, TypeAdapter[Any]] = {
    "post_v1_payments": TypeAdapter(models.Payment),
    "get_v1_payments_by_id": TypeAdapter(models.Payment),
}


@dataclass(frozen=True, slots=True)
class Team:
    """The team's handler of each endpoint and reaction; None: the default behaviour."""

    post_v1_payments: PostV1PaymentsHandler | None = None
    get_v1_payments_by_id: GetV1PaymentsByIdHandler | None = None
    on_order_created: OnOrderCreatedHandler | None = None

    def reactions(self) -> dict[str, contract.ReactionHandler]:
        """The reaction handlers by the event each handles."""
        found: dict[str, contract.ReactionHandler | None] = {
            "order.created": self.on_order_created,
        }
        return {event: handler for event, handler in found.items() if handler is not None}


class Implement(contract.Registry):
    """`@implement.<name>` makes the decorated function the handler of <name>."""

    def post_v1_payments(self, handler: PostV1PaymentsHandler) -> PostV1PaymentsHandler:
        return self._register("post_v1_payments", handler)

    def get_v1_payments_by_id(self, handler: GetV1PaymentsByIdHandler) -> GetV1PaymentsByIdHandler:
        return self._register("get_v1_payments_by_id", handler)

    def on_order_created(self, handler: OnOrderCreatedHandler) -> OnOrderCreatedHandler:
        return self._register("on_order_created", handler)

    def resolve(self, handlers: ModuleType) -> Team:
        """The team's handlers, found once: those registered here, and the functions of
        `handlers` named after an endpoint or reaction; endpoint answers are validated."""
        found = self._resolved(handlers)
        for name, answer in ANSWERS.items():
            if name in found:
                found[name] = contract.checked(name, found[name], answer)
        return Team(**found)


implement = Implement(OVERRIDABLE)

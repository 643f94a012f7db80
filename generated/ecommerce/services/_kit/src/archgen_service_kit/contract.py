"""The team's contract with its service: the types its handlers see, their registry, and
the check of what an endpoint handler answers.

Each service's managed `handlers_api.py` types every handler it may replace and
registers them on a `Registry` (`@implement.<name>`); the routes resolve them once,
when the app is built. What an endpoint handler returns is validated against the
endpoint's response model (`checked`): an answer that breaks the spec is a 500 problem
naming the field, never a response the OpenAPI document does not describe.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from types import ModuleType
from typing import Any, Protocol, TypeVar

from fastapi import Request
from pydantic import TypeAdapter, ValidationError

from .clients import UpstreamClient
from .paging import Page
from .storage import Message, Record

log = logging.getLogger(__name__)

SettingsT_co = TypeVar("SettingsT_co", covariant=True)
H = TypeVar("H", bound=Callable[..., Awaitable[Any]])


class Unit(Protocol):
    """A unit of work of any store (relational, key-value, document, memory): what handlers
    and the service's repositories read and write, all applied together when it ends."""

    async def get(self, model: str, key: str, lock: bool = False) -> Record | None: ...

    async def add(self, model: str, key: str, data: Record) -> None: ...

    async def put(self, model: str, key: str, data: Record) -> None: ...

    async def list_by(
        self,
        model: str,
        name: str | None,
        value: Any,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Record]: ...

    async def emit(self, message: Message) -> None: ...


class Store(Protocol):
    """The service's store, as a handler uses it: `async with store.unit() as unit:`."""

    def unit(self, read_only: bool = False) -> AbstractAsyncContextManager[Unit]: ...


class Runtime(Protocol[SettingsT_co]):
    """What an endpoint handler gets: the service's store, its upstream clients by service
    name, its settings (the kit's app.Runtime is one)."""

    @property
    def store(self) -> Store: ...

    @property
    def clients(self) -> Mapping[str, UpstreamClient]: ...

    @property
    def settings(self) -> SettingsT_co: ...


def runtime_of(request: Request) -> Runtime[Any]:
    """The service's runtime as a FastAPI dependency, for the team's own routes
    (`handlers_api.RuntimeDep`): the one the app was built with."""
    runtime: Runtime[Any] = request.app.state.runtime
    return runtime


# A reaction handler: the unit of work the event is handled in, and the event's payload.
ReactionHandler = Callable[[Unit, Record], Awaitable[None]]


class HandlerConflict(Exception):
    """One endpoint or reaction with two handlers: the app is not built."""


class InvalidResponse(Exception):
    """A team handler answered what its endpoint's response model refuses: a 500 problem."""

    def __init__(self, handler: str, errors: Iterable[Mapping[str, Any]]) -> None:
        self.handler = handler
        self.errors = [
            {"pointer": "/" + "/".join(str(p) for p in e.get("loc", ())), "detail": e["msg"]}
            for e in errors
        ]
        fields = "; ".join(
            f"{e['pointer'][1:] or '(the answer)'}: {e['detail']}" for e in self.errors
        )
        super().__init__(f"{handler} answered what its response model refuses: {fields}")


class Registry:
    """The team's handlers by the endpoint or reaction they replace. A service's
    `Implement` subclass (handlers_api.py) adds one typed decorator per name."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = frozenset(names)
        self._registered: dict[str, Callable[..., Awaitable[Any]]] = {}

    def _register(self, name: str, handler: H) -> H:
        if name in self._registered and self._registered[name] is not handler:
            raise HandlerConflict(
                f"{name} has two handlers: {self._registered[name].__name__} "
                f"and {handler.__name__}; keep one"
            )
        self._registered[name] = handler
        return handler

    def registered(self) -> dict[str, Callable[..., Awaitable[Any]]]:
        return dict(self._registered)

    def _resolved(self, module: ModuleType) -> dict[str, Callable[..., Awaitable[Any]]]:
        """The registered handlers, and the coroutine functions of `module` named after an
        endpoint or reaction (how a team replaced one before the registry): each name once."""
        found = dict(self._registered)
        for name in sorted(self._names):
            function = getattr(module, name, None)
            if function is None or function is found.get(name):
                continue
            if name in found:
                raise HandlerConflict(
                    f"{name} has two handlers: {found[name].__name__} "
                    f"registered with @implement.{name}, and the function "
                    f"{name} of {module.__name__}; keep one"
                )
            if not inspect.iscoroutinefunction(function):
                raise HandlerConflict(
                    f"{module.__name__}.{name} replaces a handler but is not an async function"
                )
            found[name] = function
        return found


def checked(
    name: str, handler: Callable[..., Awaitable[Any]], answer: TypeAdapter[Any]
) -> Callable[..., Awaitable[Any]]:
    """`handler`, its result validated by `answer` (the endpoint's response model): a model
    or a dict the model reads comes back as the model, anything else raises InvalidResponse.
    A list handler's Page is validated item by item and keeps its cursor."""

    @functools.wraps(handler)
    async def run(*args: Any) -> Any:
        result = await handler(*args)
        try:
            if isinstance(result, Page):
                return Page(answer.validate_python(result.items), result.after)
            return answer.validate_python(result)
        except ValidationError as exc:
            error = InvalidResponse(name, exc.errors())
            log.error("%s", error)
            raise error from None

    return run

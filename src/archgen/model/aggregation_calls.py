"""A gateway aggregation's call as the catalog writes it, read once for every consumer.

`<service> METHOD /path`, where each `{parameter}` is filled from the aggregation's own
route by name, or, written `{<key>.<field>}`, from a field of an earlier call's answer:
`<key>` is that call's property in the combined document (its service's name), so
`customer-service GET /api/v1/customers/{order-service.customer_id}` asks for the customer
of the order the first call read. The callee's endpoint is found with parameter names
blanked (`/customers/{id}` is that path), the way routers match it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_REFERENCE = re.compile(r"([a-z][-a-z0-9]*)\.([A-Za-z_][A-Za-z0-9_]*)")


class _Endpoint(Protocol):
    @property
    def method(self) -> str: ...

    @property
    def path(self) -> str: ...


EndpointT = TypeVar("EndpointT", bound=_Endpoint)


@dataclass(frozen=True, slots=True)
class Reference:
    """`{<key>.<field>}`: the value of `field` in the answer of the call named `key`."""

    placeholder: str  # as written, without the braces
    key: str
    field: str


@dataclass(frozen=True, slots=True)
class WrittenCall:
    service: str
    method: str
    path: str  # as written, references included

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def text(self) -> str:
        return f"{self.service} {self.route}"

    @property
    def route_params(self) -> tuple[str, ...]:
        """The placeholders filled from the aggregation's route, by name."""
        return tuple(p for p in placeholders(self.path) if "." not in p)

    @property
    def references(self) -> tuple[Reference, ...]:
        """The placeholders filled from earlier answers, in the order written."""
        found = []
        for placeholder in placeholders(self.path):
            match = _REFERENCE.fullmatch(placeholder)
            if match:
                found.append(Reference(placeholder, match.group(1), match.group(2)))
        return tuple(found)

    @property
    def shape(self) -> str:
        """The path with every placeholder blanked: what an endpoint's path must match."""
        return blank(self.path)

    def serves(self, method: str, path: str) -> bool:
        """Whether an endpoint `method path` is the one this call reaches."""
        return method == self.method and blank(path) == self.shape

    def endpoint_in(self, endpoints: Iterable[EndpointT]) -> EndpointT | None:
        """The one of `endpoints` (its service's) this call reaches, if any."""
        return next((ep for ep in endpoints if self.serves(ep.method, ep.path)), None)


def placeholders(path: str) -> tuple[str, ...]:
    """Every placeholder of a written path, in order: route parameters and references."""
    return tuple(_PLACEHOLDER.findall(path))


def blank(path: str) -> str:
    return _PLACEHOLDER.sub("{}", path)


def parse_call(text: str) -> WrittenCall:
    """`order-service GET /api/v1/orders/{id}` (the catalog has checked the syntax)."""
    service, method, path = text.split(" ", 2)
    return WrittenCall(service, method, path)


def call_keys(services: Sequence[str]) -> list[str]:
    """The combined document's property per call: the service's name, made unique by the
    call's position when a service is called twice (the aggregation service answers these)."""
    keys: list[str] = []
    for service in services:
        keys.append(service if service not in keys else f"{service}-{len(keys) + 1}")
    return keys


def keyed_calls(calls: Iterable[str]) -> list[tuple[str, WrittenCall]]:
    """Each call of one aggregation with its key, in the order written."""
    parsed = [parse_call(c) for c in calls]
    return list(zip(call_keys([c.service for c in parsed]), parsed, strict=True))

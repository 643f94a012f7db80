"""The gateway aggregations this service serves, as the catalog declares them.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Budget:
    """A call's budget, as a `depends_on` edge with communication.sync's defaults has it."""

    timeout_s: float  # per attempt
    attempts: int  # the first call included; only a GET is ever repeated
    base_ms: int  # the first backoff; doubles per retry
    max_backoff_ms: int

    def backoff_s(self, retry: int) -> float:
        """The wait before retry number `retry` (1-based): exponential, capped."""
        return min(self.base_ms << (retry - 1), self.max_backoff_ms) / 1000


@dataclass(frozen=True, slots=True)
class Reference:
    """A path parameter filled from a field of an earlier call's answer."""

    placeholder: str  # in the call's path, without the braces
    key: str  # the earlier call, by its property in the combined document
    field: str


@dataclass(frozen=True, slots=True)
class Call:
    key: str  # its property in the combined document
    service: str
    method: str
    path: str  # the service's route: {param} from the aggregation's route, or a Reference
    wave: int = 0  # calls of one wave run concurrently, after every call of earlier waves
    references: tuple[Reference, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.service} {self.method} {self.path}"


@dataclass(frozen=True, slots=True)
class Aggregation:
    method: str
    path: str
    calls: tuple[Call, ...]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def waves(self) -> tuple[tuple[Call, ...], ...]:
        """The calls grouped by wave, in the order written."""
        last = max((c.wave for c in self.calls), default=-1)
        return tuple(tuple(c for c in self.calls if c.wave == w) for w in range(last + 1))


AGGREGATIONS: tuple[Aggregation, ...] = (
    Aggregation(
        "GET",
        "/api/v1/mobile/orders/{id}/summary",
        (
            Call("order-service", "order-service", "GET", "/api/v1/orders/{id}"),
            Call(
                "customer-service",
                "customer-service",
                "GET",
                "/api/v1/customers/{order-service.customer_id}",
                1,
                (Reference("order-service.customer_id", "order-service", "customer_id"),),
            ),
        ),
    ),
)

BUDGETS: dict[str, Budget] = {
    "customer-service": Budget(2.0, 3, 100, 2000),
    "order-service": Budget(2.0, 3, 100, 2000),
}

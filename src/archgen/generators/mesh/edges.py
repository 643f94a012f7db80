"""The calls a mesh governs: one edge per `depends_on`, with its timeout, retries, breaker."""

from __future__ import annotations

from dataclasses import dataclass

from archgen.model.resolved import Breaker, ResolvedCatalog

DEFAULT_BREAKER = (5, 30.0)  # consecutive failures, ejection seconds


@dataclass(frozen=True, slots=True)
class Edge:
    caller: str
    callee: str
    timeout_ms: int | None
    retries: int  # retries after the first attempt
    breaker: Breaker | None


def edges(catalog: ResolvedCatalog) -> list[Edge]:
    found = []
    for name, svc in sorted(catalog.services.items()):
        for dep in svc.dependencies:
            if not dep.known or dep.target not in catalog.services:
                continue
            attempts = dep.retry.max_attempts if dep.retry and dep.retry.max_attempts else 1
            found.append(Edge(name, dep.target, dep.timeout_ms, max(0, attempts - 1),
                              dep.circuit_breaker))
    return sorted(found, key=lambda e: (e.callee, e.caller))


def callee_breaker(catalog: ResolvedCatalog, callee: str) -> tuple[int, float]:
    """The strictest breaker any caller declares for `callee` (a DestinationRule is per
    callee), else communication.sync's, else the default."""
    declared = [e.breaker for e in edges(catalog) if e.callee == callee and e.breaker]
    sync = catalog.communication.sync if catalog.communication else None
    if sync and sync.circuit_breaker:
        declared.append(Breaker(sync.circuit_breaker.failure_threshold,
                                sync.circuit_breaker.reset_s, None))
    thresholds = [b.failure_threshold for b in declared if b.failure_threshold]
    resets = [b.reset_s for b in declared if b.reset_s]
    return (min(thresholds) if thresholds else DEFAULT_BREAKER[0],
            max(resets) if resets else DEFAULT_BREAKER[1])

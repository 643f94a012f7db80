"""What a mesh needs of the calls it governs, beyond each edge's budget in the deployment."""

from __future__ import annotations

from archgen.model.deployment import DEFAULT_BREAKER
from archgen.model.resolved import Breaker, ResolvedCatalog


def callee_breaker(catalog: ResolvedCatalog, callee: str) -> tuple[int, float]:
    """The strictest breaker any caller declares for `callee` (a DestinationRule is per
    callee), else communication.sync's, else the default."""
    declared: list[Breaker] = [dep.circuit_breaker for svc in catalog.services.values()
                               for dep in svc.dependencies
                               if dep.target == callee and dep.known and dep.circuit_breaker]
    sync = catalog.communication.sync if catalog.communication else None
    if sync and sync.circuit_breaker:
        declared.append(Breaker(sync.circuit_breaker.failure_threshold,
                                sync.circuit_breaker.reset_s, None))
    thresholds = [b.failure_threshold for b in declared if b.failure_threshold]
    resets = [b.reset_s for b in declared if b.reset_s]
    return (min(thresholds) if thresholds else DEFAULT_BREAKER[0],
            max(resets) if resets else DEFAULT_BREAKER[1])

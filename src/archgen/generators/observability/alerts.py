"""Alerts on the event pipeline that no SLO covers: outbox events the broker refused.

A parked event (too large for the broker, say) never reaches its consumers: the
saga it belongs to stops there until a person looks at `archgen_outbox_parked`.
"""

from __future__ import annotations

from typing import Any

from archgen.model.deployment import Deployment

# The counter every generated service with an outbox exports (observability.py), by topic.
OUTBOX_PARKED_METRIC = "outbox_parked_total"


def outbox_group(deploy: Deployment) -> list[dict[str, Any]]:
    """One group when some service keeps an outbox (a relational store), else none."""
    if not any(s.store is not None and s.store.kind == "relational"
               for s in deploy.services.values()):
        return []
    return [{"name": "archgen-outbox", "rules": [{
        "alert": "OutboxEventParked",
        "expr": f"sum by (job, topic) (increase({OUTBOX_PARKED_METRIC}[15m])) > 0",
        "labels": {"severity": "ticket"},
        "annotations": {
            "summary": "{{ $labels.job }} parked an event for {{ $labels.topic }}: the broker "
                       "refused it; see the service's archgen_outbox_parked table"}}]}]

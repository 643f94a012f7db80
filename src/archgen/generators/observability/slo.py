"""SLO rules from each service's `nfr`: the SRE workbook's multi-window, multi-burn-rate alerts.

Availability: the error ratio (5xx over all requests) is recorded over seven
windows; a page fires when both a long and a short window burn the error
budget fast (14.4x over 1h and 5m, 6x over 6h and 30m), a ticket when it burns
slowly (3x over 1d and 2h, 1x over 3d and 6h). Latency: p95 from the request
histogram above `latency_p95_ms` for 10 minutes.
"""

from __future__ import annotations

from typing import Any

from archgen.model.deployment import (
    HTTP_DURATION_METRIC,
    HTTP_REQUESTS_METRIC,
    HTTP_STATUS_LABEL,
)
from archgen.model.resolved import ResolvedCatalog

WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
# (severity, burn rate, long window, short window, for) from the SRE workbook, chapter 5.
BURN_ALERTS = (
    ("page", 14.4, "1h", "5m", "2m"),
    ("page", 6.0, "6h", "30m", "15m"),
    ("ticket", 3.0, "1d", "2h", "1h"),
    ("ticket", 1.0, "3d", "6h", "3h"),
)


def error_ratio_record(window: str) -> str:
    return f"job:slo_errors_per_request:ratio_rate{window}"


def rule_groups(catalog: ResolvedCatalog) -> list[dict[str, Any]]:
    """One group per service that declares an availability or latency target."""
    groups = []
    for name, svc in sorted(catalog.services.items()):
        nfr = svc.spec.nfr
        if nfr is None or (nfr.availability is None and nfr.latency_p95_ms is None):
            continue
        rules: list[dict[str, Any]] = []
        if nfr.availability is not None:
            rules.extend(_availability(name, float(nfr.availability)))
        if nfr.latency_p95_ms is not None:
            rules.append(_latency(name, float(nfr.latency_p95_ms)))
        groups.append({"name": f"slo-{name}", "rules": rules})
    return groups


def _availability(job: str, target_pct: float) -> list[dict[str, Any]]:
    budget = round(1 - target_pct / 100, 10)
    sel = f'job="{job}"'
    records = [{"record": error_ratio_record(w), "labels": {"job": job}, "expr": (
        f'sum(rate({HTTP_REQUESTS_METRIC}{{{sel},{HTTP_STATUS_LABEL}=~"5.."}}[{w}])) / '
        f"sum(rate({HTTP_REQUESTS_METRIC}{{{sel}}}[{w}]))")} for w in WINDOWS]
    alerts = []
    for severity, rate, long, short, wait in BURN_ALERTS:
        threshold = f"({rate:g} * {budget:g})"
        alerts.append({
            "alert": "ErrorBudgetBurn",
            "expr": (f"{error_ratio_record(long)}{{{sel}}} > {threshold} and "
                     f"{error_ratio_record(short)}{{{sel}}} > {threshold}"),
            "for": wait,
            "labels": {"severity": severity, "job": job, "long_window": long},
            "annotations": {
                "summary": f"{job} is burning its {target_pct:g}% availability error budget "
                           f"{rate:g}x too fast ({long}/{short} windows)"}})
    return records + alerts


def _latency(job: str, p95_ms: float) -> dict[str, Any]:
    seconds = p95_ms / 1000
    expr = (f"histogram_quantile(0.95, sum by (le) (rate({HTTP_DURATION_METRIC}_bucket"
            f'{{job="{job}"}}[5m]))) > {seconds:g}')
    return {"alert": "LatencyP95AboveTarget", "expr": expr, "for": "10m",
            "labels": {"severity": "ticket", "job": job},
            "annotations": {"summary": f"{job} p95 latency is above its {p95_ms:g} ms target"}}

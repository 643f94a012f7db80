"""The Grafana dashboard of a system: RED per service, consumer lag, SLO burn."""

from __future__ import annotations

from typing import Any

from archgen.generators.observability.slo import error_ratio_record
from archgen.model.deployment import (
    CONSUMER_LAG_METRIC,
    HTTP_DURATION_METRIC,
    HTTP_REQUESTS_METRIC,
    HTTP_STATUS_LABEL,
    Deployment,
)

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
SCHEMA_VERSION = 39
_WIDTH = 6


def dashboard(deployment: Deployment, title: str) -> dict[str, Any]:
    panels: list[dict[str, Any]] = []
    for row, (name, svc) in enumerate(sorted(deployment.services.items())):
        sel = f'job="{name}"'
        errors = f'{sel},{HTTP_STATUS_LABEL}=~"5.."'
        queries = [
            ("Rate (req/s)", f"sum(rate({HTTP_REQUESTS_METRIC}{{{sel}}}[5m]))", "reqps"),
            ("Errors (ratio)", f"sum(rate({HTTP_REQUESTS_METRIC}{{{errors}}}[5m])) / "
             f"sum(rate({HTTP_REQUESTS_METRIC}{{{sel}}}[5m]))", "percentunit"),
            ("Duration p95 (s)", "histogram_quantile(0.95, sum by (le) "
             f"(rate({HTTP_DURATION_METRIC}_bucket{{{sel}}}[5m])))", "s"),
            ("SLO burn (1h error ratio)", f"{error_ratio_record('1h')}{{{sel}}}", "percentunit"),
        ]
        if svc.consumer_group is not None:
            queries.append(("Consumer lag", f"sum by (topic) ({CONSUMER_LAG_METRIC}"
                            f'{{consumergroup="{svc.consumer_group}"}})', "short"))
        for col, (what, expr, unit) in enumerate(queries):
            panels.append(_panel(len(panels) + 1, f"{name}: {what}", expr, unit,
                                 x=(col % 4) * _WIDTH, y=row * 16 + (col // 4) * 8))
    return {
        "title": title, "uid": f"archgen-{deployment.system}"[:40], "editable": True,
        "schemaVersion": SCHEMA_VERSION, "tags": ["archgen", deployment.system],
        "time": {"from": "now-6h", "to": "now"}, "refresh": "30s",
        "templating": {"list": [{"name": "datasource", "type": "datasource",
                                 "query": "prometheus", "label": "Data source"}]},
        "panels": panels,
    }


def _panel(panel_id: int, title: str, expr: str, unit: str, x: int, y: int) -> dict[str, Any]:
    return {"id": panel_id, "type": "timeseries", "title": title, "datasource": DATASOURCE,
            "gridPos": {"h": 8, "w": _WIDTH, "x": x, "y": y},
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "targets": [{"refId": "A", "expr": expr, "datasource": DATASOURCE}]}

"""`deploy/observability/`: SLO and event-pipeline alert rules (plain rules file and
PrometheusRule) and a dashboard."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from archgen.generators.common import Ordered, dump_yaml
from archgen.generators.inputs import document_unit
from archgen.generators.observability.alerts import outbox_group
from archgen.generators.observability.dashboard import dashboard
from archgen.generators.observability.slo import rule_groups
from archgen.output import GenerationContext, OutputFile, Unit

NAME = "observability"
OUT = "deploy/observability"


def dump_json(document: Any) -> str:
    """JSON has no comments, so no header: sorted keys, two-space indent, a final newline."""
    # ASCII only: a catalog title with control or bidi characters stays visible as \\uXXXX.
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def prometheus_rule(system: str, groups: list[dict[str, Any]]) -> Ordered:
    return Ordered(apiVersion="monitoring.coreos.com/v1", kind="PrometheusRule",
                   metadata={"name": f"{system}-slos", "labels": {
                       "app.kubernetes.io/part-of": system}},
                   spec={"groups": groups})


class ObservabilityGenerator:
    name = NAME
    description = "deploy/observability/: SLO burn-rate and latency alerts, Grafana dashboard"

    def plan(self, ctx: GenerationContext) -> list[OutputFile]:
        return [f for unit in self.units(ctx) for f in unit.render()]

    def units(self, ctx: GenerationContext) -> list[Unit]:
        """One unit, fingerprinted on the documents as data (inputs.document_unit)."""
        system = ctx.deployment.system
        groups = rule_groups(ctx.catalog) + outbox_group(ctx.deployment)
        documents: list[tuple[str, Callable[[Any], str], Any]] = [
            (f"{OUT}/dashboard.json", dump_json,
             dashboard(ctx.deployment, ctx.catalog.system.title or system))]
        if groups:
            documents += [(f"{OUT}/rules.yaml", dump_yaml, Ordered(groups=groups)),
                          (f"{OUT}/prometheusrule.yaml", dump_yaml,
                           prometheus_rule(system, groups))]
        return [document_unit(f"{NAME}:", NAME, documents)]

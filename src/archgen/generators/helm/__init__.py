"""`deploy/helm/<system>/`: one Helm chart for the whole system.

Chart.yaml, values.yaml (every catalog fact), values.schema.json, and the
templates, which are fixed text shipped in `templates/helm/chart/` and hold no
catalog content (see values.py for why one chart with a block per service).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from archgen.generators.common import Ordered, dump_yaml
from archgen.generators.helm.schema import values_schema
from archgen.generators.helm.values import chart_values
from archgen.generators.inputs import document_unit, text
from archgen.output import GenerationContext, OutputFile, Unit
from archgen.resources import data_dir

NAME = "helm"
KUBE_VERSION = ">=1.30.0-0"


class HelmGenerator:
    name = NAME
    description = "deploy/helm/<system>/: one chart with Deployments, HPAs, NetworkPolicies, ..."

    def plan(self, ctx: GenerationContext) -> list[OutputFile]:
        return [f for unit in self.units(ctx) for f in unit.render()]

    def units(self, ctx: GenerationContext) -> list[Unit]:
        """One unit, fingerprinted on the chart as data (inputs.document_unit)."""
        system = ctx.deployment.system
        out = f"deploy/helm/{system}"
        version = ctx.catalog.system.version or "0.1.0"
        chart = Ordered(apiVersion="v2", name=system, description=(
            ctx.catalog.system.title or system), type="application", version=version,
            appVersion=version, kubeVersion=KUBE_VERSION)
        documents: list[tuple[str, Callable[[Any], str], Any]] = [
            (f"{out}/Chart.yaml", dump_yaml, chart),
            (f"{out}/values.yaml", dump_yaml, chart_values(ctx.catalog, ctx.deployment)),
            (f"{out}/values.schema.json", text,
             json.dumps(values_schema(), indent=2, sort_keys=True) + "\n"),
        ]
        root = data_dir("templates") / "helm" / "chart"
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = path.relative_to(root).as_posix()
            documents.append((f"{out}/{rel}", text, path.read_text(encoding="utf-8")))
        return [document_unit(f"{NAME}:", NAME, documents)]

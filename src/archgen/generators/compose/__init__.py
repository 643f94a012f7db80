"""`deploy/compose/`: docker-compose for the whole system, plus what it mounts.

compose.yaml runs every service built from `services/<name>/`, one database
container per store, Kafka in KRaft mode with a one-shot job that creates the
catalog's topics, the gateway, and the observability parts `infrastructure`
names. Secrets come from an `.env` next to the file, which is never committed
(`.env.example` lists the names; `.gitignore` keeps `.env` out).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archgen.generators.common import dump_yaml
from archgen.generators.compose.files import (
    env_example,
    gitignore,
    grafana_provisioning,
    prometheus_config,
)
from archgen.generators.compose.services import compose_document
from archgen.generators.inputs import document_unit, text
from archgen.output import GenerationContext, OutputFile, Unit

NAME = "compose"
OUT = "deploy/compose"


class ComposeGenerator:
    name = NAME
    description = "deploy/compose/: compose.yaml with stores, Kafka (KRaft), gateway, observability"

    def plan(self, ctx: GenerationContext) -> list[OutputFile]:
        return [f for unit in self.units(ctx) for f in unit.render()]

    def units(self, ctx: GenerationContext) -> list[Unit]:
        """One unit, fingerprinted on the documents as data (inputs.document_unit)."""
        documents: list[tuple[str, Callable[[Any], str], Any]] = [
            (f"{OUT}/compose.yaml", dump_yaml, compose_document(ctx)),
            (f"{OUT}/.env.example", text, env_example(ctx.deployment)),
            (f"{OUT}/.gitignore", text, gitignore())]
        if "monitoring" in ctx.deployment.observability:
            documents.append((f"{OUT}/prometheus.yml", dump_yaml,
                              prometheus_config(ctx.deployment)))
        if "dashboards" in ctx.deployment.observability:
            documents += [(f"{OUT}/grafana/{path}", dump_yaml, doc)
                          for path, doc in sorted(grafana_provisioning(ctx.deployment).items())]
        return [document_unit(f"{NAME}:", NAME, documents)]

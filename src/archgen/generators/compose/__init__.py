"""`deploy/compose/`: docker-compose for the whole system, plus what it mounts.

compose.yaml runs every service built from `services/<name>/`, one database
container per store, Kafka in KRaft mode with a one-shot job that creates the
catalog's topics, the gateway, and the observability parts `infrastructure`
names. Secrets come from an `.env` next to the file, which is never committed
(`.env.example` lists the names; `.gitignore` keeps `.env` out).
"""

from __future__ import annotations

from archgen.generators.common import dump_yaml
from archgen.generators.compose.files import (
    env_example,
    gitignore,
    grafana_provisioning,
    prometheus_config,
)
from archgen.generators.compose.services import compose_document
from archgen.output import GenerationContext, OutputFile

NAME = "compose"
OUT = "deploy/compose"


class ComposeGenerator:
    name = NAME
    description = "deploy/compose/: compose.yaml with stores, Kafka (KRaft), gateway, observability"

    def plan(self, ctx: GenerationContext) -> list[OutputFile]:
        files = [OutputFile(f"{OUT}/compose.yaml", dump_yaml(compose_document(ctx)), NAME),
                 OutputFile(f"{OUT}/.env.example", env_example(ctx.deployment), NAME),
                 OutputFile(f"{OUT}/.gitignore", gitignore(), NAME)]
        if "monitoring" in ctx.deployment.observability:
            files.append(OutputFile(f"{OUT}/prometheus.yml",
                                    dump_yaml(prometheus_config(ctx.deployment)), NAME))
        if "dashboards" in ctx.deployment.observability:
            files += [OutputFile(f"{OUT}/grafana/{path}", dump_yaml(doc), NAME)
                      for path, doc in sorted(grafana_provisioning(ctx.deployment).items())]
        return files

"""`deploy/gateway/`: the gateway's config for its technology, and always Envoy's.

Envoy's bootstrap is emitted whatever `gateway.technology` says, because Envoy
is the gateway that runs here (`archgen up`, the end-to-end test); Kong's
DB-less declarative config is emitted as well when the catalog names Kong.
"""

from __future__ import annotations

from archgen.generators.common import dump_yaml
from archgen.generators.gateway import envoy, kong
from archgen.generators.gateway.envoy import catalog_collector, envoy_bootstrap
from archgen.generators.gateway.kong import kong_config
from archgen.generators.inputs import document_unit
from archgen.output import GenerationContext, OutputFile, Unit

NAME = "gateway"


class GatewayGenerator:
    name = NAME
    description = "deploy/gateway/: Envoy bootstrap (always) and Kong declarative config"

    def plan(self, ctx: GenerationContext) -> list[OutputFile]:
        return [f for unit in self.units(ctx) for f in unit.render()]

    def units(self, ctx: GenerationContext) -> list[Unit]:
        """One unit, fingerprinted on the configs as data (inputs.document_unit)."""
        if ctx.deployment.gateway is None:
            return []
        documents = [(envoy.OUTPUT, dump_yaml,
                      envoy_bootstrap(ctx, traces=catalog_collector(ctx)))]
        if ctx.deployment.gateway.technology == "kong":
            documents.append((kong.OUTPUT, dump_yaml, kong_config(ctx)))
        return [document_unit(f"{NAME}:", NAME, documents)]

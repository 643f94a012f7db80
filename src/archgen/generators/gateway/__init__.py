"""`deploy/gateway/`: the gateway's config for its technology, and always Envoy's.

Envoy's bootstrap is emitted whatever `gateway.technology` says, because Envoy
is the gateway that runs here (`archgen up`, the end-to-end test); Kong's
DB-less declarative config is emitted as well when the catalog names Kong.
"""

from __future__ import annotations

from archgen.generators.common import dump_yaml
from archgen.generators.gateway import envoy, kong
from archgen.generators.gateway.envoy import envoy_bootstrap
from archgen.generators.gateway.kong import kong_config
from archgen.output import GenerationContext, OutputFile

NAME = "gateway"


class GatewayGenerator:
    name = NAME
    description = "deploy/gateway/: Envoy bootstrap (always) and Kong declarative config"

    def plan(self, ctx: GenerationContext) -> list[OutputFile]:
        if ctx.deployment.gateway is None:
            return []
        files = [OutputFile(envoy.OUTPUT, dump_yaml(envoy_bootstrap(ctx)), NAME)]
        if ctx.deployment.gateway.technology == "kong":
            files.append(OutputFile(kong.OUTPUT, dump_yaml(kong_config(ctx)), NAME))
        return files

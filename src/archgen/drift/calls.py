"""AGX4xx: the calls each service counted, per caller, against `depends_on`, both ways.

The generated upstream client names its service in the `x-archgen-caller`
header; every generated service counts incoming requests per caller (the
`archgen_requests_by_caller_total` counter on its metrics path). A caller
`gateway` came through the gateway; `unidentified` sent no header and did not
come through a proxy: a raw HTTP call from some handler.
"""

from __future__ import annotations

from archgen.drift.context import DriftContext
from archgen.rules.base import RuleContext

GATEWAY = "gateway"
UNIDENTIFIED = "unidentified"


def check(ctx: DriftContext) -> None:
    calls = ctx.observed.calls
    if calls is None:
        return
    services = ctx.catalog.services
    locate = RuleContext(ctx.catalog, ctx.source_map)
    declared = {(d.source, d.target) for s in services.values() for d in s.dependencies
                if d.target in services}
    for callee, callers in sorted(calls.items()):
        if callee not in services:
            continue
        for caller, count in sorted(callers.items()):
            if count <= 0 or caller == GATEWAY:
                continue
            n = f"{count:g} request(s)"
            if caller == UNIDENTIFIED:
                ctx.add("AGX402", f"{callee} received {n} that carried no caller header and "
                        "did not come through the gateway: a call that bypasses the generated "
                        "upstream client", ("services", callee))
            elif caller not in services:
                ctx.add("AGX403", f"{callee} received {n} from `{caller}`, which is no "
                        "service of the catalog", ("services", callee))
            elif (caller, callee) not in declared:
                ctx.add("AGX401", f"{caller} calls {callee} ({n}) but its depends_on does "
                        f"not name {callee}", ("services", caller, "depends_on"))
    for source, target in sorted(declared):
        if target in calls and calls[target].get(source, 0) <= 0:
            ctx.add("AGX490", f"{source} declares a dependency on {target}, but {target} "
                    f"counted no request from {source} while it ran",
                    locate.dependency(source, target))

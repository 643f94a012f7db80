"""AGD5xx: the gateway's contract with clients: versions, aggregations, auth, rate limits."""

from __future__ import annotations

from archgen.diff.context import DiffContext, join
from archgen.model.catalog import Gateway, GatewayAuth


def check(ctx: DiffContext) -> None:
    a, b = ctx.old.catalog.gateway, ctx.new.catalog.gateway
    if a is None:
        return
    b = b or Gateway()  # a removed gateway drops every version, aggregation and policy
    _versions(ctx, a, b)
    for route in a.aggregations:
        if route not in b.aggregations:
            ctx.removed("AGD503", f"the gateway no longer serves the aggregation {route}",
                        ("gateway", "aggregations", route), new_parent=("gateway",))
    if _auth(a.auth) != _auth(b.auth):
        ctx.changed("AGD504", f"the gateway's authentication changed "
                    f"({_auth_text(a.auth)} -> {_auth_text(b.auth)}); every public client "
                    "must present matching tokens", ("gateway", "auth"))
    for tier, limit in a.rate_limits.items():
        new = b.rate_limits.get(tier)
        if new is None or new.per_second < limit.per_second:
            what = "removed" if new is None else f"{new.requests}/{new.period}"
            pointer = ("gateway", "rate_limits", tier)
            message = (f"rate limit tier {tier} goes from {limit.requests}/{limit.period} "
                       f"to {what}")
            if new is None:
                ctx.removed("AGD505", message, pointer, new_parent=("gateway",))
            else:
                ctx.changed("AGD505", message, pointer)


def _versions(ctx: DiffContext, a: Gateway, b: Gateway) -> None:
    public = [f"{s.name} {e.route}" for s, e in ctx.new.catalog.public_endpoints()]
    public += list(b.aggregations)
    for i, version in enumerate(a.versions):
        if version in b.versions:
            continue
        using = [p for p in public if f"/{version}/" in p + "/"]
        if using:
            more = f" and {len(using) - 3} more" if len(using) > 3 else ""
            ctx.removed("AGD501", f"the gateway drops API version {version} while "
                        f"{len(using)} public path(s) use it: {join(using[:3])}{more}",
                        ("gateway", "versions", i), new_parent=("gateway", "versions"))
        else:
            ctx.removed("AGD502", f"the gateway drops API version {version}, which no public "
                        "path uses", ("gateway", "versions", i),
                        new_parent=("gateway", "versions"))


def _auth(auth: GatewayAuth | None) -> tuple[object, ...]:
    if auth is None:
        return ()
    return (auth.type, auth.issuer, tuple(sorted(auth.audiences)), tuple(sorted(auth.scopes)),
            auth.jwks_uri)


def _auth_text(auth: GatewayAuth | None) -> str:
    if auth is None or auth.type is None:
        return "none"
    return auth.type + (f" from {auth.issuer}" if auth.issuer else "")

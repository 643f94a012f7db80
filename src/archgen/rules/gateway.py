"""AG1xx: the API Gateway section: documented, routed, authenticated, no routing conflicts."""

from __future__ import annotations

import re
from collections.abc import Iterator

from archgen.findings import Finding, Pointer, Severity
from archgen.model.aggregation_calls import WrittenCall, keyed_calls, parse_call
from archgen.model.base import VOCABULARIES
from archgen.model.http import is_origin, is_token
from archgen.model.names import path_params, split_route
from archgen.model.resolved import Endpoint
from archgen.rules.base import CL_GATEWAY, GATEWAY, Rule, RuleContext, call_problem, rule

_HEAD = "archgen: 1\nsystem: {name: shop}\n"
_SVC = "services:\n  order-service: {endpoints: {GET /api/v1/orders: List orders}}\n"


def _active(ctx: RuleContext) -> bool:
    """A gateway that routes (present and not `technology: none`)."""
    gw = ctx.catalog.gateway
    return gw is not None and gw.technology != "none"


@rule("AG100", "gateway-missing", "The catalog documents no API Gateway", Severity.ERROR, GATEWAY,
      checklist=CL_GATEWAY,
      needs=("gateway",),
      explanation="The template puts an API Gateway in front of every system: the single entry "
                  "point that routes, authenticates and rate-limits. Without a `gateway` section "
                  "nothing says how clients reach the services, and no gateway config is "
                  "generated.",
      fix="Add a `gateway:` section with technology, versions and auth, or "
          "`technology: none` with a justification.",
      bad=_HEAD + _SVC,
      good=_HEAD + "gateway: {technology: kong, versions: [v1], auth: {type: jwt}}\n" + _SVC)
def gateway_missing(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.catalog.gateway is None:
        yield self.finding(ctx, "no `gateway` section: the API Gateway is not documented", ())


@rule("AG101", "gateway-routing-undocumented", "The gateway's routing is not documented",
      Severity.ERROR, GATEWAY, checklist=CL_GATEWAY,
      explanation="Routing needs a gateway technology (what archgen generates routes for) and "
                  "the API versions it serves (every public path starts with /api/<version>/).",
      fix="Set `gateway.technology` (kong, envoy) and `gateway.versions` (e.g. [v1]).",
      bad=_HEAD + "gateway: {auth: {type: jwt}}\n" + _SVC,
      good=_HEAD + "gateway: {technology: envoy, versions: [v1], auth: {type: jwt}}\n" + _SVC)
def gateway_routing(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    gw = ctx.catalog.gateway
    if gw is None or gw.technology == "none":
        return
    for key, present in (("technology", gw.technology), ("versions", gw.versions)):
        if not present:
            yield self.finding(ctx, f"gateway has no `{key}`: its routing is not documented",
                               ("gateway",), key=True)


@rule("AG102", "gateway-auth-missing", "The gateway has no authentication strategy",
      Severity.ERROR, GATEWAY, checklist=CL_GATEWAY,
      explanation="The gateway centralises authentication (JWT, OAuth 2.0). Without `auth.type` "
                  "no token validation is configured and every route is open.",
      fix="Add `gateway.auth` with `type: jwt` or `oauth2` (or `type: none` if the API is "
          "deliberately open).",
      bad=_HEAD + "gateway: {technology: kong, versions: [v1]}\n" + _SVC,
      good=_HEAD + "gateway: {technology: kong, versions: [v1], auth: {type: oauth2}}\n" + _SVC)
def gateway_auth(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    gw = ctx.catalog.gateway
    if gw is None or gw.technology == "none":
        return
    if gw.auth is None:
        yield self.finding(ctx, "gateway has no `auth`: the authentication strategy is missing",
                           ("gateway",), key=True)
    elif gw.auth.type is None:
        yield self.finding(ctx, "gateway.auth has no `type` (jwt, oauth2 or none)",
                           ("gateway", "auth"), key=True)


@rule("AG103", "gateway-none-unjustified", "`gateway.technology: none` without a justification",
      Severity.ERROR, GATEWAY, checklist=CL_GATEWAY,
      explanation="Running without a gateway is a decision the template asks to document.",
      fix="Add `gateway.justification` saying how clients reach the services instead.",
      bad=_HEAD + "gateway: {technology: none}\n" + _SVC,
      good=_HEAD + "gateway: {technology: none, justification: Internal batch system}\n" + _SVC)
def gateway_none(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    gw = ctx.catalog.gateway
    if gw is not None and gw.technology == "none" and not (gw.justification or "").strip():
        yield self.finding(ctx, "gateway.technology is none but no `justification` is given",
                           ("gateway", "technology"))


def _vocab_rule(code: str, slug: str, what: str, key: str, pointer: Pointer,
                generated: str, bad: str, good: str) -> Rule:
    known = VOCABULARIES[key]

    def check(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
        gw = ctx.catalog.gateway
        value = None
        if gw is not None:
            value = gw.technology if pointer[-1] == "technology" else (
                gw.auth.type if gw.auth else None)
        if value is not None and value not in known:
            yield self.finding(ctx, f"unknown {what} {value!r}: generation will skip {generated}",
                               pointer, hint=self.vocab_hint(value, known))
    return rule(code, slug, f"Unknown {what}", Severity.WARNING, GATEWAY,
                explanation=f"archgen generates {generated} only for the values it knows "
                            f"({', '.join(known)}); others load, and generation skips them.",
                fix=f"Use one of: {', '.join(known)}, or accept that generation skips "
                    f"{generated}.", bad=bad, good=good)(check)


gateway_technology_unknown = _vocab_rule(
    "AG104", "gateway-technology-unknown", "gateway technology", "gateway.technology",
    ("gateway", "technology"), "the gateway configuration",
    _HEAD + "gateway: {technology: apigee, versions: [v1], auth: {type: jwt}}\n" + _SVC,
    _HEAD + "gateway: {technology: kong, versions: [v1], auth: {type: jwt}}\n" + _SVC)
auth_type_unknown = _vocab_rule(
    "AG105", "auth-type-unknown", "gateway auth type", "gateway.auth.type",
    ("gateway", "auth", "type"), "the authentication plugin",
    _HEAD + "gateway: {technology: kong, versions: [v1], auth: {type: saml}}\n" + _SVC,
    _HEAD + "gateway: {technology: kong, versions: [v1], auth: {type: oauth2}}\n" + _SVC)

_PARAM = re.compile(r"\{[^}]*\}")


def _routes(ctx: RuleContext) -> dict[str, list[tuple[str, Pointer]]]:
    """Public method + path (parameters blanked) -> who serves it: services and aggregations."""
    claims: dict[str, list[tuple[str, Pointer]]] = {}
    for svc, ep in ctx.catalog.public_endpoints():
        key = f"{ep.method} {_PARAM.sub('{}', ep.path)}"
        claims.setdefault(key, []).append((svc.name, ("services", svc.name, "endpoints",
                                                      ep.route)))
    gw = ctx.catalog.gateway
    for route in (gw.aggregations if gw else {}):
        method, path = split_route(route)
        key = f"{method} {_PARAM.sub('{}', path)}"
        claims.setdefault(key, []).append(("the gateway", ("gateway", "aggregations", route)))
    return claims


@rule("AG106", "route-conflict", "Two owners claim the same public method and path",
      Severity.ERROR, GATEWAY,
      explanation="The gateway routes by method and path. When two services (or a service and "
                  "a gateway aggregation) expose the same route (path parameters are compared "
                  "by position, not name), one of them is unreachable.",
      fix="Give each route one owner: rename the path or make one endpoint `public: false`.",
      bad=_HEAD + "services:\n  a:\n    endpoints:\n      GET /api/v1/x/{id}: A\n"
                  "  b:\n    endpoints:\n      GET /api/v1/x/{key}: B\n",
      good=_HEAD + "services:\n  a:\n    endpoints:\n      GET /api/v1/x/{id}: A\n"
                   "  b:\n    endpoints:\n      GET /api/v1/y/{key}: B\n")
def route_conflict(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for route, owners in _routes(ctx).items():
        if len(owners) < 2:
            continue
        names = ", ".join(sorted({o for o, _ in owners}))
        first, *rest = owners
        yield self.finding(ctx, f"{route} is claimed by {len(owners)} routes ({names})",
                           first[1], key=True, related=[p for _, p in rest])


@rule("AG107", "path-outside-versions", "A public path is outside the gateway's API versions",
      Severity.ERROR, GATEWAY,
      explanation="Every public path starts with /api/<version>/ for one of `gateway.versions`: "
                  "that is how the gateway manages API versions.",
      fix="Move the path under /api/<version>/, add the version to `gateway.versions`, or make "
          "the endpoint `public: false`.",
      bad=_HEAD + "gateway: {technology: kong, versions: [v1], auth: {type: jwt}}\n"
                  "services:\n  a: {endpoints: {GET /api/v3/items: List items}}\n",
      good=_HEAD + "gateway: {technology: kong, versions: [v1], auth: {type: jwt}}\n"
                   "services:\n  a: {endpoints: {GET /api/v1/items: List items}}\n")
def path_outside_versions(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    gw = ctx.catalog.gateway
    if gw is None or not _active(ctx) or not gw.versions:
        return
    prefixes = tuple(f"/api/{v}/" for v in gw.versions)
    for svc, ep in ctx.catalog.public_endpoints():
        if not (ep.path + "/").startswith(prefixes):
            yield self.finding(
                ctx, f"public path {ep.path} is not under /api/<version>/ for the gateway's "
                f"versions ({', '.join(gw.versions)})",
                ("services", svc.name, "endpoints", ep.route), key=True,
                related=[("gateway", "versions")])


@rule("AG108", "aggregation-call-unknown", "A gateway aggregation calls an unknown endpoint",
      Severity.ERROR, GATEWAY,
      explanation="An aggregation (BFF route) composes calls to service endpoints; a call to a "
                  "service or route that does not exist cannot be generated.",
      fix="Fix the call: `<service> <METHOD> <path>` of an endpoint declared by that service.",
      bad=_HEAD + "gateway:\n  aggregations:\n    GET /api/v1/summary: [a GET /api/v1/nope]\n"
                  "services:\n  a: {endpoints: {GET /api/v1/x: X}}\n",
      good=_HEAD + "gateway:\n  aggregations:\n    GET /api/v1/summary: [a GET /api/v1/x]\n"
                   "services:\n  a: {endpoints: {GET /api/v1/x: X}}\n")
def aggregation_call_unknown(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    gw = ctx.catalog.gateway
    if gw is None:
        return
    for route, agg in gw.aggregations.items():
        for i, call in enumerate(agg.calls):
            what = call_problem(ctx, call, suggest_route=False, by_shape=True)
            if what is None:
                continue
            yield self.finding(ctx, f"aggregation {route} calls {call}: {what}",
                               ctx.aggregation_call(route, i))


@rule("AG112", "aggregation-param-unsupplied",
      "A gateway aggregation calls a path parameter its own route does not supply",
      Severity.ERROR, GATEWAY,
      explanation="The aggregation service fills each call's path parameters from the "
                  "aggregation's own route, by name. A call to `/shipments/order/{orderId}` "
                  "from a route that only has `{id}` has no value for `{orderId}`: every "
                  "request would fail.",
      fix="Name the route's parameters as its calls use them (e.g. "
          "`GET /api/v1/mobile/orders/{orderId}/summary`), take the value from an earlier "
          "call's answer (`{order-service.customer_id}`, AG113), or call an endpoint whose "
          "parameters the route supplies.",
      bad=_HEAD + "gateway:\n  aggregations:\n    GET /api/v1/s/{id}: ['a GET /api/v1/x/{xId}']\n"
                  "services:\n  a:\n    endpoints:\n      GET /api/v1/x/{xId}: X\n",
      good=_HEAD + "gateway:\n  aggregations:\n    GET /api/v1/s/{xId}: ['a GET /api/v1/x/{xId}']\n"
                   "services:\n  a:\n    endpoints:\n      GET /api/v1/x/{xId}: X\n")
def aggregation_param_unsupplied(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    gw = ctx.catalog.gateway
    if gw is None:
        return
    for route, agg in gw.aggregations.items():
        supplied = path_params(split_route(route)[1])
        for i, call in enumerate(agg.calls):
            if _called_endpoint(ctx, parse_call(call)) is None:
                continue  # an unknown call is AG108's
            missing = [p for p in parse_call(call).route_params if p not in supplied]
            if missing:
                has = ", ".join(f"{{{p}}}" for p in supplied) or "no parameters"
                yield self.finding(
                    ctx, f"aggregation {route} calls {call}, but its route supplies no "
                    f"{', '.join(f'{{{p}}}' for p in missing)} (it has {has})",
                    ctx.aggregation_call(route, i))


def _called_endpoint(ctx: RuleContext, call: WrittenCall) -> Endpoint | None:
    svc = ctx.catalog.services.get(call.service)
    return call.endpoint_in(svc.endpoints) if svc else None


@rule("AG113", "aggregation-reference-unknown",
      "A gateway aggregation fills a parameter from an answer it does not have",
      Severity.ERROR, GATEWAY,
      explanation="A call's `{<service>.<field>}` parameter is filled from the field of an "
                  "earlier call's answer (the calls before it, by their service's name). A "
                  "reference to a call that comes later or not at all, or to a field the "
                  "answer's model does not have, leaves the parameter empty: every request "
                  "would fail.",
      fix="Refer to an earlier call of the same aggregation, by its service's name, and to a "
          "field of the model that call answers (a model, not a list).",
      bad=_HEAD + "gateway:\n  aggregations:\n    GET /api/v1/s/{id}:\n"
                  "      - a GET /api/v1/x/{id}\n      - b GET /api/v1/y/{a.nope}\n"
                  "services:\n  a:\n    endpoints:\n      GET /api/v1/x/{id}: {response: X}\n"
                  "    models: {X: {b_id: uuid}}\n"
                  "  b:\n    endpoints:\n      GET /api/v1/y/{id}: Y\n",
      good=_HEAD + "gateway:\n  aggregations:\n    GET /api/v1/s/{id}:\n"
                   "      - a GET /api/v1/x/{id}\n      - b GET /api/v1/y/{a.b_id}\n"
                   "services:\n  a:\n    endpoints:\n      GET /api/v1/x/{id}: {response: X}\n"
                   "    models: {X: {b_id: uuid}}\n"
                   "  b:\n    endpoints:\n      GET /api/v1/y/{id}: Y\n")
def aggregation_reference_unknown(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    gw = ctx.catalog.gateway
    if gw is None:
        return
    for route, agg in gw.aggregations.items():
        earlier: dict[str, WrittenCall] = {}
        for i, (key, call) in enumerate(keyed_calls(agg.calls)):
            for ref in call.references:
                what = _reference_problem(ctx, earlier.get(ref.key), ref.key, ref.field)
                if what:
                    yield self.finding(ctx, f"aggregation {route} calls {call.text}: "
                                       f"{{{ref.placeholder}}} {what}",
                                       ctx.aggregation_call(route, i))
            earlier[key] = call


def _reference_problem(ctx: RuleContext, source: WrittenCall | None, key: str, field: str
                       ) -> str | None:
    if source is None:
        return f"refers to {key!r}, which is no earlier call of this aggregation"
    endpoint = _called_endpoint(ctx, source)
    if endpoint is None or endpoint.response is None:
        return None  # an unknown call is AG108's; an undeclared answer cannot be checked
    answer = endpoint.response
    if answer.kind != "model":
        return f"refers to a field of {source.text}'s answer, which is {answer}, not a model"
    model = ctx.catalog.services[source.service].models.get(answer.name)
    if model is None or any(f.name == field for f in model.fields):
        return None
    return f"refers to {field!r}, which {answer.name} does not have"


@rule("AG109", "public-service-without-endpoints",
      "A public service has no public endpoint for the gateway to route", Severity.WARNING,
      GATEWAY,
      explanation="A public service (`public: true`, the default) is routed through the "
                  "gateway. Without a public endpoint there is nothing to route: diagrams and "
                  "exports draw no gateway route to it, and the flag claims what the catalog "
                  "does not do. A worker that only consumes events or is called by other "
                  "services is `public: false`.",
      fix="Declare the service's public endpoints, or set `public: false` on it.",
      bad=_HEAD + "services:\n  worker: {consumes: {order.created: Ship it}}\n",
      good=_HEAD + "services:\n  worker: {public: false, consumes: {order.created: Ship it}}\n")
def public_service_without_endpoints(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for name, svc in ctx.catalog.services.items():
        if not svc.public or svc.routed:
            continue
        what = "declares no endpoints" if not svc.endpoints else "has only private endpoints"
        explicit = svc.spec.public is not None
        yield self.finding(ctx, f"{name} is public{'' if explicit else ' (the default)'} but "
                           f"{what}: the gateway has nothing to route to it",
                           ("services", name, "public") if explicit else ("services", name),
                           key=not explicit)


_CORS = ("gateway: {technology: envoy, versions: [v1], auth: {type: jwt}, cors: "
         "{allow_origins: ['https://shop.example'], ")


@rule("AG110", "cors-value-not-header-safe",
      "A CORS method, header name or origin cannot be written into a header", Severity.ERROR,
      GATEWAY,
      explanation="The gateway answers preflights with `gateway.cors` written into its "
                  "response headers. Methods and header names must be HTTP tokens (RFC 9110: "
                  "letters, digits and !#$%&'*+-.^_`|~, no space, no CR/LF) and an origin is "
                  "`scheme://host[:port]` or `*`; anything else, a CR/LF above all, would let "
                  "the catalog inject headers of its own (a Set-Cookie on every preflight). "
                  "The gateway generators leave such values out.",
      fix="Write each method and header name as a bare token (`Content-Type`, `POST`) and each "
          "origin as `https://host[:port]`.",
      bad=_HEAD + _CORS + "allow_headers: ['Content Type']}}\n" + _SVC,
      good=_HEAD + _CORS + "allow_headers: [Content-Type]}}\n" + _SVC)
def cors_value_not_header_safe(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    gw = ctx.catalog.gateway
    if gw is None or gw.cors is None:
        return
    checks = (("allow_origins", gw.cors.allow_origins, is_origin, "an origin (scheme://host)"),
              ("allow_methods", gw.cors.allow_methods, is_token, "an HTTP token"),
              ("allow_headers", gw.cors.allow_headers, is_token, "an HTTP token"))
    for key, values, check, what in checks:
        for i, value in enumerate(values):
            if not check(value):
                yield self.finding(ctx, f"gateway.cors.{key} {value!r} is not {what}: the "
                                   "gateway would write it into a response header",
                                   ("gateway", "cors", key, i))


@rule("AG111", "cors-credentials-any-origin",
      "CORS allows credentials from any origin (`*`)", Severity.ERROR, GATEWAY,
      explanation="With `allow_credentials: true` a browser sends the user's cookies and "
                  "credentials, and lets the page read the answer. Beside a `*` origin every "
                  "site on the web could do that in the user's name (the gateway echoes the "
                  "caller's origin). The gateway generators leave `allow_credentials` out then.",
      fix="List the origins that may send credentials, or drop `allow_credentials`.",
      bad=_HEAD + "gateway: {technology: envoy, versions: [v1], auth: {type: jwt}, cors: "
                  "{allow_origins: ['*'], allow_credentials: true}}\n" + _SVC,
      good=_HEAD + _CORS + "allow_credentials: true}}\n" + _SVC)
def cors_credentials_any_origin(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    gw = ctx.catalog.gateway
    if gw is None or gw.cors is None:
        return
    if gw.cors.allow_credentials and "*" in gw.cors.allow_origins:
        yield self.finding(ctx, "gateway.cors allows credentials from any origin (`*`): every "
                           "site could read answers in the user's name",
                           ("gateway", "cors", "allow_credentials"),
                           related=[("gateway", "cors", "allow_origins")])


RULES = (gateway_missing, gateway_routing, gateway_auth, gateway_none,
         gateway_technology_unknown, auth_type_unknown, route_conflict, path_outside_versions,
         aggregation_call_unknown, aggregation_param_unsupplied, aggregation_reference_unknown,
         public_service_without_endpoints, cors_value_not_header_safe,
         cors_credentials_any_origin)

"""AG3xx: the Microservices section: bounded contexts, SLA and scaling, synchronous dependencies."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterator

from archgen.findings import Finding, Pointer, Severity
from archgen.graph import cycle_knots, worst_chains
from archgen.model.base import VOCABULARIES
from archgen.model.names import split_route
from archgen.rules.base import (
    CL_CONTEXTS,
    CL_SLA,
    SERVICES,
    Rule,
    RuleContext,
    did_you_mean,
    rule,
    service_pointer,
)

_HEAD = "archgen: 1\nsystem: {name: shop}\n"


@rule("AG300", "bounded-context-missing", "A service has no bounded context", Severity.ERROR,
      SERVICES, checklist=CL_CONTEXTS,
      explanation="Services are organised around business capabilities: each one names the "
                  "bounded context (DDD) it owns. A service without one has no clear boundary.",
      fix="Add `bounded_context: <Domain>` to the service.",
      bad=_HEAD + "services:\n  order-service: {description: Orders}\n",
      good=_HEAD + "services:\n  order-service: {bounded_context: Order Management}\n")
def bounded_context_missing(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for name, svc in ctx.catalog.services.items():
        if not (svc.bounded_context or "").strip():
            yield self.finding(ctx, f"{name} has no `bounded_context`", ("services", name),
                               key=True)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _contexts(ctx: RuleContext) -> dict[str, list[tuple[str, str]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for name, svc in ctx.catalog.services.items():
        if svc.bounded_context and svc.bounded_context.strip():
            groups.setdefault(_norm(svc.bounded_context), []).append((name, svc.bounded_context))
    return groups


def _bc(name: str) -> Pointer:
    return ("services", name, "bounded_context")


@rule("AG301", "bounded-context-shared", "Two services claim one bounded context",
      Severity.WARNING, SERVICES, checklist=CL_CONTEXTS,
      explanation="A bounded context has one owner. Two services in one context usually share "
                  "a model and a database, and change together: one service split in two.",
      fix="Give each service its own context, or merge the services.",
      bad=_HEAD + "services:\n  a: {bounded_context: Orders}\n  b: {bounded_context: Orders}\n",
      good=_HEAD + "services:\n  a: {bounded_context: Orders}\n  b: {bounded_context: Billing}\n")
def bounded_context_shared(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for members in _contexts(ctx).values():
        if len(members) > 1:
            (first, text), *rest = members
            others = ", ".join(n for n, _ in rest)
            yield self.finding(ctx, f"bounded context {text!r} of {first} is also claimed by "
                               f"{others}", _bc(first), related=[_bc(n) for n, _ in rest])


@rule("AG302", "bounded-context-spelling", "A bounded context is spelled in different ways",
      Severity.WARNING, SERVICES, checklist=CL_CONTEXTS, needs=("services",),
      explanation="`Order Management` and `order-management` name one context: diagrams and "
                  "docs would show two. Spell each context one way.",
      fix="Use the same spelling everywhere (the most common one is suggested).",
      bad=_HEAD + "services:\n  a: {bounded_context: Order Management}\n"
                  "  b: {bounded_context: order-management}\n",
      good=_HEAD + "services:\n  a: {bounded_context: Order Management}\n"
                   "  b: {bounded_context: Billing}\n")
def bounded_context_spelling(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for members in _contexts(ctx).values():
        spellings = Counter(text for _, text in members)
        if len(spellings) < 2:
            continue
        canonical = spellings.most_common(1)[0][0]
        anchor = next(n for n, t in members if t == canonical)
        for name, text in members:
            if text != canonical:
                yield self.finding(ctx, f"{name} spells its bounded context {text!r}; "
                                   f"{anchor} spells it {canonical!r}", _bc(name),
                                   hint=f"write {canonical!r}", related=[_bc(anchor)])


@rule("AG303", "sla-missing", "A service has no SLA (availability)", Severity.ERROR, SERVICES,
      checklist=CL_SLA,
      explanation="Every service states its SLA: `nfr.availability` in percent. It drives the "
                  "replica count, the alerts and the composite-availability check.",
      fix="Add `nfr: {availability: 99.9}` (and `latency_p95_ms`).",
      bad=_HEAD + "services:\n  a: {nfr: {replicas: {min: 2}}}\n",
      good=_HEAD + "services:\n  a: {nfr: {availability: 99.5, replicas: {min: 2}}}\n")
def sla_missing(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for name, svc in ctx.catalog.services.items():
        if svc.nfr is None or svc.nfr.availability is None:
            where = ("services", name, "nfr") if svc.nfr else ("services", name)
            yield self.finding(ctx, f"{name} has no `nfr.availability`: its SLA is undefined",
                               where, key=True)


@rule("AG304", "scaling-missing", "A service has no scaling strategy", Severity.ERROR,
      SERVICES, checklist=CL_SLA,
      explanation="Every service states how it scales: `nfr.replicas` (min, max, CPU target) "
                  "or a `nfr.scaling` sentence. Generated autoscalers come from it.",
      fix="Add `nfr.replicas: {min: 2, max: 10, cpu_target_pct: 70}`.",
      bad=_HEAD + "services:\n  a: {nfr: {availability: 99.5}}\n",
      good=_HEAD + "services:\n  a: {nfr: {availability: 99.5, replicas: {min: 2, max: 4}}}\n")
def scaling_missing(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for name, svc in ctx.catalog.services.items():
        nfr = svc.nfr
        if nfr is None or (nfr.replicas is None and not (nfr.scaling or "").strip()):
            where = ("services", name, "nfr") if nfr else ("services", name)
            yield self.finding(ctx, f"{name} has no `nfr.replicas` or `nfr.scaling`: its "
                               "scaling strategy is undefined", where, key=True)


@rule("AG305", "single-replica-high-availability", "One replica cannot keep a 99.9% promise",
      Severity.WARNING, SERVICES, checklist=CL_SLA,
      explanation="A single replica is down during every deploy, node drain and crash; 99.9% "
                  "allows 43 minutes a month. Availability of 99.9% or more needs at least two.",
      fix="Set `nfr.replicas.min` to 2 or more, or lower the availability.",
      bad=_HEAD + "services:\n  a: {nfr: {availability: 99.95, replicas: {min: 1}}}\n",
      good=_HEAD + "services:\n  a: {nfr: {availability: 99.95, replicas: {min: 2}}}\n")
def single_replica(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for name, svc in ctx.catalog.services.items():
        nfr = svc.nfr
        if nfr is None or nfr.availability is None or nfr.replicas is None:
            continue
        if nfr.replicas.min is not None and nfr.replicas.min <= 1 and nfr.availability >= 99.9:
            yield self.finding(ctx, f"{name} promises {nfr.availability:g}% with "
                               f"replicas.min {nfr.replicas.min}",
                               ("services", name, "nfr", "replicas", "min"),
                               related=[("services", name, "nfr", "availability")])


def _availability(ctx: RuleContext, name: str) -> float | None:
    nfr = ctx.catalog.services[name].nfr
    return nfr.availability if nfr else None


@rule("AG306", "composite-availability",
      "A service promises more than its synchronous dependencies allow", Severity.WARNING,
      SERVICES, checklist=CL_SLA,
      explanation="A service that calls others synchronously is up only when they are: its "
                  "availability is at most the product of theirs (and of the gateway's, when "
                  "it is public). Promising more is a promise nobody can keep.",
      fix="Lower the promise, raise the dependencies' availability, or make calls asynchronous.",
      bad=_HEAD + "services:\n  a: {public: false, depends_on: [b], nfr: {availability: 99.99}}\n"
                  "  b: {nfr: {availability: 99.9}}\n",
      good=_HEAD + "services:\n  a: {public: false, depends_on: [b], nfr: {availability: 99.9}}\n"
                   "  b: {nfr: {availability: 99.99}}\n")
def composite_availability(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    gw = ctx.catalog.gateway
    gw_avail = gw.nfr.availability if gw and gw.nfr and gw.technology != "none" else None
    for name, svc in ctx.catalog.services.items():
        own = _availability(ctx, name)
        if own is None:
            continue
        limit, parts = 1.0, list[Pointer]()
        for dep in svc.dependencies:
            other = _availability(ctx, dep.target) if dep.known else None
            if other is not None:
                limit *= other / 100
                parts.append(("services", dep.target, "nfr", "availability"))
        if gw_avail is not None and any(ep.public for ep in svc.endpoints):
            limit *= gw_avail / 100
            parts.append(("gateway", "nfr", "availability"))
        if parts and own / 100 > limit + 1e-12:
            yield self.finding(ctx, f"{name} promises {own:g}% but its synchronous path "
                               f"allows at most {limit * 100:.3f}%",
                               ("services", name, "nfr", "availability"), related=parts)


@rule("AG307", "latency-budget", "A call chain's timeouts exceed the caller's p95",
      Severity.WARNING, SERVICES, checklist=CL_SLA,
      explanation="When every hop of a synchronous call chain times out after all its "
                  "attempts, the caller waits the sum of timeout x attempts along the chain. "
                  "If that sum exceeds the caller's p95 latency, its slow path breaks its SLA.",
      fix="Shorten timeouts or retries along the chain, or raise `nfr.latency_p95_ms`.",
      bad=_HEAD + "services:\n  a: {depends_on: {b: {timeout_ms: 500, retries: 2}},"
                  " nfr: {latency_p95_ms: 200}}\n  b: {}\n",
      good=_HEAD + "services:\n  a: {depends_on: {b: {timeout_ms: 50, retries: 2}},"
                   " nfr: {latency_p95_ms: 200}}\n  b: {}\n")
def latency_budget(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    chains = worst_chains(ctx.sync_graph)
    for name, svc in ctx.catalog.services.items():
        chain = chains.get(name)
        p95 = svc.nfr.latency_p95_ms if svc.nfr else None
        if chain is None or p95 is None or chain.budget_ms <= p95:
            continue
        hops = list(zip(chain.services, chain.services[1:], strict=False))
        yield self.finding(
            ctx, f"call chain {' -> '.join(chain.services)} can take {chain.budget_ms} ms "
            f"(timeouts x attempts), above {name}'s p95 of {p95:g} ms",
            ("services", name, "nfr", "latency_p95_ms"),
            related=[ctx.dependency(a, b) for a, b in hops])


@rule("AG308", "depends-on-unknown", "`depends_on` names a service that does not exist",
      Severity.ERROR, SERVICES,
      explanation="A synchronous dependency must be a service of the catalog: nothing can be "
                  "generated (client, network policy, resilience settings) for an unknown one.",
      fix="Fix the name, or add the service to `services`.",
      bad=_HEAD + "services:\n  a: {depends_on: [paymnet-service]}\n  payment-service: {}\n",
      good=_HEAD + "services:\n  a: {depends_on: [payment-service]}\n  payment-service: {}\n")
def depends_on_unknown(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    services = ctx.catalog.services
    for name, svc in services.items():
        for dep in svc.dependencies:
            if dep.target != name and dep.target not in services \
                    and dep.target not in ctx.skipped_services:
                yield self.finding(ctx, f"{name} depends on {dep.target!r}, which is not a "
                                   "service of this catalog",
                                   ctx.dependency(name, dep.target), key=True,
                                   hint=did_you_mean(dep.target, services) or self.fix)


@rule("AG309", "depends-on-self", "A service depends on itself", Severity.ERROR, SERVICES,
      explanation="A service calling itself over the network is a loop, not a dependency.",
      fix="Remove the entry from `depends_on`.",
      bad=_HEAD + "services:\n  a: {depends_on: [a]}\n",
      good=_HEAD + "services:\n  a: {}\n")
def depends_on_self(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for name, svc in ctx.catalog.services.items():
        if any(dep.target == name for dep in svc.dependencies):
            yield self.finding(ctx, f"{name} lists itself in `depends_on`",
                               ctx.dependency(name, name), key=True)


@rule("AG310", "sync-cycle", "Synchronous dependencies form a cycle", Severity.ERROR, SERVICES,
      explanation="Services that call each other synchronously in a cycle cannot be deployed "
                  "or scaled independently, and one slow member stalls all of them. Reported "
                  "once per strongly connected component, from its first service by name.",
      fix="Break the cycle: replace one call with an event, or merge the services.",
      bad=_HEAD + "services:\n  a: {depends_on: [b]}\n  b: {depends_on: [a]}\n",
      good=_HEAD + "services:\n  a: {depends_on: [b]}\n  b: {}\n")
def sync_cycle(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.sync_graph
    for cycle, members in cycle_knots(graph):
        path = " -> ".join([*cycle, cycle[0]])
        # Every call inside the knot is related, not just the cycle named: whichever
        # call the team removes, the finding already pointed at it, and a partial run
        # that drops one member still reports the rest of the knot there.
        knot = sorted((a, b) for a in members for b in graph[a] if b in members)
        first = (cycle[0], cycle[1])
        yield self.finding(ctx, f"synchronous dependency cycle: {path}",
                           ctx.dependency(*first), key=True,
                           related=[ctx.dependency(a, b) for a, b in knot if (a, b) != first])


_PROTOCOLS = VOCABULARIES["protocol"]


@rule("AG311", "protocol-unknown", "Unknown dependency protocol", Severity.WARNING, SERVICES,
      explanation=f"archgen generates clients for {', '.join(_PROTOCOLS)}; other protocols "
                  "load, and generation skips the client for that dependency.",
      fix=f"Use one of: {', '.join(_PROTOCOLS)}.",
      bad=_HEAD + "services:\n  a: {depends_on: {b: {protocol: soap}}}\n  b: {}\n",
      good=_HEAD + "services:\n  a: {depends_on: {b: {protocol: grpc}}}\n  b: {}\n")
def protocol_unknown(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for name, svc in ctx.catalog.services.items():
        for dep in svc.dependencies:
            if dep.spec.protocol is not None and dep.spec.protocol not in _PROTOCOLS:
                yield self.finding(ctx, f"unknown protocol {dep.spec.protocol!r} for {name} -> "
                                   f"{dep.target}: generation will skip its client",
                                   ("services", name, "depends_on", dep.target, "protocol"),
                                   hint=self.vocab_hint(dep.spec.protocol, _PROTOCOLS))


_PARAM = re.compile(r"\{[^}]*\}")


def _shape(route: str) -> str:
    """Method and path with parameters blanked: `{id}` and `{isbn}` match by position."""
    method, path = split_route(route)
    return f"{method} {_PARAM.sub('{}', path)}"


@rule("AG312", "call-unknown-endpoint", "A dependency's `calls` names an endpoint the callee "
      "does not have", Severity.ERROR, SERVICES,
      explanation="`depends_on.<service>.calls` lists the endpoints a service calls on its "
                  "dependency. Each must be an endpoint the callee declares (path parameters "
                  "compare by position, not by name): a call to a missing endpoint fails at "
                  "run time, and no client method can be generated for it.",
      fix="Fix the method or path, or add the endpoint to the callee's `endpoints`.",
      bad=_HEAD + "services:\n  a: {depends_on: {b: {calls: ['GET /api/v1/book/{isbn}']}}}\n"
                  "  b:\n    endpoints:\n      GET /api/v1/books/{isbn}: Get a book\n",
      good=_HEAD + "services:\n  a: {depends_on: {b: {calls: ['GET /api/v1/books/{id}']}}}\n"
                   "  b:\n    endpoints:\n      GET /api/v1/books/{isbn}: Get a book\n")
def call_unknown_endpoint(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    services = ctx.catalog.services
    for name, svc in services.items():
        for dep in svc.dependencies:
            callee = services.get(dep.target)
            if callee is None or dep.target == name:
                continue  # AG308, AG309, or a skipped service (AG009)
            routes = [ep.route for ep in callee.endpoints]
            shapes = {_shape(r) for r in routes}
            for i, call in enumerate(dep.calls):
                if _shape(call) in shapes:
                    continue
                close = difflib.get_close_matches(call, routes, n=1, cutoff=0.6)
                hint = (f"did you mean `{close[0]}`?" if close else
                        f"{dep.target} declares no endpoints" if not routes else
                        f"{dep.target} declares: {', '.join(routes[:5])}"
                        + (", ..." if len(routes) > 5 else ""))
                yield self.finding(ctx, f"{name} calls {call} on {dep.target}, which has no "
                                   "such endpoint",
                                   ("services", name, "depends_on", dep.target, "calls", i),
                                   hint=hint)


def _aggregated(ctx: RuleContext) -> set[str]:
    gw = ctx.catalog.gateway
    return {call.split(" ", 1)[0] for agg in (gw.aggregations.values() if gw else ())
            for call in agg.calls}


@rule("AG313", "unreachable-service", "Nothing can reach a service", Severity.WARNING,
      SERVICES, needs=("services", "gateway"),
      explanation="A service is reached through the gateway (a public endpoint), by another "
                  "service's synchronous call (`depends_on`), by a gateway aggregation, or by "
                  "an event it consumes. A service with none of these never runs its code: "
                  "a leftover, or a missing `depends_on`, `consumes` or `public`.",
      fix="Add the caller's `depends_on`, the event it `consumes`, or a public endpoint; "
          "remove the service if it is a leftover.",
      bad=_HEAD + "services:\n  a: {public: false, endpoints: {GET /api/v1/x: X}}\n",
      good=_HEAD + "services:\n  a: {public: false, endpoints: {GET /api/v1/x: X}}\n"
                   "  b: {depends_on: [a], endpoints: {GET /api/v1/y: Y}}\n")
def unreachable_service(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    aggregated = _aggregated(ctx)
    for name, svc in ctx.catalog.services.items():
        # A public service without public endpoints is AG109's: say one thing once.
        if svc.public or svc.routed or svc.downstream or svc.consumes or name in aggregated:
            continue
        yield self.finding(ctx, f"nothing can reach {name}: it is not public, no service "
                           "depends on it, no gateway aggregation calls it and it consumes "
                           "no event", ("services", name), key=True)


Claim = tuple[str, Pointer, bool]  # route, where it is written, whether it is public


def _spellings(routes: list[Claim]) -> Iterator[tuple[str, Pointer, str, Pointer]]:
    """(route, where, first route, its place) for each route whose path is an earlier
    route's path with other parameter names. Two public routes of one method are AG106's
    (one route claimed twice): said once, there."""
    first: dict[str, Claim] = {}
    for route, where, public in routes:
        method, path = split_route(route)
        other, there, other_public = first.setdefault(_PARAM.sub("{}", path),
                                                      (route, where, public))
        other_method, other_path = split_route(other)
        if other_path != path and not (public and other_public and method == other_method):
            yield route, where, other, there


@rule("AG314", "path-parameter-names-differ",
      "One path is written with different parameter names", Severity.ERROR, SERVICES,
      explanation="`/contacts/{contactsId}` and `/contacts/{id}` are one path to a router and "
                  "to OpenAPI, which forbids both spellings in one document: a service's "
                  "endpoints (its OpenAPI document and its routes) and the gateway's public "
                  "routes (`openapi/gateway.yaml`) each name a path's parameters one way. "
                  "`archgen generate` cannot write the document otherwise. (Two public routes "
                  "of one method and path are AG106's.)",
      fix="Name the path parameters alike in every endpoint of the path.",
      bad=_HEAD + "services:\n  a:\n    endpoints:\n      GET /api/v1/x/{xId}: Read\n"
                  "      DELETE /api/v1/x/{id}: Delete\n",
      good=_HEAD + "services:\n  a:\n    endpoints:\n      GET /api/v1/x/{id}: Read\n"
                   "      DELETE /api/v1/x/{id}: Delete\n")
def path_parameter_names_differ(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    reported: set[Pointer] = set()
    for name, svc in ctx.catalog.services.items():
        routes = [(ep.route, service_pointer(name, "endpoints", ep.route), ep.public)
                  for ep in svc.endpoints]
        for route, where, other, there in _spellings(routes):
            reported.add(where)
            yield self.finding(ctx, f"{route} of {name} names the parameters of {other} "
                               f"differently: openapi/{name}.yaml cannot hold both",
                               where, key=True, related=[there],
                               hint=f"write {split_route(other)[1]} as {other} does")
    gw = ctx.catalog.gateway
    if gw is None or gw.technology == "none":
        return  # no gateway document
    public = [(ep.route, service_pointer(svc.name, "endpoints", ep.route), True)
              for svc, ep in ctx.catalog.public_endpoints()]
    public += [(route, ("gateway", "aggregations", route), True) for route in gw.aggregations]
    for route, where, other, there in _spellings(public):
        if where not in reported:
            yield self.finding(ctx, f"public route {route} names the parameters of {other} "
                               f"(of {there[1]}) differently: openapi/gateway.yaml cannot hold "
                               "both", where, key=True, related=[there],
                               hint=f"write {split_route(other)[1]} as {other} does")


# Names of archgen's own outputs beside the services': openapi/gateway.yaml, compose's gateway.
RESERVED_SERVICE_NAMES = ("gateway",)


@rule("AG315", "service-name-reserved", "A service has a name archgen uses for its own parts",
      Severity.ERROR, SERVICES,
      explanation="Some outputs sit beside the services' own and are named after what they "
                  "are: `openapi/gateway.yaml` is the gateway's document, and the deployment "
                  "has a `gateway`. A service of that name would overwrite them, so "
                  f"`archgen generate` refuses it. Reserved: {', '.join(RESERVED_SERVICE_NAMES)}.",
      fix="Rename the service (e.g. `api-gateway-service`, or after what it does).",
      bad=_HEAD + "services:\n  gateway: {endpoints: {GET /api/v1/x: X}}\n",
      good=_HEAD + "services:\n  edge-service: {endpoints: {GET /api/v1/x: X}}\n")
def service_name_reserved(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for name in ctx.catalog.services:
        if name in RESERVED_SERVICE_NAMES:
            yield self.finding(ctx, f"a service named {name!r} would overwrite archgen's own "
                               f"{name} outputs (openapi/{name}.yaml)", ("services", name),
                               key=True)


RULES = (bounded_context_missing, bounded_context_shared, bounded_context_spelling, sla_missing,
         scaling_missing, single_replica, composite_availability, latency_budget,
         depends_on_unknown, depends_on_self, sync_cycle, protocol_unknown,
         call_unknown_endpoint, unreachable_service, path_parameter_names_differ,
         service_name_reserved)

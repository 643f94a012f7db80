"""AG7xx: Communication Patterns: sync and async defined, resilience on every call."""

from __future__ import annotations

from collections.abc import Iterator

from archgen.findings import Finding, Severity
from archgen.model.base import VOCABULARIES
from archgen.rules.base import (
    CL_PATTERNS,
    CL_RESILIENCE,
    COMMUNICATION,
    Rule,
    RuleContext,
    call_problem,
    rule,
)

_HEAD = "archgen: 1\nsystem: {name: shop}\n"
_SYNC = ("communication:\n  sync: {protocols: [rest], timeout_ms: 1000, retries: 2,\n"
         "         circuit_breaker: {failure_threshold: 5, reset_s: 30}}\n")
_ASYNC = "  async: {delivery: at-least-once, retries: 3, dead_letter: true}\n"
_EVENTS = ("services:\n  a: {publishes: {order.created: {payload: {id: uuid}}}}\n"
           "  b: {consumes: {order.created: Ship it}}\n")


@rule("AG700", "sync-pattern-missing", "The synchronous communication pattern is not defined",
      Severity.ERROR, COMMUNICATION, checklist=CL_PATTERNS,
      needs=("communication",),
      explanation="`communication.sync` states the protocols and the default timeout, retries "
                  "and circuit breaker of every synchronous call; each `depends_on` entry "
                  "starts from these defaults.",
      fix="Add `communication.sync` with protocols, timeout_ms, retries and circuit_breaker.",
      bad=_HEAD + "services: {a: {}}\n",
      good=_HEAD + _SYNC + "services: {a: {}}\n")
def sync_pattern_missing(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    comm = ctx.catalog.communication
    if comm is None or comm.sync is None:
        yield self.finding(ctx, "`communication.sync` is missing: the synchronous pattern "
                           "(protocols, timeouts, retries) is not defined",
                           ("communication",) if comm else (), key=comm is not None)


@rule("AG701", "async-pattern-missing", "Events are used but the async pattern is not defined",
      Severity.ERROR, COMMUNICATION, checklist=CL_PATTERNS,
      needs=("communication",),
      explanation="When services exchange events, `communication.async` states the delivery "
                  "guarantee, the retry strategy and the dead-letter handling.",
      fix="Add `communication.async: {delivery: at-least-once, retries: 3, dead_letter: true}`.",
      bad=_HEAD + _SYNC + _EVENTS,
      good=_HEAD + _SYNC + _ASYNC + _EVENTS)
def async_pattern_missing(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    comm = ctx.catalog.communication
    if ctx.catalog.events and (comm is None or comm.async_ is None):
        yield self.finding(ctx, "services exchange events but `communication.async` is "
                           "missing (delivery, retries, dead letters)",
                           ("communication",) if comm else (), key=comm is not None)


@rule("AG702", "resilience-missing", "A synchronous call lacks a timeout, retries or a breaker",
      Severity.ERROR, COMMUNICATION, checklist=CL_RESILIENCE,
      needs=("communication",),
      explanation="Every inter-service call needs a timeout, a retry policy and a circuit "
                  "breaker, after `communication.sync` defaults are applied. A call without "
                  "them turns one slow service into a cascade.",
      fix="Set them on the dependency or as defaults in `communication.sync`.",
      bad=_HEAD + "services:\n  a: {depends_on: {b: {timeout_ms: 500}}}\n  b: {}\n",
      good=_HEAD + _SYNC + "services:\n  a: {depends_on: {b: {timeout_ms: 500}}}\n  b: {}\n")
def resilience_missing(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for name, svc in ctx.catalog.services.items():
        for dep in svc.dependencies:
            if not dep.known:
                continue
            missing = [what for what, ok in (("timeout", dep.timeout_ms is not None),
                                             ("retries", dep.retry is not None),
                                             ("circuit breaker", dep.circuit_breaker is not None))
                       if not ok]
            if missing:
                yield self.finding(ctx, f"call {name} -> {dep.target} has no "
                                   f"{', '.join(missing)} (after communication.sync defaults)",
                                   ctx.dependency(name, dep.target), key=True)


_STYLES = VOCABULARIES["communication.sync.protocols"]


@rule("AG703", "sync-protocol-unknown", "Unknown synchronous protocol style", Severity.WARNING,
      COMMUNICATION,
      explanation=f"archgen generates APIs and clients for {', '.join(_STYLES)}; other styles "
                  "load, and generation skips them.",
      fix=f"Use one of: {', '.join(_STYLES)}.",
      bad=_HEAD + "communication: {sync: {protocols: [soap]}}\nservices: {a: {}}\n",
      good=_HEAD + "communication: {sync: {protocols: [grpc]}}\nservices: {a: {}}\n")
def sync_protocol_unknown(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    comm = ctx.catalog.communication
    for i, style in enumerate(comm.sync.protocols if comm and comm.sync else ()):
        if style not in _STYLES:
            yield self.finding(ctx, f"unknown protocol style {style!r}: generation will skip it",
                               ("communication", "sync", "protocols", i),
                               hint=self.vocab_hint(style, _STYLES))


@rule("AG704", "smoke-step-unknown", "A step of the declared smoke flow names an unknown endpoint",
      Severity.ERROR, COMMUNICATION, needs=("smoke",),
      explanation="`smoke.steps` is the main flow `archgen up --smoke` drives through the "
                  "running system; a step whose service or route does not exist fails every "
                  "smoke run, so it is reported here, before anything starts.",
      fix="Name an endpoint the service declares: `<service> METHOD /path`, as in its "
          "`endpoints`.",
      bad=_HEAD + "services:\n  a: {endpoints: {GET /api/v1/x: X}}\n"
                  "smoke:\n  steps:\n    - wait: a GET /api/v1/y\n",
      good=_HEAD + "services:\n  a: {endpoints: {GET /api/v1/x: X}}\n"
                   "smoke:\n  steps:\n    - wait: a GET /api/v1/x\n")
def smoke_step_unknown(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    smoke = ctx.catalog.spec.smoke
    for i, step in enumerate(smoke.steps if smoke else ()):
        kind, call = ("call", step.call) if step.call else ("wait", step.wait)
        what = None if call is None else call_problem(ctx, call, suggest_route=True)
        if what is None:
            continue
        yield self.finding(ctx, f"smoke.steps[{i}] ({kind} {call}): {what}",
                           ("smoke", "steps", i, kind))


RULES = (sync_pattern_missing, async_pattern_missing, resilience_missing, sync_protocol_unknown,
         smoke_step_unknown)

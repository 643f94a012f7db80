"""AG526-AG528: compensation and timeouts, what undoes a step when a later one fails.

A step is a public POST that creates a resource or a reaction that `create`s a
record. A failure event is one some step names in `compensated_by`, or one named
like a failure (`payment.failed`, `restaurant.rejected`). A step whose record
exists when a failure event is emitted must name it (or an event it leads to) in
`compensated_by`; the service's reaction to that event is the compensation, and
it must be there and have somewhere to go when it fails itself. A reaction's
deadline (`within`, `on_timeout`) is a timer in the service's relational or key-value
store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from archgen.findings import Finding, Pointer, Severity
from archgen.model.failures import declared_failures, named_failure
from archgen.model.resolved import ResolvedCatalog, Service
from archgen.model.tables import endpoint_action
from archgen.rules.base import EVENTS, Rule, RuleContext, rule

_HEAD = ("archgen: 1\nsystem: {name: shop}\n"
         "event_bus:\n  technology: kafka\n  topics:\n"
         "    orders: {events: [order.created, order.cancelled], dead_letter: true}\n"
         "    payments: {events: [payment.failed], dead_letter: true}\n"
         "services:\n"
         "  orders:\n    models:\n"
         "      Order: {id: uuid, total: decimal, status: {enum: [pending, cancelled]}}\n"
         "    endpoints:\n      POST /orders:\n        request: Order\n"
         "        response: Order\n        emits: [order.created]\n")
_UNDONE = "        compensated_by: [payment.failed]\n"
_ORDERS = ("    publishes:\n      order.created: {payload: {order_id: uuid, total: decimal}}\n"
           "      order.cancelled: {payload: {order_id: uuid}}\n"
           "    consumes:\n      payment.failed:\n        update: Order\n"
           "        match: {id: order_id}\n        set: {status: cancelled}\n"
           "        emits: [order.cancelled]\n")
_PAYMENTS = ("  payments:\n    models: {Payment: {id: uuid, order_id: uuid, amount: decimal}}\n"
             "    publishes: {payment.failed: {payload: {order_id: uuid}}}\n"
             "    consumes:\n      order.created:\n        create: Payment\n"
             "        copy: {order_id: order_id, amount: total}\n"
             "        emits: [{event: payment.failed, when: {amount: {gt: 1000}}}]\n")
_GOOD = _HEAD + _UNDONE + _ORDERS + _PAYMENTS


@dataclass(frozen=True)
class Step:
    service: Service
    what: str  # `POST /orders of orders`, `payments' reaction to order.created`
    record: str  # the model it creates
    emits: tuple[str, ...]
    trigger: str | None  # the event it consumes (None: an endpoint)
    undone_by: tuple[str, ...]
    pointer: Pointer


def steps(catalog: ResolvedCatalog) -> Iterator[Step]:
    for svc in catalog.services.values():
        for ep in svc.endpoints:
            kind, model = endpoint_action(ep, svc)
            if kind == "create" and model is not None and ep.emits:
                yield Step(svc, f"{ep.route} of {svc.name}", model, ep.emits, None,
                           tuple(ep.spec.compensated_by),
                           ("services", svc.name, "endpoints", ep.route))
        for sub in svc.consumes:
            if sub.reaction is not None and sub.reaction.kind == "create":
                yield Step(svc, f"{svc.name}'s reaction to {sub.event}", sub.reaction.model,
                           sub.reaction.emits, sub.event, tuple(sub.spec.compensated_by),
                           ("services", svc.name, "consumes", sub.event))


def failure_events(catalog: ResolvedCatalog) -> set[str]:
    """The declared failures, and the events named like one (a failure nobody declared is
    what AG526 looks for)."""
    return declared_failures(catalog) | {e for e in catalog.events if named_failure(e)}


def _emitted_on(catalog: ResolvedCatalog) -> dict[str, set[str]]:
    """Consumed event -> the events the reactions to it emit."""
    out: dict[str, set[str]] = {}
    for svc in catalog.services.values():
        for sub in svc.consumes:
            if sub.reaction is not None:
                out.setdefault(sub.event, set()).update(sub.reaction.emits)
    return out


def _closure(start: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen, todo = set(start), list(start)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _before(event: str, edges: dict[str, set[str]]) -> set[str]:
    """The events that lead to `event` (itself excluded)."""
    back: dict[str, set[str]] = {}
    for src, dsts in edges.items():
        for dst in dsts:
            back.setdefault(dst, set()).add(src)
    return _closure({event}, back) - {event}


@rule("AG526", "step-not-compensated", "A step's record outlives a failure after it",
      Severity.WARNING, EVENTS,
      explanation="When a later step fails (a failure event: one a step names in "
                  "`compensated_by`, or one named `*.failed`, `*.rejected`, `*.declined`, "
                  "`*.expired`), what the earlier steps created stays: an order stays "
                  "pending, stock stays reserved. Each step whose record exists when the "
                  "failure is emitted names it, or an event it leads to, in "
                  "`compensated_by`; its service's reaction to that event undoes the step.",
      fix="Add `compensated_by: [<failure event>]` to the step and a reaction to that event "
          "in its service's `consumes` (cancel, release, refund).",
      bad=_HEAD + _ORDERS + _PAYMENTS, good=_GOOD)
def not_compensated(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    catalog = ctx.catalog
    edges = _emitted_on(catalog)
    failures = failure_events(catalog)
    all_steps = list(steps(catalog))
    missing: dict[Pointer, tuple[Step, list[str]]] = {}
    for step in all_steps:
        own = _closure({e for e in step.emits if e in failures}, edges)
        undone = _closure(set(step.undone_by), edges)
        for failure in sorted(failures):
            emitters = [s for s in all_steps if failure in s.emits]
            emitters += _update_emitters(catalog, failure)
            exists = any(_exists_when(step, e, edges) for e in emitters)
            if (not exists or failure in own or failure in undone
                    or set(step.undone_by) & _closure({failure}, edges)):
                continue
            missing.setdefault(step.pointer, (step, []))[1].append(failure)
    for pointer, (step, events) in missing.items():
        yield self.finding(ctx, f"{step.what} creates a {step.record} that {', '.join(events)} "
                           "does not undo: nothing in its `compensated_by` follows from it",
                           pointer, key=True)


def _update_emitters(catalog: ResolvedCatalog, event: str) -> list[Step]:
    """Reactions that `update` and emit `event`: they emit failures too (a cancellation)."""
    out = []
    for svc in catalog.services.values():
        for sub in svc.consumes:
            reaction = sub.reaction
            if reaction is not None and reaction.kind == "update" and event in reaction.emits:
                out.append(Step(svc, "", reaction.model, reaction.emits, sub.event, (),
                                ("services", svc.name, "consumes", sub.event)))
    return out


def _exists_when(step: Step, emitter: Step, edges: dict[str, set[str]]) -> bool:
    """Whether `step` has run when `emitter` runs: it answers an event that leads to the
    emitter's trigger, or is the endpoint that starts it (not the emitter itself)."""
    if step.pointer == emitter.pointer or emitter.trigger is None:
        return False
    leading = _before(emitter.trigger, edges) | {emitter.trigger}
    if step.trigger is None:
        return bool(set(step.emits) & leading)
    return step.trigger in leading


@rule("AG527", "compensation-unhandled", "A compensation is missing or its failure is lost",
      Severity.ERROR, EVENTS,
      explanation="`compensated_by` names the failure events whose reaction in the same "
                  "service undoes the step. If the service does not consume the event, "
                  "nothing undoes it; if the event's topic has no dead-letter topic, a "
                  "compensation that fails itself (the record changed, an illegal "
                  "transition) is dropped and the step stays done with no trace.",
      fix="Consume the event in the step's service (a reaction or a handler), and give its "
          "topic `dead_letter: true`.",
      bad=_GOOD.replace("payments: {events: [payment.failed], dead_letter: true}",
                        "payments: {events: [payment.failed]}"),
      good=_GOOD)
def unhandled(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    catalog = ctx.catalog
    for step in _declaring(catalog):
        consumed = {sub.event for sub in step.service.consumes}
        for i, event in enumerate(step.undone_by):
            pointer = (*step.pointer, "compensated_by", i)
            if event not in consumed:
                yield self.finding(ctx, f"{step.what} is undone by {event}, which "
                                   f"{step.service.name} does not consume: nothing undoes it",
                                   pointer)
                continue
            info = catalog.events.get(event)
            lost = [t for t in (info.topics if info else ()) if not catalog.topics[t].dead_letter]
            if lost:
                yield self.finding(ctx, f"{step.what} is undone by {event}, whose topic "
                                   f"{', '.join(lost)} has no dead-letter topic: a "
                                   "compensation that fails is lost", pointer)


def _declaring(catalog: ResolvedCatalog) -> Iterator[Step]:
    """Every step and update reaction that names `compensated_by`."""
    yield from (s for s in steps(catalog) if s.undone_by)
    for svc in catalog.services.values():
        for sub in svc.consumes:
            if sub.spec.compensated_by and (sub.reaction is None
                                            or sub.reaction.kind != "create"):
                yield Step(svc, f"{svc.name}'s reaction to {sub.event}", "", (), sub.event,
                           tuple(sub.spec.compensated_by),
                           ("services", svc.name, "consumes", sub.event))
    for svc in catalog.services.values():
        for ep in svc.endpoints:
            if ep.spec.compensated_by and not (ep.method == "POST" and ep.response is not None
                                               and ep.emits):
                yield Step(svc, f"{ep.route} of {svc.name}", "", (), None,
                           tuple(ep.spec.compensated_by),
                           ("services", svc.name, "endpoints", ep.route))


_DEADLINE_HEAD = ("archgen: 1\nsystem: {name: kitchen}\n"
                  "event_bus: {technology: kafka, topics: {orders: {events: [order.placed]}, "
                  "tickets: {events: [ticket.expired]}}}\nservices:\n"
                  "  orders: {publishes: {order.placed: {payload: {order_id: uuid}}}}\n"
                  "  kitchen:\n")
_DEADLINE = ("    models: {Ticket: {order_id: uuid, status: {enum: [waiting, accepted]}}}\n"
             "    publishes: {ticket.expired: {payload: {order_id: uuid}}}\n"
             "    consumes:\n      order.placed:\n        create: Ticket\n"
             "        copy: {order_id: order_id}\n        set: {status: waiting}\n"
             "        within: 15m\n        on_timeout: ticket.expired\n")
_SQL = "    data_store: {type: relational, technology: postgresql}\n"
# The stores that keep timers with the change that sets them (the kit's fire_due).
TIMER_STORES = ("relational", "key-value")


@rule("AG528", "deadline-invalid", "A deadline the generated service cannot keep",
      Severity.ERROR, EVENTS,
      explanation="A reaction's `within` and `on_timeout` make the service record a timer "
                  "in its own store, written with the change that sets it, and emit "
                  "`on_timeout` when it passes with the record unchanged. That needs a "
                  "reaction (`create` or `update`) whose record the timer watches, a "
                  "relational or key-value `data_store` to keep the timer across "
                  "restarts (a document store has no transaction to write it in), and an "
                  "`on_timeout` event the service publishes.",
      fix="Give the reaction `create` or `update`, the service a relational or key-value "
          "data store, and list `on_timeout` under its `publishes`.",
      bad=_DEADLINE_HEAD + "    data_store: {type: document, technology: mongodb}\n" + _DEADLINE,
      good=_DEADLINE_HEAD + _SQL + _DEADLINE)
def deadline_invalid(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for svc in ctx.catalog.services.values():
        store = svc.data_store.type if svc.data_store else None
        published = {p.event for p in svc.publishes}
        for sub in svc.consumes:
            spec = sub.spec
            if spec.within is None or spec.on_timeout is None:
                continue
            where: Pointer = ("services", svc.name, "consumes", sub.event)
            what = f"{svc.name}'s deadline on {sub.event}"
            if sub.reaction is None:
                yield self.finding(ctx, f"{what} watches no record: the reaction has no "
                                   "`create` or `update`", (*where, "within"))
            if store not in TIMER_STORES:
                yield self.finding(ctx, f"{what} needs a relational or key-value data store "
                                   f"to keep its timer (the store is {store or 'not set'})",
                                   (*where, "within"))
            if spec.on_timeout not in published:
                yield self.finding(ctx, f"{what} emits {spec.on_timeout}, which "
                                   f"{svc.name} does not publish", (*where, "on_timeout"))


RULES = (not_compensated, unhandled, deadline_invalid)

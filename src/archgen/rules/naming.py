"""AG8xx: naming and hygiene: event names and their owners, models referenced and defined."""

from __future__ import annotations

import re
from collections.abc import Iterator

from archgen.findings import Finding, Pointer, Severity
from archgen.model.fieldtypes import TypeRef
from archgen.model.resolved import Field, Service
from archgen.rules.base import NAMING, Rule, RuleContext, did_you_mean, rule

_HEAD = "archgen: 1\nsystem: {name: shop}\n"

# Irregular past participles seen in event names; regular ones end in -ed.
_IRREGULAR = frozenset({
    "begun", "bought", "brought", "built", "caught", "chosen", "dealt", "done", "drawn",
    "driven", "found", "forgotten", "frozen", "given", "gone", "held", "hidden", "kept", "known",
    "laid", "led", "left", "lent", "lost", "made", "met", "paid", "put", "quit", "read",
    "rebuilt", "reset", "resent", "rewritten", "run", "said", "seen", "sent", "set", "shown",
    "shut", "sold", "spent", "split", "spun", "struck", "taken", "told", "thrown", "undone",
    "upheld", "withdrawn", "won", "written",
})
_WORD = re.compile(r"[a-z0-9]+")


def _past_tense(event: str) -> bool:
    words = _WORD.findall(event.rsplit(".", 1)[-1])
    last = words[-1] if words else ""
    return last.endswith("ed") or last in _IRREGULAR


@rule("AG800", "event-name-tense", "An event name is not `<entity>.<past-tense-verb>`",
      Severity.WARNING, NAMING,
      explanation="An event records something that happened: `order.created`, not "
                  "`order.create` (a command) or `order.creation`. Past tense keeps events and "
                  "commands apart in every diagram and topic.",
      fix="Rename the event with a past-tense verb (created, paid, shipped, sent).",
      bad=_HEAD + "services:\n  a: {publishes: {order.create: {payload: {id: uuid}}}}\n",
      good=_HEAD + "services:\n  a: {publishes: {order.created: {payload: {id: uuid}}}}\n")
def event_name_tense(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for name, svc in ctx.catalog.services.items():
        for pub in svc.publishes:
            if not _past_tense(pub.event):
                yield self.finding(ctx, f"event {pub.event} of {name} does not end in a "
                                   "past-tense verb", ("services", name, "publishes", pub.event),
                                   key=True)


@rule("AG801", "event-prefix-shared", "Two services publish events of one entity prefix",
      Severity.WARNING, NAMING,
      explanation="The entity part of an event name (`order` in `order.created`) names the "
                  "data its producer owns. Events of one entity published by two services "
                  "mean two owners of one entity.",
      fix="Publish every `<entity>.*` event from the entity's owner, or rename the entity.",
      bad=_HEAD + "services:\n  a: {publishes: {order.created: {payload: {id: uuid}}}}\n"
                  "  b: {publishes: {order.shipped: {payload: {id: uuid}}}}\n",
      good=_HEAD + "services:\n  a: {publishes: {order.created: {payload: {id: uuid}}}}\n"
                   "  b: {publishes: {shipment.dispatched: {payload: {id: uuid}}}}\n")
def event_prefix_shared(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    owners: dict[str, dict[str, str]] = {}
    for name, svc in ctx.catalog.services.items():
        for pub in svc.publishes:
            owners.setdefault(pub.event.split(".", 1)[0], {}).setdefault(name, pub.event)
    for prefix, by_service in owners.items():
        if len(by_service) > 1:
            (first, event), *rest = by_service.items()
            yield self.finding(ctx, f"events of `{prefix}.*` are published by "
                               f"{', '.join(by_service)}", ("services", first, "publishes", event),
                               key=True, related=[("services", s, "publishes", e) for s, e in rest])


def _references(svc: Service) -> Iterator[tuple[str, Pointer]]:
    """Every model name a service uses, with where it is written."""
    base: Pointer = ("services", svc.name)

    def fields(items: tuple[Field, ...], where: Pointer) -> Iterator[tuple[str, Pointer]]:
        for f in items:
            for ref in f.type.model_names():
                yield ref, (*where, f.name)

    for model in svc.models.values():
        yield from fields(model.fields, (*base, "models", model.name))
    for ep in svc.endpoints:
        where = (*base, "endpoints", ep.route)
        for key, ref in (("request", ep.request), ("response", ep.response)):
            for name in ref.model_names() if isinstance(ref, TypeRef) else ():
                yield name, (*where, key)
        yield from fields(ep.query, (*where, "query"))
    for pub in svc.publishes:
        yield from fields(pub.payload, (*base, "publishes", pub.event, "payload"))


@rule("AG802", "model-undefined", "A model is referenced but not defined", Severity.ERROR,
      NAMING,
      explanation="Request, response, payload and field types name models of the same "
                  "service's `models`. An undefined one cannot be generated.",
      fix="Define the model under the service's `models`, or fix the name.",
      bad=_HEAD + "services:\n  a: {endpoints: {GET /api/v1/x: {response: Order}}}\n",
      good=_HEAD + "services:\n  a:\n    models: {Order: {id: uuid}}\n"
                   "    endpoints: {GET /api/v1/x: {response: Order}}\n")
def model_undefined(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for name, svc in ctx.catalog.services.items():
        for ref, where in _references(svc):
            if ref not in svc.models:
                yield self.finding(ctx, f"model {ref} is used by {name} but not defined in its "
                                   "`models`", where,
                                   hint=did_you_mean(ref, svc.models) or self.fix)


@rule("AG803", "model-unused", "A model is defined but never used", Severity.WARNING, NAMING,
      explanation="A model no endpoint, payload or other model refers to is dead weight in "
                  "the generated code and docs, or a sign of a misspelt reference.",
      fix="Use it (request, response, payload, field type) or remove it.",
      bad=_HEAD + "services:\n  a:\n    models: {Order: {id: uuid}, Draft: {id: uuid}}\n"
                  "    endpoints: {GET /api/v1/x: {response: Order}}\n",
      good=_HEAD + "services:\n  a:\n    models: {Order: {id: uuid}}\n"
                   "    endpoints: {GET /api/v1/x: {response: Order}}\n")
def model_unused(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for name, svc in ctx.catalog.services.items():
        if not svc.models:
            continue
        used = {ref for ref, where in _references(svc) if where[2:4] != ("models", ref)}
        for model in svc.models:
            if model not in used:
                yield self.finding(ctx, f"model {model} of {name} is never used",
                                   ("services", name, "models", model), key=True)


RULES = (event_name_tense, event_prefix_shared, model_undefined, model_unused)

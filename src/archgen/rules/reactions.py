"""AG508-AG519: reactions, the machine-readable part of `consumes`.

A reaction tells the generated default handler what consuming an event does:
create or update one model of the consumer, from the event's payload and
literals, then emit events. The generated code trusts these facts, so every
name and value is checked here, against the consumer's models and the
producer's payload.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from archgen.findings import Finding, Pointer, Severity
from archgen.model.fieldtypes import TypeRef
from archgen.model.resolved import Field, Service, Subscription
from archgen.rules.base import EVENTS, Rule, RuleContext, rule

_HEAD = ("archgen: 1\nsystem: {name: shop}\n"
         "event_bus: {technology: kafka, topics: {orders: {events: [order.created, "
         "payment.done]}}}\nservices:\n"
         "  a: {publishes: {order.created: {payload: {order_id: uuid, total: decimal}}}}\n")
_B = ("  b:\n    models: {Payment: {id: uuid, order_id: uuid, amount: decimal, "
      "status: {enum: [new, done]}}}\n    publishes: {payment.done: {payload: "
      "{order_id: uuid}}}\n    consumes:\n      order.created:\n")
_GOOD = _HEAD + _B + ("        create: Payment\n        copy: {order_id: order_id, amount: total}\n"
                      "        set: {status: done}\n        emits: [payment.done]\n")


def _ptr(svc: str, event: str, *rest: str | int) -> Pointer:
    return ("services", svc, "consumes", event, *rest)


def _reacting(ctx: RuleContext) -> Iterator[tuple[Service, Subscription]]:
    for svc in ctx.catalog.services.values():
        for sub in svc.consumes:
            if sub.reaction is not None:
                yield svc, sub


@rule("AG508", "reaction-model-unknown", "A reaction creates or updates a model its service lacks",
      Severity.ERROR, EVENTS,
      explanation="`create` and `update` name one model of the consuming service: the default "
                  "handler stores an instance of it. A reaction does one of the two.",
      fix="Name a model of the service's `models`, and write either `create` or `update`.",
      bad=_HEAD + _B + "        create: Refund\n", good=_GOOD)
def model_unknown(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for svc, sub in _reacting(ctx):
        assert sub.reaction is not None
        kind = sub.reaction.kind
        if sub.spec.create and sub.spec.update:
            yield self.finding(ctx, f"{svc.name} reacts to {sub.event} with both `create` and "
                               "`update`", _ptr(svc.name, sub.event, "update"), key=True)
        if sub.reaction.model not in svc.models:
            yield self.finding(ctx, f"{svc.name} reacts to {sub.event} by {kind}ing "
                               f"{sub.reaction.model}, which is not one of its models",
                               _ptr(svc.name, sub.event, kind))


@rule("AG509", "reaction-field-unknown", "A reaction names a field its model lacks",
      Severity.ERROR, EVENTS,
      explanation="The keys of `match`, `copy` and `set` are fields of the created or updated "
                  "model.",
      fix="Use a field of the model, or add the field to the model.",
      bad=_HEAD + _B + "        create: Payment\n        set: {state: done}\n", good=_GOOD)
def field_unknown(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for svc, sub in _reacting(ctx):
        assert sub.reaction is not None
        model = svc.models.get(sub.reaction.model)
        if model is None:
            continue  # AG508
        names = {f.name for f in model.fields}
        for part in ("match", "copy", "set"):
            for name in getattr(sub.reaction, part):
                if name not in names:
                    yield self.finding(ctx, f"{part} of {svc.name}'s reaction to {sub.event} "
                                       f"names {name}, not a field of {model.name}",
                                       _ptr(svc.name, sub.event, part, name), key=True)


@rule("AG510", "reaction-payload-field-unknown", "A reaction reads a field the event lacks",
      Severity.ERROR, EVENTS,
      explanation="The values of `match` and `copy` are fields of the consumed event's payload, "
                  "as its producer publishes it.",
      fix="Use a payload field of the event, or add it to the producer's payload.",
      bad=_HEAD + _B + "        create: Payment\n        copy: {amount: price}\n", good=_GOOD)
def payload_field_unknown(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for svc, sub in _reacting(ctx):
        assert sub.reaction is not None
        payload = ctx.catalog.payload_of(sub.event)
        if payload is None:
            continue  # AG502: nobody publishes it
        for part in ("match", "copy"):
            for name, source in getattr(sub.reaction, part).items():
                if source not in payload:
                    yield self.finding(ctx, f"{part} of {svc.name}'s reaction to {sub.event} "
                                       f"reads {source}, not a payload field of {sub.event}",
                                       _ptr(svc.name, sub.event, part, name))


@rule("AG511", "reaction-type-mismatch", "A reaction puts a value of the wrong type in a field",
      Severity.ERROR, EVENTS,
      explanation="A `set` literal must fit its field's type and enum, and a copied payload "
                  "field must have the type of the model field it fills (an enum field "
                  "takes only a payload enum whose values it has), or the default handler "
                  "stores a value the model rejects.",
      fix="Change the literal (or the field's type) so that they agree.",
      bad=_HEAD + _B + "        create: Payment\n        set: {status: paid}\n", good=_GOOD)
def type_mismatch(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for svc, sub in _reacting(ctx):
        assert sub.reaction is not None
        model = svc.models.get(sub.reaction.model)
        if model is None:
            continue
        fields = {f.name: f for f in model.fields}
        for name, value in sub.reaction.set.items():
            if name in fields and not literal_fits(fields[name], value):
                yield self.finding(ctx, f"{svc.name}'s reaction to {sub.event} sets {name} to "
                                   f"{value!r}, which {model.name}.{name} "
                                   f"({type_text(fields[name])}) does not accept",
                                   _ptr(svc.name, sub.event, "set", name))
        payload = ctx.catalog.payload_of(sub.event) or {}
        copies = {**sub.reaction.match, **sub.reaction.copy}
        for name, source in copies.items():
            if name in fields and source in payload and not field_fits(
                    fields[name], payload[source]):
                part = "copy" if name in sub.reaction.copy else "match"
                yield self.finding(ctx, f"{svc.name}'s reaction to {sub.event} puts {source} "
                                   f"({type_text(payload[source])}) into {model.name}.{name} "
                                   f"({type_text(fields[name])})",
                                   _ptr(svc.name, sub.event, part, name))


@rule("AG512", "reaction-emits-unpublished", "A reaction emits an event its service does not "
      "publish", Severity.ERROR, EVENTS,
      explanation="A reaction's `emits` names events of its own service's `publishes`: that is "
                  "where their payload is defined.",
      fix="Add the event to the service's `publishes`, or fix the name.",
      bad=_HEAD + _B + "        create: Payment\n        emits: [payment.failed]\n", good=_GOOD)
def emits_unpublished(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for svc, sub in _reacting(ctx):
        assert sub.reaction is not None
        published = {p.event for p in svc.publishes}
        for i, event in enumerate(sub.reaction.emits):
            if event not in published:
                yield self.finding(ctx, f"{svc.name}'s reaction to {sub.event} emits {event}, "
                                   f"which {svc.name} does not publish",
                                   _ptr(svc.name, sub.event, "emits", i))


@rule("AG513", "reaction-incomplete", "A reaction says how but not what", Severity.ERROR,
      EVENTS,
      explanation="`match`, `copy`, `set` and `emits` describe a change to the model named by "
                  "`create` or `update`; without one of those there is nothing to change. An "
                  "`update` needs a `match` to find the instance it updates.",
      fix="Add `create: Model` or `update: Model` (with `match: {field: payload_field}`).",
      bad=_HEAD + _B + "        set: {status: done}\n", good=_GOOD)
def incomplete(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for svc in ctx.catalog.services.values():
        for sub in svc.consumes:
            spec = sub.spec
            parts = [p for p, v in (("match", spec.match), ("copy", spec.copy_),
                                    ("set", spec.set), ("when", spec.when),
                                    ("emits", spec.emits)) if v]
            if sub.reaction is None and parts:
                yield self.finding(ctx, f"{svc.name}'s reaction to {sub.event} has {parts[0]} "
                                   "but neither `create` nor `update`",
                                   _ptr(svc.name, sub.event, parts[0]), key=True)
            elif sub.reaction is not None and sub.reaction.kind == "update" and not spec.match:
                yield self.finding(ctx, f"{svc.name}'s reaction to {sub.event} updates "
                                   f"{sub.reaction.model} but has no `match`",
                                   _ptr(svc.name, sub.event, "update"), key=True)


_NUMERIC = {"int": (int,), "float": (int, float), "decimal": (int, float, str)}


def literal_fits(field: Field, value: Any) -> bool:
    if field.spec.enum:
        return value in field.spec.enum
    ref = field.type
    if ref.kind != "scalar":
        return False
    if ref.name == "bool":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if ref.name in _NUMERIC:
        return isinstance(value, _NUMERIC[ref.name])
    return isinstance(value, str)  # str, uuid, date, datetime travel as text


def type_text(field: Field) -> str:
    """A field's type as the catalog states it: an enum names its values, not `str`."""
    if field.spec.enum:
        return "enum: " + ", ".join(str(v) for v in field.spec.enum)
    return str(field.type)


def field_fits(target: Field, source: Field) -> bool:
    """Whether every value `source` may hold is one `target` accepts (enums by their values)."""
    allowed, given = target.spec.enum, source.spec.enum
    if allowed:
        return bool(given) and all(v in allowed for v in given or ())
    return type_fits(target.type, source.type)


# Payload types a model field of the key's type accepts without loss.
_WIDENS = {"float": {"int"}, "decimal": {"int"}}


def type_fits(target: TypeRef, source: TypeRef) -> bool:
    if target.kind == "scalar" and source.kind == "scalar":
        return source.name == target.name or source.name in _WIDENS.get(target.name, set())
    if target.kind != source.kind:
        return False
    if target.kind == "model":
        return target.name == source.name
    assert target.item is not None and source.item is not None
    return type_fits(target.item, source.item)


RULES = (model_unknown, field_unknown, payload_field_unknown, type_mismatch, emits_unpublished,
         incomplete)

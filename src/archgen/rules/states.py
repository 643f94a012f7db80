"""AG520-AG525: state machines and conditions.

A field's `states` names its initial and final states and the legal transitions
with their causes; the generated service enforces them (409 for an endpoint,
the dead-letter topic for a reaction). A condition (`when`) decides whether an
emit fires or a reaction runs. Both are data the generated code trusts, so
their names and values are checked here, and so is whether they can happen.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from archgen.findings import Finding, Pointer, Severity
from archgen.model.conditions import accepts, domain, holds, satisfiable
from archgen.model.resolved import Condition, Emission, Field, Service, StateMachine
from archgen.model.states import causes, writers
from archgen.rules.base import EVENTS, SERVICES, Rule, RuleContext, rule

_HEAD = ("archgen: 1\nsystem: {name: food}\n"
         "event_bus: {technology: kafka, topics: {deliveries: {events: [delivery.completed]}}}\n"
         "services:\n  delivery:\n    models:\n"
         "      Delivery:\n        id: uuid\n        total: decimal\n")
_STATUS = "        status:\n          enum: [pending, picked_up, delivered]\n"
_API = ("      StatusChange: {status: {enum: [pending, picked_up, delivered]}}\n"
        "    publishes: {delivery.completed: {payload: {delivery_id: uuid}}}\n"
        "    endpoints:\n      PUT /deliveries/{id}:\n"
        "        request: StatusChange\n        response: Delivery\n")
_MACHINE = ("          states:\n            initial: pending\n            final: [delivered]\n"
            "            transitions: {pending: [picked_up], picked_up: [delivered]}\n")
_EMIT = "        emits: [{event: delivery.completed, when: {status: delivered}}]\n"
_GOOD = _HEAD + _STATUS + _MACHINE + _API + _EMIT


def _machines(ctx: RuleContext) -> Iterator[tuple[Service, str, Field, StateMachine]]:
    for svc in ctx.catalog.services.values():
        for model in svc.models.values():
            for f in model.fields:
                machine = f.machine
                if machine is not None:
                    yield svc, model.name, f, machine


def _ptr(svc: Service, model: str, f: Field, *rest: str | int) -> Pointer:
    return ("services", svc.name, "models", model, f.name, "states", *rest)


def _values(f: Field) -> list[str]:
    return [str(v) for v in f.spec.enum or ()]


@rule("AG520", "state-machine-invalid", "A state machine names a state or cause that does "
      "not exist", Severity.ERROR, SERVICES,
      explanation="`states` belongs to an enum field: its states are the enum's values, and "
                  "each transition's causes are routes of the service (`PUT /path`) or "
                  "events it consumes. The generated service checks transitions against "
                  "these names, so a wrong one makes a legal change impossible.",
      fix="Use values of the field's `enum`, routes of the service's `endpoints` and events "
          "of its `consumes`.",
      bad=_HEAD + _STATUS + _MACHINE.replace("[delivered]}", "[done]}") + _API, good=_GOOD)
def machine_invalid(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for svc, model, f, machine in _machines(ctx):
        known = _values(f)
        where = f"{svc.name} {model}.{f.name}"
        if not known:
            yield self.finding(ctx, f"{where} has `states` but no `enum` of them",
                               _ptr(svc, model, f), key=True)
            continue
        named: list[tuple[str, Pointer]] = [(machine.initial, _ptr(svc, model, f, "initial"))]
        named += [(s, _ptr(svc, model, f, "final", i)) for i, s in enumerate(machine.final)]
        for src, targets in machine.transitions.items():
            named.append((src, _ptr(svc, model, f, "transitions", src)))
            named += [(dst, _ptr(svc, model, f, "transitions", src, dst)) for dst in targets]
        for state, pointer in named:
            if state not in known:
                yield self.finding(ctx, f"{where}: state {state} is not one of its enum values "
                                   f"({', '.join(known)})", pointer, key=True)
        possible = causes(svc)
        for src, targets in machine.transitions.items():
            for dst, by in targets.items():
                for i, cause in enumerate(by):
                    if cause not in possible:
                        yield self.finding(
                            ctx, f"{where}: {src} -> {dst} names {cause}, neither a route nor "
                            f"a consumed event of {svc.name}",
                            _ptr(svc, model, f, "transitions", src, dst,
                                 *((i,) if len(by) > 1 else ())))


@rule("AG521", "state-unreachable", "A state cannot be reached from the initial state",
      Severity.WARNING, SERVICES,
      explanation="Every value of the field is a state; one that no chain of transitions "
                  "leads to from `initial` can never be held (the service refuses every "
                  "change into it), so it is dead or a transition is missing.",
      fix="Add the transition that leads to the state, or remove the value from the enum.",
      bad=_HEAD + _STATUS + _MACHINE.replace(", picked_up: [delivered]", "") + _API,
      good=_GOOD)
def unreachable(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for svc, model, f, machine in _machines(ctx):
        known = _values(f)
        if machine.initial not in known:
            continue  # AG520
        seen = {machine.initial}
        todo = [machine.initial]
        while todo:
            for dst in machine.transitions.get(todo.pop(), {}):
                if dst not in seen:
                    seen.add(dst)
                    todo.append(dst)
        for state in known:
            if state not in seen:
                yield self.finding(ctx, f"{svc.name} {model}.{f.name}: state {state} cannot be "
                                   f"reached from {machine.initial}", _ptr(svc, model, f),
                                   key=True)


@rule("AG522", "final-state-has-transitions", "A final state has outgoing transitions",
      Severity.ERROR, SERVICES,
      explanation="A final state is where the instance stays: the generated service refuses "
                  "every change out of it. Transitions out of it contradict that.",
      fix="Remove the state from `final`, or remove its transitions.",
      bad=_HEAD + _STATUS + _MACHINE.replace("}\n", ", delivered: [pending]}\n") + _API,
      good=_GOOD)
def final_has_transitions(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for svc, model, f, machine in _machines(ctx):
        for state in machine.final:
            if machine.transitions.get(state):
                yield self.finding(ctx, f"{svc.name} {model}.{f.name}: final state {state} has "
                                   f"transitions to {', '.join(machine.allowed(state))}",
                                   _ptr(svc, model, f, "transitions", state), key=True)


@rule("AG523", "transition-uncaused", "No endpoint or reaction can make a transition",
      Severity.WARNING, SERVICES,
      explanation="A transition happens when an update writes the field: a PUT endpoint "
                  "whose request carries the field, or a reaction that `update`s the model "
                  "and sets or copies it. A transition none of them (or none of its named "
                  "causes) can make never happens with the generated code.",
      fix="Name a cause that writes the field, add the field to the endpoint's request, or "
          "add a reaction that sets it.",
      bad=_HEAD + _STATUS + _MACHINE + _API.replace("request: StatusChange", "request: Delivery")
      .replace("StatusChange: {status: {enum: [pending, picked_up, delivered]}}",
               "Rating: {stars: int}").replace("request: Delivery", "request: Rating"),
      good=_GOOD)
def uncaused(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for svc, model, f, machine in _machines(ctx):
        can = list(writers(svc, model, f.name))
        for src, targets in machine.transitions.items():
            for dst, by in targets.items():
                able = [w for w in can if (not by or w.cause in by)
                        and w.value in (None, dst)]
                if not able:
                    named = f" by {', '.join(by)}" if by else ""
                    yield self.finding(ctx, f"{svc.name} {model}.{f.name}: nothing can move "
                                       f"{src} -> {dst}{named}",
                                       _ptr(svc, model, f, "transitions", src, dst), key=True)


# ---------------------------------------------------------------- conditions
def _conditions(ctx: RuleContext) -> Iterator[tuple[str, Condition, Mapping[str, Field],
                                                     Mapping[str, Any], Pointer]]:
    """(what, condition, the fields it reads, literals known to hold, pointer of `when`)."""
    for svc in ctx.catalog.services.values():
        for ep in svc.endpoints:
            ref = ep.response
            model = svc.models.get(ref.name) if ref and ref.kind == "model" else None
            fields = {f.name: f for f in model.fields} if model else {}
            yield from _emitted(f"{ep.route} of {svc.name}", ep.emissions, fields, {},
                                ("services", svc.name, "endpoints", ep.route))
        for sub in svc.consumes:
            reaction = sub.reaction
            if reaction is None:
                continue
            payload = dict(ctx.catalog.payload_of(sub.event) or {})
            where = ("services", svc.name, "consumes", sub.event)
            what = f"{svc.name}'s reaction to {sub.event}"
            if reaction.when:
                yield what, reaction.when, payload, {}, (*where, "when")
            target = svc.models.get(reaction.model)
            fields = {**payload, **{f.name: f for f in (target.fields if target else ())}}
            yield from _emitted(what, reaction.emissions, fields, reaction.set, where)


def _emitted(what: str, emissions: tuple[Emission, ...], fields: Mapping[str, Field],
             fixed: Mapping[str, Any], where: Pointer
             ) -> Iterator[tuple[str, Condition, Mapping[str, Field], Mapping[str, Any],
                                 Pointer]]:
    for i, emission in enumerate(emissions):
        if emission.when:
            yield (f"{emission.event} of {what}", emission.when, fields, fixed,
                   (*where, "emits", i, "when"))


_NUMBERS = {"int", "float", "decimal"}


def _never(f: Field, comparison: Mapping[str, Any], fixed: Any) -> str:
    """Why no value of `f` passes `comparison` ("" when some may)."""
    if fixed is not None:
        return "" if holds(comparison, fixed) else f"it is set to {fixed} in the same step"
    wanted = accepts(comparison)
    if wanted.numeric and not (f.type.kind == "scalar" and f.type.name in _NUMBERS):
        return f"it is a {f.type}, not a number"
    if not satisfiable(wanted):
        shown = wanted.bounds_text() if wanted.numeric and wanted.only is None else ""
        return f"no number is {shown}" if shown else "no value passes all of its operators"
    held = domain(f.spec.enum, f.spec.minimum, f.spec.maximum)
    if satisfiable(wanted.meet(held)):
        return ""
    if f.spec.enum:
        return f"it only holds {', '.join(str(v) for v in f.spec.enum)}"
    return f"it only holds numbers {held.bounds_text()}"


@rule("AG524", "condition-never-holds", "A condition can never hold", Severity.ERROR, EVENTS,
      explanation="An emit's `when` tests the state after the change (and, for a reaction, "
                  "the consumed payload); a reaction's `when` tests the payload. A condition "
                  "on a value the field cannot hold (not one of its enum values, a value the "
                  "same reaction sets otherwise, a number outside its bounds) means the "
                  "event is never emitted, or the reaction never runs.",
      fix="Compare with a value the field can hold; fix the typo or the reaction's `set`.",
      bad=_HEAD + _STATUS + _MACHINE + _API + _EMIT.replace("status: delivered",
                                                            "status: done"),
      good=_GOOD)
def never_holds(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for what, condition, fields, fixed, where in _conditions(ctx):
        for name, comparison in condition.items():
            if name not in fields:
                continue  # AG525
            why = _never(fields[name], comparison, fixed.get(name))
            if why:
                yield self.finding(ctx, f"the condition on {name} of {what} can never hold: "
                                   f"{why}", (*where, name))


@rule("AG525", "condition-field-unknown", "A condition tests a field that is not there",
      Severity.ERROR, EVENTS,
      explanation="An endpoint's emit condition reads the model the endpoint answers; a "
                  "reaction's emit condition reads the updated model, then the consumed "
                  "payload; a reaction's `when` reads the payload. A name none of them has "
                  "would make the condition test nothing.",
      fix="Use a field of the model or payload, or add it there.",
      bad=_HEAD + _STATUS + _MACHINE + _API + _EMIT.replace("status: delivered",
                                                            "state: delivered"),
      good=_GOOD)
def field_unknown(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for what, condition, fields, _fixed, where in _conditions(ctx):
        for name in condition:
            if name not in fields:
                yield self.finding(ctx, f"the condition of {what} tests {name}, which it does "
                                   "not have", (*where, name), key=True)


RULES = (machine_invalid, unreachable, final_has_transitions, uncaused, never_holds,
         field_unknown)

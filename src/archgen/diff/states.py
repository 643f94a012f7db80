"""AGD208, AGD209, AGD316-AGD318: state machines, conditions, compensations, deadlines.

A removed state or transition makes a move that was legal fail (409 for an
endpoint, a dead letter for a reaction); a changed condition changes when
consumers hear of a change; a removed compensation leaves a step done when a later
one fails; a removed or changed deadline leaves a step waiting for ever or moves the
moment it times out. All are breaking wherever they are.
"""

from __future__ import annotations

from collections.abc import Iterator

from archgen.diff.context import DiffContext
from archgen.findings import Pointer
from archgen.model.conditions import condition_text
from archgen.model.resolved import Condition, Emission, Service, StateMachine


def check(ctx: DiffContext) -> None:
    for old, new in ctx.service_pairs():
        _machines(ctx, old, new)
        _conditions(ctx, old, new)
        _compensations(ctx, old, new)
        _deadlines(ctx, old, new)


def _machine_fields(svc: Service) -> dict[tuple[str, str], StateMachine]:
    return {(m.name, f.name): machine for m in svc.models.values() for f in m.fields
            if (machine := f.machine) is not None}


def _machines(ctx: DiffContext, old: Service, new: Service) -> None:
    after = _machine_fields(new)
    for (model, name), before in _machine_fields(old).items():
        now = after.get((model, name))
        if now is None:
            continue  # no state machine any more: every move is allowed
        where: Pointer = ("services", new.name, "models", model, name, "states")
        old_where: Pointer = ("services", old.name, "models", model, name, "states")
        subject = f"{new.name} {model}.{name}"
        for state in before.states:
            if state not in now.states:
                ctx.removed("AGD208", f"{subject} lost its state {state}", old_where,
                            new_parent=where)
        for src, dst, lost in _lost_moves(before, now):
            pointer: Pointer = (*old_where, "transitions", src, dst)
            parent: Pointer = (*where, "transitions")
            if lost:
                ctx.removed("AGD209", f"{subject} no longer lets {', '.join(lost)} move "
                            f"{src} -> {dst}", pointer, new_parent=parent)
            else:
                ctx.removed("AGD209", f"{subject} lost its transition {src} -> {dst}",
                            pointer, new_parent=parent)


def _lost_moves(before: StateMachine, now: StateMachine
                ) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(from, to, causes that lost it; () when the whole transition went)."""
    for src, targets in before.transitions.items():
        for dst, causes in targets.items():
            if dst not in now.transitions.get(src, {}):
                yield src, dst, ()
                continue
            kept = now.transitions[src][dst]
            if not kept:
                continue  # open to any writer: nobody lost it
            lost = tuple(c for c in causes if c not in kept) if causes else ("any other cause",)
            if lost:
                yield src, dst, lost


def _conditions(ctx: DiffContext, old: Service, new: Service) -> None:
    before_eps = {ep.route: ep for ep in old.endpoints}
    for ep in new.endpoints:
        if ep.route in before_eps:
            _emissions(ctx, f"{ep.route} of {new.name}", before_eps[ep.route].emissions,
                       ep.emissions, ("services", new.name, "endpoints", ep.route))
    before_subs = {s.event: s.reaction for s in old.consumes}
    for sub in new.consumes:
        was = before_subs.get(sub.event)
        if sub.reaction is None or was is None:
            continue
        where: Pointer = ("services", new.name, "consumes", sub.event)
        what = f"{new.name}'s reaction to {sub.event}"
        if _plain(was.when) != _plain(sub.reaction.when):
            ctx.changed("AGD316", f"{what} now runs when {_show(sub.reaction.when)} (was "
                        f"{_show(was.when)})", (*where, "when") if sub.reaction.when else where)
        _emissions(ctx, what, was.emissions, sub.reaction.emissions, where)


def _emissions(ctx: DiffContext, what: str, before: tuple[Emission, ...],
               after: tuple[Emission, ...], where: Pointer) -> None:
    old = {e.event: e.when for e in before}
    for i, emission in enumerate(after):
        if emission.event in old and _plain(old[emission.event]) != _plain(emission.when):
            ctx.changed("AGD316", f"{what} now emits {emission.event} when "
                        f"{_show(emission.when)} (was {_show(old[emission.event])})",
                        (*where, "emits", i))


def _compensations(ctx: DiffContext, old: Service, new: Service) -> None:
    """Each step (endpoint or reaction in both versions) that lost a `compensated_by` event."""
    steps = [("endpoints", ep.route, ep.spec.compensated_by, f"{ep.route} of {{}}")
             for ep in old.endpoints]
    steps += [("consumes", sub.event, sub.spec.compensated_by, f"{{}}'s reaction to {sub.event}")
              for sub in old.consumes]
    now = {("endpoints", ep.route): ep.spec.compensated_by for ep in new.endpoints}
    now.update({("consumes", sub.event): sub.spec.compensated_by for sub in new.consumes})
    for kind, name, before, what in steps:
        after = now.get((kind, name))
        if after is None:
            continue  # the step itself went: reported where it is (endpoint, consumer)
        for i, event in enumerate(before):
            if event not in after:
                old_where: Pointer = ("services", old.name, kind, name, "compensated_by",
                                      *((i,) if len(before) > 1 else ()))
                ctx.removed("AGD317", f"{what.format(new.name)} is no longer undone by "
                            f"{event}", old_where, new_parent=("services", new.name, kind, name))


def _deadlines(ctx: DiffContext, old: Service, new: Service) -> None:
    now = {sub.event: sub.spec for sub in new.consumes}
    for sub in old.consumes:
        before, after = sub.spec, now.get(sub.event)
        if before.within is None or after is None:
            continue  # no deadline before, or the consumer went (reported where it is)
        what = f"{new.name}'s reaction to {sub.event}"
        where: Pointer = ("services", new.name, "consumes", sub.event)
        if after.within is None:
            ctx.removed("AGD318", f"{what} lost its deadline ({before.within}, then "
                        f"{before.on_timeout})", ("services", old.name, "consumes", sub.event,
                                                  "within"), new_parent=where)
        elif (after.within, after.on_timeout) != (before.within, before.on_timeout):
            ctx.changed("AGD318", f"{what} now times out after {after.within} with "
                        f"{after.on_timeout} (was {before.within}, {before.on_timeout})",
                        (*where, "within"))


def _plain(condition: Condition) -> dict[str, dict[str, object]]:
    return {k: dict(v) for k, v in condition.items()}


def _show(condition: Condition) -> str:
    return condition_text(condition) if condition else "always"

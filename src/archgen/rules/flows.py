"""AG529: a flow of reactions that loops forever.

An event sets off each reaction that consumes it (one per service); a reaction
emits its `emits` (and its deadline's `on_timeout`), which set off the next
reactions. An endpoint starts a flow but no event reaches it, so it ends every
path back. A cycle of reactions none of which can stop repeats forever: each turn
writes records and publishes events again. A step stops it when its `when` (or
its emit's) may not hold, when its timer waits on a state that may move, or when
the state machine of a record the cycle updates refuses the move the next turn
needs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeAlias

from archgen.findings import Finding, Pointer, Severity
from archgen.graph import knots, networkx_graph
from archgen.model.conditions import holds
from archgen.model.resolved import Condition, Reaction, ResolvedCatalog, Service
from archgen.model.states import writers
from archgen.rules.base import EVENTS, Rule, RuleContext, rule

# A reaction: (service, the event it consumes).
Node: TypeAlias = tuple[str, str]
# A reaction -> each reaction an emit of it sets off -> the first such emit (its hop).
Graph: TypeAlias = dict[Node, dict[Node, "Hop"]]

# Elementary cycles looked at per knot of reactions before giving up on it: a dense knot
# has exponentially many, and the first few already show the loop.
MAX_CYCLES = 200

_HEAD = ("archgen: 1\nsystem: {name: shop}\nevent_bus:\n  technology: kafka\n  topics:\n"
         "    orders: {events: [order.created, order.confirmed]}\n"
         "    stock: {events: [inventory.reserved]}\nservices:\n"
         "  order-service:\n    models:\n      Order: {id: uuid, status: {enum: [pending, "
         "reserved]}}\n    publishes:\n      order.created: {payload: {order_id: uuid}}\n"
         "      order.confirmed: {payload: {order_id: uuid}}\n    endpoints:\n"
         "      POST /orders:\n        request: Order\n        response: Order\n"
         "        emits: [order.created]\n    consumes:\n      inventory.reserved:\n"
         "        update: Order\n        match: {id: order_id}\n"
         "        set: {status: reserved}\n")
_INVENTORY = ("  inventory-service:\n    models:\n      Reservation: {id: uuid, order_id: uuid}\n"
              "    publishes:\n      inventory.reserved: {payload: {order_id: uuid}}\n"
              "    consumes:\n      order.created:\n        create: Reservation\n"
              "        copy: {order_id: order_id}\n        emits: [inventory.reserved]\n")


@dataclass(frozen=True, slots=True)
class Hop:
    """A reaction on a cycle and the emit (or deadline) that leads on to the next one."""

    service: str
    consumed: str
    emitted: str
    via: tuple[str | int, ...]  # ("emits", i) or ("on_timeout",)

    @property
    def pointer(self) -> Pointer:
        return ("services", self.service, "consumes", self.consumed, *self.via)

    @property
    def what(self) -> str:
        how = "deadline on" if self.via == ("on_timeout",) else "reaction to"
        return f"{self.service}'s {how} {self.consumed}"


def always(condition: Condition, fixed: Mapping[str, Any]) -> bool:
    """Whether `condition` holds whatever the data: every field it tests is one the step
    itself sets (`set`), to a value that passes. No condition always holds. (The rule's
    one use of the condition logic.)"""
    return all(name in fixed and holds(comparison, fixed[name])
               for name, comparison in condition.items())


def _copies_state(svc: Service, reaction: Reaction) -> bool:
    """Whether an update copies a payload value into a state-machine field: the service
    may refuse the move, depending on the data."""
    return reaction.kind == "update" and any(
        f.machine is not None and f.name in reaction.copy
        for f in svc.models[reaction.model].fields)


def unconditional_graph(catalog: ResolvedCatalog) -> Graph:
    """Reactions, with an edge to each reaction an emit of theirs sets off unless the
    step carries a condition (its `when`, the emit's, a copied state) that may not hold.
    A handler without a reaction (team code) emits nothing known: it ends the path."""
    consumers: dict[str, list[Node]] = {}
    for svc in catalog.services.values():
        for sub in svc.consumes:
            consumers.setdefault(sub.event, []).append((svc.name, sub.event))
    graph: Graph = {}
    for svc in catalog.services.values():
        for sub in svc.consumes:
            reaction = sub.reaction
            if reaction is None or reaction.model not in svc.models:
                continue  # no generated reaction (AG508 reports an unknown model)
            if reaction.when or _copies_state(svc, reaction):
                continue
            hops = [Hop(svc.name, sub.event, e.event, ("emits", i))
                    for i, e in enumerate(reaction.emissions) if always(e.when, reaction.set)]
            if sub.spec.on_timeout and not _watches_state(svc, reaction.model):
                hops.append(Hop(svc.name, sub.event, sub.spec.on_timeout, ("on_timeout",)))
            for hop in hops:
                for nxt in consumers.get(hop.emitted, ()):
                    graph.setdefault((svc.name, sub.event), {}).setdefault(nxt, hop)
                    graph.setdefault(nxt, {})
    return graph


def _watches_state(svc: Service, model: str) -> bool:
    """Whether a deadline's timer on `model` waits on a state-machine field (it fires only
    if nothing moved it); without one it fires whenever the record is still there."""
    return any(f.machine is not None for f in svc.models[model].fields)


def _refused(catalog: ResolvedCatalog, hops: list[Hop]) -> bool:
    """Whether a state machine stops the cycle: the states its reactions set on one record
    (assumed the same instance each turn) need a move the machine does not allow for that
    cause. Writing the state a record already holds is no move, so one state set again and
    again never stops it."""
    moves: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for hop in hops:
        svc = catalog.services[hop.service]
        reaction = next(s.reaction for s in svc.consumes if s.event == hop.consumed)
        if reaction is None or reaction.kind != "update":
            continue  # a created record starts afresh each turn
        for f in svc.models[reaction.model].fields:
            if f.machine is None:
                continue
            for w in writers(svc, reaction.model, f.name):
                if w.cause == hop.consumed and w.value is not None:
                    moves.setdefault((svc.name, reaction.model, f.name), []).append(
                        (w.value, w.cause))
    for (svc_name, model, name), states in moves.items():
        field = next(f for f in catalog.services[svc_name].models[model].fields
                     if f.name == name)
        machine = field.machine
        assert machine is not None
        for (before, _), (after, cause) in zip(states, [*states[1:], states[0]], strict=True):
            targets = machine.transitions.get(before, {})
            if before != after and (after not in targets
                                    or (targets[after] and cause not in targets[after])):
                return True
    return False


def _entries(catalog: ResolvedCatalog, hops: list[Hop]) -> list[str]:
    """The cycle's events, those a flow enters it by first: an endpoint's, then one a step
    off the cycle emits; by name within each."""
    on = {(h.service, h.consumed) for h in hops}
    by_endpoint = {e for s in catalog.services.values() for ep in s.endpoints for e in ep.emits}
    from_outside = {e for s in catalog.services.values() for sub in s.consumes
                    if sub.reaction is not None and (s.name, sub.event) not in on
                    for e in (*sub.reaction.emits, sub.spec.on_timeout) if e}
    events = {h.consumed for h in hops}
    return sorted(events, key=lambda e: (e not in by_endpoint, e not in from_outside, e))


def loops(catalog: ResolvedCatalog) -> Iterator[list[Hop]]:
    """One cycle that nothing stops per knot of reactions, from the event a flow enters it
    by; the last hop emits that event again."""
    graph = unconditional_graph(catalog)
    for knot in sorted(knots(graph), key=min):  # none, without networkx, when acyclic
        import networkx as nx

        sub = networkx_graph({n: {t: hop for t, hop in graph[n].items() if t in knot}
                              for n in knot}, "hop")
        cycles = sorted(islice(nx.simple_cycles(sub), MAX_CYCLES), key=lambda c: (len(c), c))
        for cycle in cycles:
            hops = [graph[a][b] for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True)]
            if _refused(catalog, hops):
                continue
            start = _entries(catalog, hops)[0]
            turn = next(i for i, h in enumerate(hops) if h.consumed == start)
            yield hops[turn:] + hops[:turn]
            break


@rule("AG529", "flow-loops", "A flow of reactions loops forever", Severity.ERROR, EVENTS,
      explanation="Each event sets off the reactions that consume it, and each reaction "
                  "emits its `emits`. When that chain comes back to an event it started "
                  "from and no step on the way can stop it, every turn writes records and "
                  "publishes events again, forever. A step stops it when it is guarded: "
                  "the reaction's `when`, or its emit's `when`, unless the reaction's own "
                  "`set` makes it hold; or a state machine that refuses a move the next "
                  "turn needs (the states the cycle sets on a record, assumed the same "
                  "one each turn, cannot come round again; setting the state a record "
                  "already holds is no move and stops nothing). A cycle guarded only by "
                  "conditions on the data is not reported: whether they hold every time "
                  "cannot be told from the catalog. A deadline's `on_timeout` is a step "
                  "too: it guards when its timer waits on a state-machine field (it fires "
                  "only if nothing moved the record), not when the record has none (it "
                  "fires whenever the record is still there). An endpoint starts "
                  "flows but no event reaches it; a handler without a reaction ends the "
                  "path. Reported once per knot of reactions that reach each other, at "
                  "the emit that closes the cycle.",
      fix="Emit another event at the end of the flow, or guard a step: a `when` on the "
          "reaction or the emit, or a state-machine move that cannot come round again.",
      bad=_HEAD + "        emits: [order.created]\n" + _INVENTORY,
      good=_HEAD + "        emits: [order.confirmed]\n" + _INVENTORY)
def flow_loops(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for hops in loops(ctx.catalog):
        steps = [f"{h.consumed} → {h.service} reacts" for h in hops]
        path = " → ".join([*steps, hops[0].consumed])
        last = hops[-1]
        yield self.finding(ctx, f"the flow {path} loops forever: no step on it has a condition "
                           f"or a state move that stops it ({last.what} emits {last.emitted} "
                           "again)", last.pointer,
                           related=[h.pointer for h in hops[:-1]])


RULES = (flow_loops,)

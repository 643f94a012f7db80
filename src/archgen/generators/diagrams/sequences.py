"""The flows of a catalog as sequence diagrams (the model; seq_text.py and seq_svg.py draw it).

A flow starts at a public endpoint that emits events: the client calls it through the
gateway, the service answers, its outbox publishes the events, and each consumer's
reaction (`consumes.<event>: {create|update, set, emits}`) may publish more. The chain
is followed depth first, so the diagram reads in causal order, and branches where the
catalog says the outcome can differ:

- an emit with a condition (`{event, when}`) is an `opt` block, or an `alt` when no two
  of the conditions can hold at once (archgen.model.conditions.exclusive);
- a reaction's own `when` (on the payload) is an `opt` around the reaction;
- events an endpoint lists together without conditions are alternatives (the default
  handler emits the first, a handler the others): where a step emits one, the others
  are `alt` branches;
- a reaction with a deadline (`within`, `on_timeout`) is followed by an `opt`: its
  timeout event, when the record has not moved on in time.

A branch whose event is a failure (model/failures.py: one a step names in
`compensated_by`, or a deadline's `on_timeout`) is the failure path, and the reactions
that undo a step of their service (the same `compensated_by`) are its compensation. Only
a catalog that declares no failure at all is read by names (`payment.failed`): then
everything a failure sets off is drawn as compensation.

Pure and deterministic: services, consumers and endpoints are taken in name order, so
the output does not depend on the order of the catalog.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from archgen.model.conditions import all_exclusive, condition_text
from archgen.model.failures import compensations, declared_failures, named_failure
from archgen.model.resolved import (
    Emission,
    Endpoint,
    Reaction,
    ResolvedCatalog,
    Service,
    Subscription,
)
from archgen.model.tables import endpoint_action

# A flow this long is cut (with a note): a catalog of thousands of services can chain
# hundreds of reactions, and a drawing that long is no longer read.
MAX_STEPS = 400


@dataclass(frozen=True, slots=True)
class Participant:
    id: str
    label: str
    kind: str  # client | gateway | service | bus


@dataclass(frozen=True, slots=True)
class Message:
    source: str
    target: str
    text: str
    style: str  # call | reply | event


@dataclass(frozen=True, slots=True)
class Note:
    over: str
    text: str


@dataclass(frozen=True, slots=True)
class Branch:
    label: str
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # alt | opt
    branches: tuple[Branch, ...]


Step = Message | Note | Block


@dataclass(frozen=True, slots=True)
class SequenceFlow:
    name: str  # the file name under diagrams/flows/
    title: str
    participants: tuple[Participant, ...]
    steps: tuple[Step, ...]


CLIENT = Participant("client", "Client", "client")
BUS_ID = "bus"


def flow_starts(catalog: ResolvedCatalog) -> list[tuple[Service, Endpoint]]:
    """The public endpoints that emit an event, by service and route."""
    return [(svc, ep) for name in sorted(catalog.services)
            for svc in (catalog.services[name],)
            for ep in sorted(svc.endpoints, key=lambda e: (e.path, e.method))
            if ep.public and ep.emissions]


def derive_sequences(catalog: ResolvedCatalog) -> list[SequenceFlow]:
    """One sequence diagram per flow start, named uniquely by service and route."""
    consumers = _consumers(catalog)
    failures = _failures(catalog)
    flows: list[SequenceFlow] = []
    taken: set[str] = set()
    for svc, ep in flow_starts(catalog):
        name = base = flow_name(svc.name, ep)
        n = 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
        taken.add(name)
        flows.append(_Tracer(catalog, consumers, failures).flow(name, svc, ep))
    return flows


def flow_name(service: str, ep: Endpoint) -> str:
    """`order-service`, `POST /api/v1/orders` -> `order-service-post-v1-orders`."""
    words = [w for w in re.split(r"[^a-z0-9]+", ep.path.lower()) if w and w != "api"]
    return "-".join([service, ep.method.lower(), *words])


def _consumers(catalog: ResolvedCatalog) -> dict[str, list[tuple[Service, Subscription]]]:
    """Event -> who consumes it: the ones whose reaction emits nothing first (they end
    there), then the ones that go on, each group by name."""
    out: dict[str, list[tuple[Service, Subscription]]] = {}
    for name in sorted(catalog.services):
        svc = catalog.services[name]
        for sub in svc.consumes:
            out.setdefault(sub.event, []).append((svc, sub))
    for subs in out.values():
        subs.sort(key=lambda s: (bool(s[1].reaction and s[1].reaction.emissions), s[0].name))
    return out


# The failure events, and the (service, event) pairs that compensate (None: the catalog
# declares no failure, and everything a failure sets off is drawn as compensation).
_Failures = tuple[set[str], set[tuple[str, str]] | None]


def _failures(catalog: ResolvedCatalog) -> _Failures:
    declared = declared_failures(catalog)
    if declared:
        return declared, compensations(catalog)
    return {e for e in catalog.events if named_failure(e)}, None


def _pid(service: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", service)


class _Tracer:
    """Follows one flow, collecting its participants in the order they first act."""

    def __init__(self, catalog: ResolvedCatalog,
                 consumers: Mapping[str, Sequence[tuple[Service, Subscription]]],
                 failures: _Failures) -> None:
        self.catalog = catalog
        self.consumers = consumers
        self.participants: dict[str, Participant] = {}
        self.steps = 0
        self.failures, self.compensating = failures

    def flow(self, name: str, svc: Service, ep: Endpoint) -> SequenceFlow:
        gateway = self.catalog.gateway
        has_gateway = gateway is not None and (gateway.technology or "") != "none"
        self._join(CLIENT)
        front = CLIENT.id
        steps: list[Step] = []
        if has_gateway:
            assert gateway is not None
            tech = f" ({gateway.technology})" if gateway.technology else ""
            self._join(Participant("gateway", f"API gateway{tech}", "gateway"))
            steps.append(Message(CLIENT.id, "gateway", ep.route, "call"))
            front = "gateway"
        me = self._service(svc.name)
        steps.append(Message(front, me, ep.route, "call"))
        effect = _endpoint_effect(svc, ep)
        if effect:
            steps.append(Note(me, effect))
        answer = f"{ep.status} {ep.response}" if ep.response else str(ep.status)
        steps.append(Message(me, front, answer, "reply"))
        if has_gateway:
            steps.append(Message("gateway", CLIENT.id, answer, "reply"))
        bus = self.catalog.event_bus
        tech = f" ({bus.technology})" if bus and bus.technology else ""
        self._join(Participant(BUS_ID, f"event bus{tech}", "bus"))
        steps.extend(self._emissions(svc, ep.emissions, (), failure=False, endpoint=True))
        title = f"{svc.name} {ep.route}" + (f": {ep.summary}" if ep.summary else "")
        return SequenceFlow(name, title, tuple(self.participants.values()), tuple(steps))

    def _join(self, participant: Participant) -> str:
        self.participants.setdefault(participant.id, participant)
        return participant.id

    def _service(self, name: str) -> str:
        return self._join(Participant(_pid(name), name, "service"))

    # ------------------------------------------------------------ what a step emits
    def _emissions(self, svc: Service, emissions: Sequence[Emission],
                   path: tuple[tuple[str, str], ...], *, failure: bool,
                   endpoint: bool) -> list[Step]:
        plain = [e.event for e in emissions if not e.when]
        conditioned = [e for e in emissions if e.when]
        # An endpoint's default handler emits the first of its plain events; a reaction all.
        emitted = plain[:1] if endpoint else plain
        steps: list[Step] = []
        for event in emitted:
            others = [a for a in _alternatives(svc, event) if a not in emitted]
            if not others:
                steps.extend(self._publish(svc, event, path, failure=failure))
                continue
            branches = [Branch(event, tuple(self._publish(svc, event, path, failure=failure)))]
            for other in others:
                fails = other in self.failures
                label = f"{other}: failure, compensation" if fails else f"{other} instead"
                branches.append(Branch(label, tuple(self._publish(
                    svc, other, path, failure=failure or fails))))
            steps.append(Block("alt", tuple(branches)))
        if conditioned:
            steps.extend(self._conditioned(svc, conditioned, path, failure=failure))
        return steps

    def _conditioned(self, svc: Service, emissions: Sequence[Emission],
                     path: tuple[tuple[str, str], ...], *, failure: bool) -> list[Step]:
        def branch(e: Emission) -> Branch:
            fails = failure or e.event in self.failures
            label = f"when {condition_text(e.when)}" + (
                ": failure, compensation" if fails and not failure else "")
            return Branch(label, tuple(self._publish(svc, e.event, path, failure=fails)))

        if len(emissions) > 1 and all_exclusive([e.when for e in emissions]):
            return [Block("alt", tuple(branch(e) for e in emissions))]
        return [Block("opt", (branch(e),)) for e in emissions]

    def _publish(self, svc: Service, event: str, path: tuple[tuple[str, str], ...], *,
                 failure: bool) -> list[Step]:
        me = self._service(svc.name)
        if self._spent():
            return [Note(me, f"publishes {event} (the rest of this flow is not drawn)")]
        steps: list[Step] = [Message(me, BUS_ID, event, "event")]
        for consumer, sub in self.consumers.get(event, ()):
            steps.extend(self._deliver(consumer, sub, path, failure=failure))
        return steps

    # ------------------------------------------------------------ what consuming does
    def _deliver(self, svc: Service, sub: Subscription, path: tuple[tuple[str, str], ...],
                 *, failure: bool) -> list[Step]:
        me = self._service(svc.name)
        steps: list[Step] = [Message(BUS_ID, me, sub.event, "event")]
        key = (sub.event, svc.name)
        if key in path:
            steps.append(Note(me, f"handles {sub.event} again: the flow loops"))
            return steps
        reaction = sub.reaction
        undoes = (failure if self.compensating is None
                  else (svc.name, sub.event) in self.compensating)
        prefix = "compensation: " if undoes else ""
        if reaction is None:
            action = sub.action or f"a handler written for {sub.event}"
            steps.append(Note(me, prefix + action))
            return steps
        effect = _reaction_effect(svc, sub, reaction)
        inner: list[Step] = [Note(me, prefix + effect)]
        if reaction.kind == "create":
            routes = waits_for(svc, reaction.model,
                               {k: str(v) for k, v in reaction.set.items()})
            if routes:
                inner.append(Note(me, f"waits for {' or '.join(routes)}"))
        inner.extend(self._emissions(svc, reaction.emissions, (*path, key), failure=failure,
                                     endpoint=False))
        timeout = sub.spec.on_timeout
        if timeout is not None and sub.spec.within is not None:
            label = f"no change within {sub.spec.within}: {timeout}, failure, compensation"
            inner.append(Block("opt", (Branch(label, tuple(self._publish(
                svc, timeout, (*path, key), failure=True))),)))
        if reaction.when:
            steps.append(Block("opt", (Branch(f"when {condition_text(reaction.when)}",
                                              tuple(inner)),)))
        else:
            steps.extend(inner)
        return steps

    def _spent(self) -> bool:
        self.steps += 1
        return self.steps > MAX_STEPS


def _alternatives(svc: Service, event: str) -> list[str]:
    """The events `svc`'s endpoints list with `event`, without conditions: the outcomes a
    handler may pick instead of it (`emits: [payment.completed, payment.failed]`)."""
    out: list[str] = []
    for ep in sorted(svc.endpoints, key=lambda e: (e.path, e.method)):
        plain = [e.event for e in ep.emissions if not e.when]
        if event in plain:
            out.extend(p for p in plain if p != event and p not in out)
    return out


def _endpoint_effect(svc: Service, ep: Endpoint) -> str:
    """What the endpoint's default behaviour does to its response model, in a few words."""
    model = ep.response.name if ep.response is not None else ""
    if model not in svc.models:
        return ""
    if endpoint_action(ep, svc)[0] == "create":
        starts = _initial_states(svc, model)
        return f"creates {model}" + (f" ({starts})" if starts else "")
    if ep.method in ("PUT", "PATCH"):
        return f"updates {model}" + _machine_note(svc, model, ep.route)
    return ""


def _reaction_effect(svc: Service, sub: Subscription, reaction: Reaction) -> str:
    action = f"{sub.action}: " if sub.action else ""
    sets = ", ".join(f"{k} {v}" for k, v in reaction.set.items()
                     if k not in _machine_fields(svc, reaction.model))
    if reaction.kind == "create":
        starts = ", ".join(f"{k} {v}" for k, v in reaction.set.items())
        return f"{action}creates {reaction.model}" + (f" ({starts})" if starts else "")
    moves = [f"{name} {_from_states(svc, reaction.model, name, str(value), sub.event)}"
             f"to {value}" for name, value in reaction.set.items()
             if name in _machine_fields(svc, reaction.model)]
    changes = ", ".join([*moves, *([sets] if sets else [])])
    return f"{action}updates {reaction.model}" + (f" ({changes})" if changes else "")


def _machine_fields(svc: Service, model: str) -> set[str]:
    found = svc.models.get(model)
    return {f.name for f in found.fields if f.machine is not None} if found else set()


def _initial_states(svc: Service, model: str) -> str:
    found = svc.models.get(model)
    return ", ".join(f"{f.name} {f.machine.initial}" for f in (found.fields if found else ())
                     if f.machine is not None)


def _from_states(svc: Service, model: str, field: str, target: str, cause: str) -> str:
    """`from a or b ` for the states the field may leave for `target` by `cause`; ''
    when it has no state machine."""
    found = svc.models.get(model)
    machine = next((f.machine for f in (found.fields if found else ())
                    if f.name == field), None)
    if machine is None:
        return ""
    sources = [src for src, targets in machine.transitions.items()
               if target in targets and (not targets[target] or cause in targets[target])]
    return f"from {' or '.join(sources)} " if sources else ""


def _machine_note(svc: Service, model: str, route: str) -> str:
    """For an endpoint that moves a state machine: the moves this route may make."""
    found = svc.models.get(model)
    parts: list[str] = []
    for f in found.fields if found else ():
        machine = f.machine
        if machine is None:
            continue
        moves = [f"{src} to {dst}" for src, targets in machine.transitions.items()
                 for dst, causes in targets.items() if not causes or route in causes]
        if moves:
            parts.append(f"{f.name}: {_join(moves)}")
    return f" ({'; '.join(parts)})" if parts else ""


def waits_for(svc: Service, model: str, states: Mapping[str, str]) -> list[str]:
    """The routes that alone can move a new `model` record on (from its states, field ->
    state): the flow stops here until someone calls one, which starts a flow of its own."""
    found = svc.models.get(model)
    routes: list[str] = []
    for f in found.fields if found else ():
        machine = f.machine
        state = states.get(f.name, machine.initial if machine else None)
        if machine is None or state is None:
            continue
        causes = [c for dst_causes in machine.transitions.get(state, {}).values()
                  for c in dst_causes]
        if causes and all(" /" in c for c in causes):
            routes.extend(c for c in causes if c not in routes)
    return routes


def _join(items: Iterable[str]) -> str:
    return ", ".join(items)

"""What to call on a running system: create requests, path parameters, the flow to follow.

Derived from the catalog alone, so the smoke and load tests work for any catalog:
the main flow is the chain of reactions (`consumes.<event>: {create|update, emits}`)
that a public POST sets off, as the generated default handlers run it, leaving out the
failure events steps name in `compensated_by`. Each of those starts a compensation
path: the same POST with a body that makes the failure happen, then the reactions
that undo the steps (compensations). Where that chain cannot show what matters (a
status set by a manual call), the catalog declares the flow under `smoke.steps`
(declared_actions).
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from archgen.model.conditions import passing_value
from archgen.model.examples import example
from archgen.model.failures import declared_failures
from archgen.model.names import snake
from archgen.model.resolved import Endpoint, ResolvedCatalog, Service
from archgen.model.tables import create_endpoint

_PARAM = re.compile(r"\{([^{}]+)\}")
STATUS = "status"  # the field a flow follows on the created resource
PLACEHOLDER = "dev"  # a path value where none is known (load test set-up, 5xx sweeps)


@dataclass(frozen=True)
class Call:
    service: str
    method: str
    path: str
    route: str
    body: Any = None

    def json_body(self) -> str | None:
        return None if self.body is None else json.dumps(self.body)


@dataclass(frozen=True)
class Action:
    """One step of a flow: a request that must succeed (`call`), or a GET polled until its
    answer shows what `until` asks (`wait`; no `until`: any non-empty answer).

    `path` is a template over the values the flow's answers gave (`{id}`: the created
    resource's id); `cause` says what should have made a wait come true, for its failure."""

    kind: str  # call | wait
    service: str
    method: str
    path: str
    name: str
    body: Any = None
    until: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    cause: str = ""


@dataclass(frozen=True)
class Stage:
    """One reaction of the chain: `service` consumes `event` and creates or updates `model`."""

    event: str
    service: str
    kind: str  # create | update
    model: str
    status: str | None  # the status it sets on the created resource itself
    values: Mapping[str, str]  # field of its record -> field of the created resource it holds
    sets: Mapping[str, Any] = field(default_factory=dict)  # its reaction's literal values
    trigger: Mapping[str, str] = field(default_factory=dict)  # carriers of the consumed event

    def describe(self) -> str:
        what = f"sets status {self.status!r}" if self.status else f"{self.kind}s a {self.model}"
        return f"{self.service} consuming {self.event} ({what})"


@dataclass(frozen=True)
class Flow:
    service: str
    create: Endpoint
    read: Endpoint | None  # GET <create path>/{id}
    stages: tuple[Stage, ...]  # in the order they happen (breadth first from the POST)

    @property
    def statuses(self) -> tuple[Stage, ...]:
        """The stages that move the created resource's status, first to last."""
        return tuple(s for s in self.stages if s.status)


def fill_path(path: str, values: Mapping[str, Any], placeholder: str | None = PLACEHOLDER
              ) -> str:
    """Path parameters from `values` (by name or snake_case name); `placeholder` when unknown,
    or KeyError naming the parameter when the placeholder is None."""
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name, values.get(snake(name)))
        if value is None:
            if placeholder is None:
                raise KeyError(name)
            return placeholder
        return str(value)
    return _PARAM.sub(one, path)


def create_call(service: Service) -> Call | None:
    """The request that creates one of the service's resources (model/tables.py decides
    which endpoint does, for the generated service too), with an example body."""
    ep = create_endpoint(service)
    if ep is None:
        return None
    body = example(ep.request, service.models) if ep.request is not None else None
    return Call(service.name, "POST", ep.path, ep.route, body)


def read_endpoint(service: Service, create: Endpoint) -> Endpoint | None:
    """`GET <create path>/{id}`: where a created resource is read back."""
    for ep in service.endpoints:
        if (ep.method == "GET" and len(ep.path_params) == 1
                and ep.path == f"{create.path}/{{{ep.path_params[0]}}}"):
            return ep
    return None


# ---------------------------------------------------------------- the derived flow
def derive_flow(catalog: ResolvedCatalog) -> Flow | None:
    """The public POST whose chain of reactions goes furthest: most status changes of the
    created resource, then most reactions, then most callers. None when no public POST
    creates a resource."""
    best: tuple[tuple[int, int, int], Flow] | None = None
    for svc in catalog.services.values():
        create = create_endpoint(svc)
        if create is None or not create.public or create.response is None:
            continue
        flow = Flow(svc.name, create, read_endpoint(svc, create), _chain(catalog, svc, create))
        rank = (len(flow.statuses), len(flow.stages), len(svc.downstream))
        if best is None or rank > best[0]:
            best = (rank, flow)
    return best[1] if best else None


def _chain(catalog: ResolvedCatalog, svc: Service, create: Endpoint) -> tuple[Stage, ...]:
    """The reactions the POST sets off, following which payload fields carry which of the
    created resource's fields (the generated `payload_for`: a field of the record by name,
    `<model>_id` for its key, else the triggering event's field)."""
    assert create.response is not None
    model = create.response.name
    if model not in svc.models or not create.emits:
        return ()
    fields = {f.name for f in svc.models[model].fields}
    # The default handler of an endpoint emits its first event (the others are alternatives).
    first = create.emits[0]
    start = (first, _carried(catalog, first, model, fields, {f: f for f in fields}, {}))
    return _follow(catalog, svc, model, [start], skip=declared_failures(catalog))


def _follow(catalog: ResolvedCatalog, svc: Service, model: str,
            start: list[tuple[str, dict[str, str]]], skip: set[str]) -> tuple[Stage, ...]:
    """The reactions the `start` events set off, breadth first, not following `skip`."""
    fields = {f.name for f in svc.models[model].fields}
    queue = deque(start)
    seen: set[tuple[str, str]] = set()
    stages: list[Stage] = []
    while queue:
        event, carriers = queue.popleft()
        for consumer in catalog.services.values():
            for sub in consumer.consumes:
                reaction = sub.reaction
                if (sub.event != event or reaction is None or (event, consumer.name) in seen
                        or reaction.model not in consumer.models):
                    continue
                own = (consumer.name == svc.name and reaction.kind == "update"
                       and reaction.model == model
                       and carriers.get(reaction.match.get("id", "")) == "id")
                values = ({f: f for f in fields} if own
                          else {m: carriers[p] for m, p in (*reaction.match.items(),
                                                            *reaction.copy.items())
                                if p in carriers})
                if reaction.kind == "update" and not own and not any(
                        p in carriers for p in reaction.match.values()):
                    continue  # it would look for a record this flow did not make
                seen.add((event, consumer.name))
                for name in reaction.set:
                    values.pop(name, None)
                status = reaction.set.get(STATUS) if own else None
                stages.append(Stage(event, consumer.name, reaction.kind, reaction.model,
                                    None if status is None else str(status), values,
                                    dict(reaction.set), carriers))
                record = {f.name for f in consumer.models[reaction.model].fields}
                for emitted in reaction.emits:
                    if emitted in skip:
                        continue
                    queue.append((emitted, _carried(catalog, emitted, reaction.model, record,
                                                    values, carriers)))
    return tuple(stages)


def _carried(catalog: ResolvedCatalog, event: str, model: str, record: set[str],
             values: Mapping[str, str], trigger: Mapping[str, str]) -> dict[str, str]:
    """Payload field -> the created resource's field it carries, for `event` emitted after a
    change to a `model` record whose fields `values` maps."""
    out = {}
    own_id = snake(model) + "_id"
    for name in catalog.payload_of(event) or {}:
        if name in record:
            source = values.get(name)
        elif name == own_id:
            source = values.get("id")
        else:
            source = trigger.get(name)
        if source is not None:
            out[name] = source
    return out


def flow_actions(catalog: ResolvedCatalog, flow: Flow) -> list[Action]:
    """The derived flow as steps: create, follow each status the chain sets (a later one
    counts too: polling may miss a short-lived one), then each service that made a record
    of it shows it through a GET its path parameters can be filled for."""
    svc = catalog.services[flow.service]
    call = create_call(svc)
    assert call is not None
    actions = [Action("call", svc.name, "POST", call.path, f"{call.route} ({svc.name})",
                      call.body)]
    statuses = flow.statuses
    if flow.read is not None:
        read_path = _param_as(flow.read.path, flow.read.path_params[0], "id")
        for i, stage in enumerate(statuses):
            later = tuple(dict.fromkeys(s.status for s in statuses[i:]))
            actions.append(Action("wait", svc.name, "GET", read_path,
                                  f"follow until status is {stage.status!r} "
                                  f"({stage.service} on {stage.event})",
                                  until={STATUS: later}, cause=stage.describe()))
        if not statuses:
            actions.append(Action("wait", svc.name, "GET", read_path,
                                  f"read it back ({flow.read.route})",
                                  cause=f"{svc.name} storing what its POST answered"))
    for stage in flow.stages:
        if stage.kind != "create" or stage.service == flow.service:
            continue
        read = _follower_read(catalog.services[stage.service], stage)
        if read is not None:
            route, path = read
            actions.append(Action("wait", stage.service, "GET", path,
                                  f"{stage.service} shows it ({route})",
                                  cause=stage.describe()))
    return actions


def _follower_read(svc: Service, stage: Stage) -> tuple[str, str] | None:
    """A GET whose path parameters are all fields of the stage's record that hold a field of
    the created resource: (its route, its path over the created resource's fields)."""
    for ep in svc.endpoints:
        if ep.method != "GET" or not ep.path_params:
            continue
        if all(snake(p) in stage.values for p in ep.path_params):
            path = ep.path
            for p in ep.path_params:
                path = _param_as(path, p, stage.values[snake(p)])
            return ep.route, path
    return None


def _param_as(path: str, param: str, name: str) -> str:
    return path.replace(f"{{{param}}}", f"{{{name}}}")


# ---------------------------------------------------------------- compensation paths
@dataclass(frozen=True)
class Compensation:
    """A failure path of the flow: `event`, emitted by `failing` when its condition holds,
    undoes the steps that name it (and the events their compensations emit, theirs)."""

    event: str
    failing: Stage
    body: Any  # the flow's POST body that makes the failure happen; None: see `why_not`
    why_not: str
    stages: tuple[Stage, ...]  # the reactions the failure sets off: the compensations


def compensations(catalog: ResolvedCatalog, flow: Flow) -> list[Compensation]:
    """Each failure event a reaction of the flow emits on a condition, with the body that
    makes the condition hold (a field of the POST the failing record holds, set to pass it)."""
    svc = catalog.services[flow.service]
    call = create_call(svc)
    assert flow.create.response is not None and call is not None
    model = flow.create.response.name
    failures = declared_failures(catalog)
    out: list[Compensation] = []
    for stage in flow.stages:
        reaction = _reaction(catalog, stage)
        if reaction is None:
            continue
        for emission in reaction.emissions:
            if emission.event not in failures or any(c.event == emission.event for c in out):
                continue
            body, why_not = _failing_body(call.body, emission.when, stage,
                                          _request_fields(svc, flow.create))
            record = {f.name for f in catalog.services[stage.service].models[stage.model].fields}
            start = (emission.event, _carried(catalog, emission.event, stage.model, record,
                                              stage.values, stage.trigger))
            out.append(Compensation(emission.event, stage, body, why_not,
                                    _follow(catalog, svc, model, [start], skip=set())))
    return out


def _reaction(catalog: ResolvedCatalog, stage: Stage) -> Any:
    for sub in catalog.services[stage.service].consumes:
        if sub.event == stage.event:
            return sub.reaction
    return None


def _request_fields(svc: Service, create: Endpoint) -> dict[str, Any]:
    """The POST body's fields (an optional one too) with an example value each."""
    ref = create.request
    model = svc.models.get(ref.name) if ref is not None and ref.kind == "model" else None
    return {f.name: example(f.type, svc.models) for f in (model.fields if model else ())}


def _failing_body(body: Any, when: Mapping[str, Mapping[str, Any]], stage: Stage,
                  fields: Mapping[str, Any]) -> tuple[Any, str]:
    if not when:
        return None, "it is emitted with no condition: no request makes it happen alone"
    if not isinstance(body, dict):
        return None, "the POST takes no object to set a field of"
    out = dict(body)
    for name, comparison in when.items():
        source = stage.values.get(name)
        if source is None or source not in fields:
            return None, (f"{stage.model}.{name} does not come from a field of the POST "
                          "(nothing the request can set makes the condition hold)")
        value = passing_value(comparison, out.get(source, fields[source]))
        if value is None:
            return None, f"no value of {source} is known to pass {dict(comparison)}"
        out[source] = value
    return out, ""


def compensation_actions(catalog: ResolvedCatalog, flow: Flow, comp: Compensation
                         ) -> list[Action]:
    """The failure path as steps: the POST with the failing body, follow the created
    resource to the status its compensation sets, then each record a step of the flow made
    shows what the compensation undoing it sets (stock `released`)."""
    svc = catalog.services[flow.service]
    actions = [Action("call", svc.name, "POST", flow.create.path,
                      f"{flow.create.route} ({svc.name}) so that {comp.event} follows",
                      comp.body)]
    statuses = [s for s in comp.stages if s.status]
    if flow.read is not None:
        read_path = _param_as(flow.read.path, flow.read.path_params[0], "id")
        for i, stage in enumerate(statuses):
            later = tuple(dict.fromkeys(s.status for s in statuses[i:]))
            actions.append(Action("wait", svc.name, "GET", read_path,
                                  f"follow until status is {stage.status!r} "
                                  f"({stage.service} on {stage.event})",
                                  until={STATUS: later}, cause=stage.describe()))
    for undo in comp.stages:
        made = next((s for s in flow.stages if s.service == undo.service
                     and s.model == undo.model and s.kind == "create"), None)
        if made is None or undo.kind != "update" or not undo.sets:
            continue
        read = _follower_read(catalog.services[undo.service], made)
        if read is not None:
            route, path = read
            shows = ", ".join(f"{k} {v!r}" for k, v in undo.sets.items())
            actions.append(Action("wait", undo.service, "GET", path,
                                  f"{undo.service} undoes it: {shows} ({route})",
                                  until={k: (v,) for k, v in undo.sets.items()},
                                  cause=undo.describe()))
    return actions


# ---------------------------------------------------------------- the declared flow
class FlowError(Exception):
    """The catalog's `smoke.steps` name something the catalog does not have; one line."""


def declared_actions(catalog: ResolvedCatalog) -> list[Action] | None:
    """The catalog's `smoke.steps` as steps; None when it declares none."""
    smoke = catalog.spec.smoke
    if smoke is None or not smoke.steps:
        return None
    actions = []
    for i, step in enumerate(smoke.steps):
        text = step.call or step.wait
        assert text is not None  # the model takes one of the two
        name, method, path = text.split(" ", 2)
        svc = catalog.services.get(name)
        ep = next((e for e in svc.endpoints if e.method == method and e.path == path),
                  None) if svc else None
        if svc is None or ep is None:
            what = f"no service {name!r}" if svc is None else f"{name} has no {method} {path}"
            raise FlowError(f"smoke.steps[{i}]: {what}")
        before = f"smoke.steps[{i - 1}]" if i else "the start"
        if step.call is not None:
            body = step.body
            if body is None and ep.request is not None:
                body = example(ep.request, svc.models)
            actions.append(Action("call", name, method, path, f"{ep.route} ({name})", body,
                                  cause=before))
        else:
            until = {k: (v,) for k, v in step.until.items()}
            shows = ", ".join(f"{k} {v!r}" for k, v in step.until.items()) or "it"
            actions.append(Action("wait", name, method, path, f"{name} shows {shows} "
                                  f"({ep.route})", until=until,
                                  cause=f"what {before} should lead to"))
    return actions


# ---------------------------------------------------------------- what smoke checks without one
def requires_token(catalog: ResolvedCatalog) -> bool:
    """Whether the local gateway asks every request for a token: it verifies JWTs only."""
    gateway = catalog.gateway
    return gateway is not None and gateway.auth is not None and gateway.auth.type == "jwt"


def token_probe(catalog: ResolvedCatalog) -> tuple[Service, Endpoint] | None:
    """A public GET the gateway guards, to send without a token and expect a 401; one without
    path parameters first. None when the gateway guards none (its auth is not a JWT)."""
    if not requires_token(catalog):
        return None
    reads = [(s, e) for s, e in catalog.public_endpoints() if e.method == "GET"]
    reads.sort(key=lambda se: (len(se[1].path_params), se[1].path))
    return reads[0] if reads else None


def public_reads(catalog: ResolvedCatalog) -> list[tuple[Service, Endpoint]]:
    """Every public GET, by path (what a smoke test without a flow sweeps for 5xx)."""
    reads = [(s, e) for s, e in catalog.public_endpoints() if e.method == "GET"]
    return sorted(reads, key=lambda se: (se[1].path, se[0].name))

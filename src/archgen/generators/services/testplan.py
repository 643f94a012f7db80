"""What a service's generated tests check, computed from the catalog: plain data the test
templates place (templates/services/tests/).

- endpoint cases: a create with an example body, the read, update and list of instances
  put in the store first, what a 404 and a 422 need;
- reaction cases: an example payload of each consumed event, the record it finds, the
  record and the events the catalog says follow;
- contracts: each callee's OpenAPI document with an example answer per operation, which the
  caller's client is run against.
Example values come from archgen.model.examples (stable uuids: the output is the same
from one run to the next).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from archgen.generators.openapi import service_document
from archgen.generators.services.ir import EndpointIR, ReactionIR, ServiceIR, StoredIR
from archgen.model.conditions import condition_holds
from archgen.model.deployment import Deployment
from archgen.model.examples import STABLE_UUID, example, example_field, example_fields
from archgen.model.names import snake
from archgen.model.resolved import Endpoint, Field, Model, ResolvedCatalog, Service
from archgen.model.tables import response_model

# A second key or filter value, distinct from the example's: a record the test must not see.
OTHER_UUID = "9b2d7f3e-1c4a-4e8b-a6d5-0f1e2d3c4b5a"
# Python source of an example path argument of a client call, by its Python type.
_ARGUMENTS = {"UUID": f"UUID({STABLE_UUID!r})", "int": "1", "float": "1.5", "bool": "True",
              "date": "date(2026, 1, 1)", "datetime": "datetime(2026, 1, 1)"}


@dataclass(frozen=True)
class Seed:
    """A record put into the store before the test: under `key`, with these fields."""

    model: str
    key: str
    record: dict[str, Any]


@dataclass
class EndpointCase:
    name: str  # the endpoint's handler name
    action: str
    method: str
    path: str
    status: int
    param: str = ""  # the path parameter the test fills ({param} in path)
    value: Any = None  # what it fills it with
    body: Any = None
    invalid_body: Any = None  # a body the request model refuses
    read_path: str = ""  # the read endpoint of the model, if it is read by its key
    read_param: str = ""
    key: str = ""  # the model's key field
    seeds: list[Seed] = field(default_factory=list)
    missing: str = ""  # a key no instance has


@dataclass
class ReactionCase:
    event: str
    kind: str  # create | update | none (the event changes nothing)
    model: str
    payload: dict[str, Any]
    seed: Seed | None
    lookup: tuple[str, Any] | None  # (field, value) that finds the created record
    expected: dict[str, Any]  # fields of the record after the reaction
    emits: list[str]


@dataclass(frozen=True)
class ContractCall:
    callee: str
    client: str  # the client's class in clients.py
    method: str
    arguments: str  # Python source of the call's arguments
    operation: str  # "GET /path/{param}" as the callee's document names it


def endpoint_cases(svc: Service, ir: ServiceIR) -> list[EndpointCase]:
    stored = {s.name: s for s in ir.stored}
    reads = {e.model: e for e in ir.endpoints
             if e.action == "read" and e.model in stored and len(e.params) == 1
             and snake(e.params[0][2]) == stored[e.model].key}
    out = []
    for ep, resolved in zip(ir.endpoints, svc.endpoints, strict=True):
        s = stored.get(ep.model or "")
        if s is None:
            continue
        case = _endpoint_case(svc, ep, resolved, s, reads.get(s.name))
        if case is not None:
            out.append(case)
    return out


def _endpoint_case(svc: Service, ep: EndpointIR, resolved: Endpoint, s: StoredIR,
                   read: EndpointIR | None) -> EndpointCase | None:
    model = svc.models[s.name]
    case = EndpointCase(ep.name, ep.action, ep.method, ep.path, ep.status, key=s.key)
    if read is not None:
        case.read_path, case.read_param = read.path, read.params[0][2]
    request = resolved.request
    request_model = (svc.models.get(request.name) if request is not None
                     and request.kind == "model" else None)
    if request is not None:
        case.body = example(request, svc.models, stable=True)
        required = request_model is not None and any(f.required and f.spec.default is None
                                                     for f in request_model.fields)
        case.invalid_body = {} if required else []
    key_field = _field(model, s.key)
    if ep.action == "create":
        return case if not ep.params and request is not None else None
    if len(ep.params) != 1:
        return None
    case.param = ep.params[0][2]
    if ep.action == "list":
        return _list_case(case, svc, model, s, ep) if key_field else None
    if key_field is None or snake(case.param) != s.key:
        return None
    case.value = _value(key_field, svc)
    case.missing = _other(key_field, case.value)
    record = _record(svc, model, s, case.value)
    if ep.action == "read":
        case.seeds = [Seed(s.name, str(case.value), record)]
    elif ep.action in ("update", "upsert"):
        if ep.action == "update":
            case.seeds = [Seed(s.name, str(case.value), record)]
        if isinstance(case.body, dict):
            case.body = _moved(svc, s.name, record, case.body, resolved.route,
                               request_model)
    else:
        return None
    return case


def _list_case(case: EndpointCase, svc: Service, model: Model, s: StoredIR,
               ep: EndpointIR) -> EndpointCase | None:
    """Two records, one under the filter value and one under another: the list shows one."""
    if ep.filter_field is None:
        return None
    filter_field = _field(model, ep.filter_field)
    key_field = _field(model, s.key)
    if filter_field is None or key_field is None:
        return None
    value = _value(filter_field, svc)
    keys = (_value(key_field, svc), _other(key_field, _value(key_field, svc)))
    if keys[0] == keys[1]:
        return None
    case.value = value
    case.seeds = [Seed(s.name, str(k), {**_record(svc, model, s, k), ep.filter_field: v})
                  for k, v in zip(keys, (value, _other(filter_field, value)), strict=True)]
    return case


def reaction_cases(catalog: ResolvedCatalog, svc: Service, ir: ServiceIR) -> list[ReactionCase]:
    stored = {s.name: s for s in ir.stored}
    reactions = {r.event: r for r in ir.reactions}
    out = []
    for event in ir.consumes:
        payload = _payload(catalog, event.name)
        reaction = reactions.get(event.name)
        if reaction is None or reaction.model not in stored:
            out.append(ReactionCase(event.name, "none", "", payload, None, None, {}, []))
            continue
        out.append(_reaction_case(svc, reaction, stored[reaction.model], payload))
    return out


def _reaction_case(svc: Service, r: ReactionIR, s: StoredIR, payload: dict[str, Any]
                   ) -> ReactionCase:
    model = svc.models[r.model]
    changes = {**{f: payload.get(src) for f, src in r.copy.items()}, **r.set}
    applies = condition_holds(r.when, payload)
    seed = None
    lookup = None
    before: dict[str, Any] = {}
    if r.kind == "update":
        key_field = _field(model, s.key)
        key = payload.get(r.match[s.key]) if s.key in r.match else (
            _value(key_field, svc) if key_field else "1")
        before = _record(svc, model, s, key)
        before.update({f: payload.get(src) for f, src in r.match.items()})
        before = _before(svc, r.model, before, changes, r.event)
        seed = Seed(r.model, str(before[s.key]), before)
    else:
        named = next(iter(r.copy.items()), None)
        if named is not None:
            lookup = (named[0], payload.get(named[1]))
        elif r.set:
            lookup = next(iter(r.set.items()))
    after = {**before, **changes}
    seen = {**payload, **after}
    emits = [event for event, when in r.emits
             if condition_holds(when, seen)]
    if not applies:
        return ReactionCase(r.event, r.kind, r.model, payload, seed, None,
                            dict(before) if seed else {}, [])
    return ReactionCase(r.event, r.kind, r.model, payload, seed, lookup, changes, emits)


def contract_calls(catalog: ResolvedCatalog, ir: ServiceIR) -> list[ContractCall]:
    out = []
    for upstream in ir.upstreams:
        callee = catalog.services[upstream.service]
        for call in upstream.calls:
            arguments = ", ".join(_ARGUMENTS.get(typ, repr("EUR")) for _, typ in call.params)
            # clients.py names path parameters the Python way: the callee's own template
            path = next((ep.path for ep in callee.endpoints
                         if ep.method == "GET" and _shape(ep.path) == _shape(call.path)),
                        call.path)
            out.append(ContractCall(upstream.service, upstream.cls, call.name, arguments,
                                    f"GET {path}"))
    return out


def contracts(catalog: ResolvedCatalog, deployment: Deployment, ir: ServiceIR
              ) -> dict[str, dict[str, Any]]:
    """Callee -> its OpenAPI document as recorded for the caller: what archgen emits for it,
    with an example answer for each read the caller's client makes."""
    out: dict[str, dict[str, Any]] = {}
    for upstream in ir.upstreams:
        callee = catalog.services[upstream.service]
        document = copy.deepcopy(service_document(
            catalog, callee, deployment.services[upstream.service].url))
        for ep in callee.endpoints:
            model, _ = response_model(ep, callee)
            if ep.method != "GET" or model is None or ep.response is None:
                continue
            operation = document["paths"][ep.path]["get"]
            for status, response in operation.get("responses", {}).items():
                media = response.get("content", {}).get("application/json")
                if str(status).startswith("2") and media is not None:
                    media["example"] = example(ep.response, callee.models, stable=True)
        out[upstream.service] = document
    return out


def _shape(path: str) -> str:
    return re.sub(r"{[^}]+}", "{}", path)


def _payload(catalog: ResolvedCatalog, event: str) -> dict[str, Any]:
    """An example payload of `event` as the consumer reads it: another service's models
    in it are plain objects to the consumer (and its tests do not change with them)."""
    fields: Mapping[str, Field] = catalog.payload_of(event) or {}
    return example_fields(fields.values(), {}, stable=True)


def _field(model: Model, name: str) -> Field | None:
    return next((f for f in model.fields if f.name == name), None)


def _value(f: Field | None, svc: Service) -> Any:
    if f is None:
        return STABLE_UUID
    return example_field(f, svc.models, stable=True)


def _other(f: Field, value: Any) -> Any:
    """A value of `f` other than `value` (the same when the field allows no other)."""
    if f.type.kind == "scalar" and f.type.name == "uuid":
        return OTHER_UUID
    if f.type.kind == "scalar" and f.type.name == "int" and isinstance(value, int):
        return value + 1
    if f.spec.enum:
        return next((v for v in f.spec.enum if v != value), value)
    if f.type.kind == "scalar" and f.type.name == "str" and not f.spec.pattern and (
            f.spec.max_length is None or len(str(value)) + 2 <= f.spec.max_length):
        return f"{value}-2"
    return value


def _record(svc: Service, model: Model, s: StoredIR, key: Any) -> dict[str, Any]:
    """An instance of `model` under `key`, its state fields in their initial states."""
    record = example_fields(model.fields, svc.models, stable=True)
    record[s.key] = key
    for f in model.fields:
        if f.machine is not None:
            record[f.name] = _state(f, f.machine.initial)
    return record


def _state(f: Field, name: str) -> Any:
    """A state as the field's enum spells it."""
    return next((v for v in f.spec.enum or () if str(v) == name), name)


def _moved(svc: Service, model: str, record: dict[str, Any], body: dict[str, Any],
           cause: str, request_model: Model | None) -> dict[str, Any]:
    """The body with each state field set to a state `cause` may move the record to."""
    out = dict(body)
    for f in svc.models[model].fields:
        machine = f.machine
        if machine is None or f.name not in out:
            continue
        current = str(record.get(f.name, machine.initial))
        targets = [to for to, causes in machine.transitions.get(current, {}).items()
                   if not causes or cause in causes]
        request = _field(request_model, f.name) if request_model is not None else None
        allowed = [t for t in targets if request is None or not request.spec.enum
                   or t in {str(v) for v in request.spec.enum}]
        if allowed:
            out[f.name] = _state(request or f, allowed[0])
    return out


def _before(svc: Service, model: str, record: dict[str, Any], changes: dict[str, Any],
            cause: str) -> dict[str, Any]:
    """The record with each state field the reaction sets in a state `cause` may leave for
    the one it sets (the initial state when it may, else the first that may)."""
    out = dict(record)
    for f in svc.models[model].fields:
        machine = f.machine
        if machine is None or f.name not in changes:
            continue
        target = str(changes[f.name])
        sources = [src for src, targets in machine.transitions.items()
                   if target in targets and (not targets[target] or cause in targets[target])]
        if sources:
            start = machine.initial if machine.initial in sources else sources[0]
            out[f.name] = _state(f, start)
    return out


def endpoint_uses(cases: list[EndpointCase]) -> list[str]:
    """What test_endpoints.py uses of the kit's test support (ruff: no unused import)."""
    uses = {"run", "seed"} if any(c.seeds for c in cases) else set()
    if any(c.action in ("read", "update", "upsert") or isinstance(c.body, dict)
           for c in cases):
        uses.add("differences")
    return sorted(uses)


def reaction_uses(cases: list[ReactionCase]) -> list[str]:
    """What test_reactions.py uses of the kit's test support."""
    uses = {"InMemoryBroker", "run"}
    for case in cases:
        if case.seed is not None:
            uses |= {"seed", "stored", "differences"} if case.kind == "update" else {"seed"}
        if case.kind == "create" and case.lookup is not None:
            uses |= {"found", "differences"}
    return sorted(uses)

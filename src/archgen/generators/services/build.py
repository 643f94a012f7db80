"""Build a ServiceIR from the resolved catalog and the deployment model."""

from __future__ import annotations

from typing import Any

from archgen.generators.common import pascal
from archgen.generators.openapi_ops import make_operation_ids_unique, operation_id
from archgen.generators.schemas import reachable_models
from archgen.generators.services.ir import (
    DEFAULT_ASYNC_RETRY,
    MODULE_NAMES,
    CallIR,
    DeadlineIR,
    EndpointIR,
    EventIR,
    MachineIR,
    ModelIR,
    ReactionIR,
    ServiceIR,
    StoredIR,
    UpstreamIR,
    class_names,
    fields_ir,
    fill_of,
    key_of,
    model_ir,
    param_type,
    python_names,
)
from archgen.model.bodylimit import request_body_limit
from archgen.model.deployment import Deployment, Upstream
from archgen.model.names import snake
from archgen.model.resolved import (
    Condition,
    Emission,
    Field,
    ResolvedCatalog,
    Service,
    duration_seconds,
)
from archgen.model.tables import endpoint_action, response_model


def service_ir(catalog: ResolvedCatalog, deployment: Deployment, name: str) -> ServiceIR:
    svc = catalog.services[name]
    dep = deployment.services[name]
    known = frozenset(svc.models)
    # Python class names: the catalog's where Python allows them (`Field` -> `Field_`),
    # then the event payloads' (`OrderCreatedEvent`), all distinct in models.py.
    events = [*(p.event for p in svc.publishes), *(s.event for s in svc.consumes)]
    classes = class_names({m: m for m in sorted(svc.models)})
    event_classes = class_names({e: pascal(e) + "Event" for e in events},
                                MODULE_NAMES | set(classes.values()))
    module = MODULE_NAMES | set(classes.values()) | set(event_classes.values())
    handlers = handler_names(svc)
    endpoints = tuple(_endpoint(svc, ep, classes, handlers[ep.route]) for ep in svc.endpoints)
    reactions = tuple(ReactionIR(s.event, s.reaction.kind, s.reaction.model,
                                 dict(s.reaction.match), dict(s.reaction.copy),
                                 dict(s.reaction.set), _emits(s.reaction.emissions),
                                 _plain(s.reaction.when))
                      for s in svc.consumes
                      if s.reaction is not None and s.reaction.model in svc.models)
    attempts, base_ms = _async_retry(catalog)
    stored = _stored(svc, endpoints, reactions, classes)
    upstream_classes = _upstream_classes(catalog, [u.service for u in dep.upstreams])
    return ServiceIR(
        name=name, system=catalog.system.name, package=dep.package, deployment=dep,
        store_kind=dep.store.kind if dep.store else "memory",
        models=tuple(model_ir(svc.models[m], classes, module) for m in _model_order(svc)),
        stored=stored, endpoints=endpoints,
        publishes=tuple(_event(catalog, deployment, p.event, p.payload, known,
                               event_classes[p.event], classes, module)
                        for p in svc.publishes),
        consumes=tuple(_event(catalog, deployment, s.event,
                              tuple((catalog.payload_of(s.event) or {}).values()), frozenset(),
                              event_classes[s.event], classes, module)
                       for s in svc.consumes),
        reactions=reactions, machines=_machines(svc, stored), deadlines=_deadlines(svc),
        retry_attempts=attempts, retry_base_ms=base_ms,
        upstreams=tuple(_upstream(catalog, u, upstream_classes) for u in dep.upstreams),
        other_packages=tuple(sorted(d.package for n, d in deployment.services.items()
                                    if n != name)),
        description=svc.spec.description or "",
    )


def _plain(condition: Condition) -> Condition:
    return {name: dict(comparison) for name, comparison in condition.items()}


def _emits(emissions: tuple[Emission, ...], first_plain_only: bool = False
           ) -> tuple[tuple[str, Condition], ...]:
    """(event, condition) pairs. An endpoint's unconditioned entries are alternatives a
    handler picks from: the default behaviour emits the first (and every conditioned one)."""
    out = []
    plain_seen = False
    for e in emissions:
        if not e.when and first_plain_only:
            if plain_seen:
                continue
            plain_seen = True
        out.append((e.event, _plain(e.when)))
    return tuple(out)


def _deadlines(svc: Service) -> tuple[DeadlineIR, ...]:
    out = []
    for sub in svc.consumes:
        within = duration_seconds(sub.spec.within)
        if sub.reaction is None or within is None or sub.spec.on_timeout is None:
            continue
        model = svc.models.get(sub.reaction.model)
        field = next((f.name for f in model.fields if f.machine is not None), None
                     ) if model else None
        out.append(DeadlineIR(sub.event, sub.reaction.model, field, within,
                              sub.spec.on_timeout))
    return tuple(out)


def _machines(svc: Service, stored: tuple[StoredIR, ...]) -> dict[str, dict[str, MachineIR]]:
    out: dict[str, dict[str, MachineIR]] = {}
    for s in stored:
        for f in svc.models[s.name].fields:
            machine = f.machine
            if machine is not None:
                out.setdefault(s.name, {})[f.name] = MachineIR(
                    machine.initial, machine.final,
                    {src: dict(targets) for src, targets in machine.transitions.items()})
    return out


def _model_order(svc: Service) -> list[str]:
    """Models with the models they use first, so classes are defined before use."""
    done: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in done or name in path or name not in svc.models:
            return
        for ref in svc.models[name].model_refs():
            visit(ref, (*path, name))
        done.append(name)

    for name in sorted(svc.models):
        visit(name, ())
    return done


# What a route function of routes.py uses besides its path parameters.
ROUTE_NAMES = frozenset({
    "APIRouter", "Annotated", "Any", "BaseModel", "HTTPException", "JSONResponse", "Path",
    "Request", "Response", "TEAM", "UUID", "annotations", "body", "bool", "custom", "date",
    "datetime", "implement",
    "SPEC", "defaults", "float", "handlers", "int", "limited_route", "models", "request",
    "result", "router", "store", "str", "limit", "cursor", "after", "paging"})
# What a typed client method of clients.py uses besides its path parameters.
CLIENT_NAMES = frozenset({"data", "item", "self", "template", "UUID", "bool", "date",
                          "datetime", "float", "int", "list", "str"})


def handler_names(svc: Service) -> dict[str, str]:
    """Route -> its handler's name: the snake operationId of the OpenAPI document, which
    is unique (`/order-items` and `/order/items` both read OrderItems: one gets a 2)."""
    paths: dict[str, dict[str, Any]] = {}
    for ep in svc.endpoints:
        paths.setdefault(ep.path, {})[ep.method.lower()] = {
            "operationId": operation_id(ep.method, ep.path)}
    make_operation_ids_unique(paths)
    return {ep.route: snake(paths[ep.path][ep.method.lower()]["operationId"])
            for ep in svc.endpoints}


def _endpoint(svc: Service, ep: object, classes: dict[str, str], handler: str) -> EndpointIR:
    from archgen.model.resolved import Endpoint

    assert isinstance(ep, Endpoint)
    act, model = endpoint_action(ep, svc)
    many = response_model(ep, svc)[1]
    request = ep.request.name if ep.request is not None and ep.request.kind == "model" else None
    filter_field = None
    if act == "list" and ep.path_params and model is not None:
        wanted = snake(ep.path_params[-1])
        if wanted in {f.name for f in svc.models[model].fields}:
            filter_field = wanted
    names = python_names(ep.path_params, ROUTE_NAMES)
    answer = f"models.{classes[model]}" if model is not None else None
    return EndpointIR(
        name=handler, method=ep.method, path=ep.path, status=ep.status,
        params=tuple((names[p], param_type(svc, ep, p), p) for p in ep.path_params),
        request=classes[request] if request is not None and request in svc.models else None,
        action=act, model=model, filter_field=filter_field,
        emits=_emits(ep.emissions, first_plain_only=True),
        body_limit=request_body_limit(ep.request, svc.models),
        response=f"list[{answer}]" if many and answer else answer,
        item=answer if many else None)


def _stored(svc: Service, endpoints: tuple[EndpointIR, ...],
            reactions: tuple[ReactionIR, ...], classes: dict[str, str]) -> tuple[StoredIR, ...]:
    names = sorted({e.model for e in endpoints if e.model and e.action != "none"}
                   | {r.model for r in reactions})
    out = []
    for name in names:
        model = svc.models[name]
        eps = [ep for ep in svc.endpoints if response_model(ep, svc)[0] == name]
        indexes = {e.filter_field for e in endpoints if e.model == name and e.filter_field}
        indexes |= {f for r in reactions if r.model == name for f in r.match}
        key = key_of(model, eps)
        fill = fill_of(model.fields)
        for f in model.fields:
            machine = f.machine
            if machine is not None and f.spec.default is None and f.required:
                # A new instance starts in its initial state (as the enum spells it).
                fill[f.name] = next((v for v in f.spec.enum or () if str(v) == machine.initial),
                                    machine.initial)
        out.append(StoredIR(name, classes[name], key, tuple(sorted(indexes - {key})), fill))
    return tuple(out)


def _event(catalog: ResolvedCatalog, deployment: Deployment, event: str,
           payload: tuple[Field, ...], known: frozenset[str], cls: str,
           classes: dict[str, str], module: frozenset[str]) -> EventIR:
    topic = next((t for t in deployment.topics.values() if event in t.events), None)
    return EventIR(
        name=event, cls=cls, topic=topic.name if topic else event,
        key=topic.key if topic else None,
        dead_letter=topic.dead_letter_topic if topic else None,
        fields=fields_ir(payload, module, known, classes), fill=fill_of(payload))


def _async_retry(catalog: ResolvedCatalog) -> tuple[int, int]:
    comm = catalog.communication
    policy = comm.async_.retries if comm and comm.async_ else None
    attempts = policy.max_attempts if policy and policy.max_attempts else DEFAULT_ASYNC_RETRY[0]
    base = policy.base_ms if policy and policy.base_ms is not None else DEFAULT_ASYNC_RETRY[1]
    return attempts, base


# UpstreamClient's own methods (clients.py): a typed call must not override them.
CLIENT_METHODS = frozenset({"aclose", "get_json", "request"})
# What clients.py defines and imports at module level (callees' models must not shadow it).
CLIENTS_MODULE = MODULE_NAMES | {"AsyncCircuitBreakerFactory", "CALLER", "UpstreamClient",
                                 "expand_path", "kit", "upstream_clients"}


def _upstream_classes(catalog: ResolvedCatalog, targets: list[str]) -> dict[str, dict[str, str]]:
    """Callee -> {its model or "" for its client: the Python class in clients.py}, all distinct
    there (`CustomerServiceCustomer`; the client `CustomerServiceClient` keeps its name)."""
    clients = class_names({t: pascal(t) + "Client" for t in targets}, CLIENTS_MODULE)
    models = class_names({(t, m): pascal(t) + m for t in targets
                          for m in sorted(catalog.services[t].models)},
                         CLIENTS_MODULE | set(clients.values()))
    out: dict[str, dict[str, str]] = {t: {"": clients[t]} for t in targets}
    for (target, model), cls in models.items():
        out[target][model] = cls
    return out


def _calls(callee: Service, classes: dict[str, str], module: frozenset[str]
           ) -> tuple[tuple[CallIR, ...], tuple[ModelIR, ...]]:
    """Typed clients for the callee's GET endpoints that answer one of its models."""
    calls = []
    handlers = handler_names(callee)
    for ep in callee.endpoints:
        model, many = response_model(ep, callee)
        if ep.method != "GET" or model is None:
            continue
        cls = classes[model]
        returns = f"list[{cls}]" if many else cls
        names = python_names(ep.path_params, CLIENT_NAMES | module)
        path = ep.path
        for param, name in names.items():
            path = path.replace("{" + param + "}", "{" + name + "}")
        method = handlers[ep.route]
        while method in CLIENT_METHODS:
            method += "_"
        calls.append(CallIR(method, path,
                            tuple((names[p], param_type(callee, ep, p)) for p in ep.path_params),
                            returns, cls, many))
    roots = [ep.response for ep in callee.endpoints if ep.method == "GET" and ep.response]
    needed = set(reachable_models(callee, roots))
    models = tuple(ModelIR(classes[m], fields_ir(callee.models[m].fields, module,
                                                 frozenset(callee.models), classes))
                   for m in _model_order(callee) if m in needed)
    return tuple(calls), models


def _upstream(catalog: ResolvedCatalog, upstream: Upstream,
              classes: dict[str, dict[str, str]]) -> UpstreamIR:
    budget = upstream.budget
    module = CLIENTS_MODULE | {c for by_model in classes.values() for c in by_model.values()}
    calls, models = _calls(catalog.services[upstream.service], classes[upstream.service],
                           frozenset(module))
    return UpstreamIR(
        service=upstream.service, cls=classes[upstream.service][""], env=upstream.url_env,
        url=upstream.url, timeout_s=budget.timeout_ms / 1000, attempts=budget.app_attempts,
        base_ms=budget.base_ms,
        failure_threshold=budget.failure_threshold, reset_s=budget.reset_s,
        max_backoff_s=budget.max_backoff_ms / 1000, models=models, calls=calls)

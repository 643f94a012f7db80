"""Build a ServiceIR from the resolved catalog and the deployment model."""

from __future__ import annotations

from archgen.generators.common import pascal, snake
from archgen.generators.openapi_ops import operation_id
from archgen.generators.schemas import reachable_models
from archgen.generators.services.ir import (
    DEFAULT_ASYNC_RETRY,
    CallIR,
    EndpointIR,
    EventIR,
    ModelIR,
    ReactionIR,
    ServiceIR,
    StoredIR,
    UpstreamIR,
    action,
    field_ir,
    fill_of,
    key_of,
    model_ir,
    param_type,
    response_model,
)
from archgen.model.bodylimit import request_body_limit
from archgen.model.deployment import Deployment, Upstream
from archgen.model.resolved import Field, ResolvedCatalog, Service


def service_ir(catalog: ResolvedCatalog, deployment: Deployment, name: str) -> ServiceIR:
    svc = catalog.services[name]
    dep = deployment.services[name]
    known = frozenset(svc.models)
    endpoints = tuple(_endpoint(svc, ep) for ep in svc.endpoints)
    reactions = tuple(ReactionIR(s.event, s.reaction.kind, s.reaction.model,
                                 dict(s.reaction.match), dict(s.reaction.copy),
                                 dict(s.reaction.set), s.reaction.emits)
                      for s in svc.consumes
                      if s.reaction is not None and s.reaction.model in svc.models)
    attempts, base_ms = _async_retry(catalog)
    return ServiceIR(
        name=name, system=catalog.system.name, package=dep.package, deployment=dep,
        store_kind=dep.store.kind if dep.store else "memory",
        models=tuple(model_ir(svc.models[m]) for m in _model_order(svc)),
        stored=_stored(svc, endpoints, reactions),
        endpoints=endpoints,
        publishes=tuple(_event(catalog, deployment, p.event, p.payload, known)
                        for p in svc.publishes),
        consumes=tuple(_event(catalog, deployment, s.event,
                              tuple((catalog.payload_of(s.event) or {}).values()), frozenset())
                       for s in svc.consumes),
        reactions=reactions, retry_attempts=attempts, retry_base_ms=base_ms,
        upstreams=tuple(_upstream(catalog, u) for u in dep.upstreams),
        other_packages=tuple(sorted(d.package for n, d in deployment.services.items()
                                    if n != name)),
        description=svc.spec.description or "",
    )


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


def _endpoint(svc: Service, ep: object) -> EndpointIR:
    from archgen.model.resolved import Endpoint

    assert isinstance(ep, Endpoint)
    model, many = response_model(ep, svc)
    act = action(ep, model, many)
    request = ep.request.name if ep.request is not None and ep.request.kind == "model" else None
    filter_field = None
    if act == "list" and ep.path_params and model is not None:
        wanted = snake(ep.path_params[-1])
        if wanted in {f.name for f in svc.models[model].fields}:
            filter_field = wanted
    return EndpointIR(
        name=snake(operation_id(ep.method, ep.path)), method=ep.method, path=ep.path,
        status=ep.status, params=tuple((p, param_type(svc, ep, p)) for p in ep.path_params),
        request=request if request in svc.models else None, action=act, model=model,
        filter_field=filter_field, emits=ep.emits[:1],
        body_limit=request_body_limit(ep.request, svc.models))


def _stored(svc: Service, endpoints: tuple[EndpointIR, ...],
            reactions: tuple[ReactionIR, ...]) -> tuple[StoredIR, ...]:
    names = sorted({e.model for e in endpoints if e.model and e.action != "none"}
                   | {r.model for r in reactions})
    out = []
    for name in names:
        model = svc.models[name]
        eps = [ep for ep in svc.endpoints if response_model(ep, svc)[0] == name]
        indexes = {e.filter_field for e in endpoints if e.model == name and e.filter_field}
        indexes |= {f for r in reactions if r.model == name for f in r.match}
        key = key_of(model, eps)
        out.append(StoredIR(name, key, tuple(sorted(indexes - {key})), fill_of(model.fields)))
    return tuple(out)


def _event(catalog: ResolvedCatalog, deployment: Deployment, event: str,
           payload: tuple[Field, ...], known: frozenset[str]) -> EventIR:
    topic = next((t for t in deployment.topics.values() if event in t.events), None)
    return EventIR(
        name=event, cls=pascal(event) + "Event", topic=topic.name if topic else event,
        key=topic.key if topic else None,
        dead_letter=topic.dead_letter_topic if topic else None,
        fields=tuple(field_ir(f, known) for f in payload), fill=fill_of(payload))


def _async_retry(catalog: ResolvedCatalog) -> tuple[int, int]:
    comm = catalog.communication
    policy = comm.async_.retries if comm and comm.async_ else None
    attempts = policy.max_attempts if policy and policy.max_attempts else DEFAULT_ASYNC_RETRY[0]
    base = policy.base_ms if policy and policy.base_ms is not None else DEFAULT_ASYNC_RETRY[1]
    return attempts, base


def _calls(callee: Service) -> tuple[tuple[CallIR, ...], tuple[ModelIR, ...]]:
    """Typed clients for the callee's GET endpoints that answer one of its models."""
    prefix = pascal(callee.name)
    calls = []
    for ep in callee.endpoints:
        model, many = response_model(ep, callee)
        if ep.method != "GET" or model is None:
            continue
        returns = f"list[{prefix}{model}]" if many else prefix + model
        calls.append(CallIR(snake(operation_id(ep.method, ep.path)), ep.path,
                            tuple((p, param_type(callee, ep, p)) for p in ep.path_params),
                            returns, prefix + model, many))
    roots = [ep.response for ep in callee.endpoints if ep.method == "GET" and ep.response]
    needed = set(reachable_models(callee, roots))
    models = tuple(ModelIR(prefix + m, tuple(field_ir(f, frozenset(callee.models), prefix)
                                             for f in callee.models[m].fields))
                   for m in _model_order(callee) if m in needed)
    return tuple(calls), models


def _upstream(catalog: ResolvedCatalog, upstream: Upstream) -> UpstreamIR:
    budget = upstream.budget
    calls, models = _calls(catalog.services[upstream.service])
    return UpstreamIR(
        service=upstream.service, cls=pascal(upstream.service) + "Client", env=upstream.url_env,
        timeout_s=budget.timeout_ms / 1000, attempts=budget.app_attempts, base_ms=budget.base_ms,
        failure_threshold=budget.failure_threshold, reset_s=budget.reset_s,
        max_backoff_s=budget.max_backoff_ms / 1000, models=models, calls=calls)

"""The resolved catalog: defaults applied, references resolved, derived facts computed once.

Resolution never fails: a reference to something that does not exist stays a
name (``known=False``) and the rules report it. Rules and generators read this
model only; they never re-derive what is computed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from archgen.model import catalog as raw
from archgen.model.fieldtypes import TypeRef, parse_type
from archgen.model.names import path_params, split_route

DEFAULT_STATUS = {"POST": 201, "DELETE": 204}
PROTOCOL_OF_STYLE = {"rest": "http", "grpc": "grpc"}
_DURATION_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


# field -> {operator: value}: `{status: delivered}` is {"status": {"eq": "delivered"}}.
Condition = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class Emission:
    """An event an endpoint or reaction emits, when its condition (on the result) holds."""

    event: str
    when: Condition


@dataclass(frozen=True, slots=True)
class StateMachine:
    """The legal values of an enum field and who may move it from one to the next."""

    initial: str
    final: tuple[str, ...]
    # from state -> to state -> causes (routes `PUT /path` or consumed events); () = anyone
    transitions: Mapping[str, Mapping[str, tuple[str, ...]]]

    @property
    def states(self) -> tuple[str, ...]:
        named = [self.initial, *self.final, *self.transitions,
                 *(t for targets in self.transitions.values() for t in targets)]
        return tuple(dict.fromkeys(named))

    def allowed(self, state: str) -> tuple[str, ...]:
        return tuple(self.transitions.get(state, {}))


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: TypeRef
    required: bool
    spec: raw.FieldSpec

    @property
    def machine(self) -> StateMachine | None:
        return state_machine(self.spec.states)


@dataclass(frozen=True, slots=True)
class Model:
    name: str
    fields: tuple[Field, ...]

    def model_refs(self) -> tuple[str, ...]:
        return tuple(n for f in self.fields for n in f.type.model_names())


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    summary: str
    status: int
    public: bool
    request: TypeRef | None
    response: TypeRef | None
    path_params: tuple[str, ...]
    query: tuple[Field, ...]
    emissions: tuple[Emission, ...]
    spec: raw.Endpoint

    @property
    def emits(self) -> tuple[str, ...]:
        return tuple(e.event for e in self.emissions)

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True, slots=True)
class Retry:
    max_attempts: int | None
    backoff: str | None
    base_ms: int | None
    max_ms: int | None


@dataclass(frozen=True, slots=True)
class Breaker:
    failure_threshold: int | None
    reset_s: float | None
    half_open_requests: int | None


@dataclass(frozen=True, slots=True)
class Dependency:
    """A synchronous call from `source` to `target`, after `communication.sync` defaults."""

    source: str
    target: str
    known: bool
    protocol: str | None
    timeout_ms: int | None
    retry: Retry | None
    circuit_breaker: Breaker | None
    calls: tuple[str, ...]
    spec: raw.Dependency

    @property
    def attempts(self) -> int:
        return self.retry.max_attempts or 1 if self.retry else 1


@dataclass(frozen=True, slots=True)
class Publication:
    event: str
    when: str
    payload: tuple[Field, ...]
    spec: raw.Publish


@dataclass(frozen=True, slots=True)
class Reaction:
    """What consuming an event does by default: create or update one model, then emit."""

    kind: str  # create | update
    model: str
    match: Mapping[str, str]  # model field -> payload field (update)
    copy: Mapping[str, str]  # model field -> payload field
    set: Mapping[str, Any]  # model field -> literal
    emissions: tuple[Emission, ...]
    when: Condition  # on the payload: the reaction runs only when it holds

    @property
    def emits(self) -> tuple[str, ...]:
        return tuple(e.event for e in self.emissions)


@dataclass(frozen=True, slots=True)
class Subscription:
    event: str
    action: str
    spec: raw.Consume
    reaction: Reaction | None = None


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    public: bool
    models: Mapping[str, Model]
    endpoints: tuple[Endpoint, ...]
    publishes: tuple[Publication, ...]
    consumes: tuple[Subscription, ...]
    dependencies: tuple[Dependency, ...]
    downstream: tuple[str, ...]
    spec: raw.Service

    @property
    def routed(self) -> bool:
        """Whether the gateway routes to it: a public service without public endpoints has
        nothing to route (diagrams and exports draw no gateway edge to it)."""
        return any(ep.public for ep in self.endpoints)

    @property
    def bounded_context(self) -> str | None:
        return self.spec.bounded_context

    @property
    def data_store(self) -> raw.DataStore | None:
        return self.spec.data_store

    @property
    def nfr(self) -> raw.ServiceNfr | None:
        return self.spec.nfr


@dataclass(frozen=True, slots=True)
class Event:
    """Everything known about one event name, across services and topics."""

    name: str
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    topics: tuple[str, ...]
    emitted_by: tuple[tuple[str, str], ...]  # (service, route) of endpoints that emit it


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    events: tuple[str, ...]
    partitions: int | None
    replication_factor: int | None
    key: str | None
    retention_s: float | None  # None: not set or forever (see spec.retention)
    dead_letter: bool
    spec: raw.Topic


@dataclass(frozen=True)
class ResolvedCatalog:
    spec: raw.Catalog
    services: Mapping[str, Service]
    events: Mapping[str, Event]
    topics: Mapping[str, Topic]
    extensions: Mapping[str, Any] = field(default_factory=dict)
    # Values the loader replaced by archgen.secrets.REDACTED: (pointer, what it looked
    # like). Rule AG604 reports them; no output ever saw the value.
    redacted: tuple[tuple[tuple[str | int, ...], str], ...] = ()

    @property
    def system(self) -> raw.System:
        return self.spec.system

    @property
    def gateway(self) -> raw.Gateway | None:
        return self.spec.gateway

    @property
    def mesh(self) -> raw.Mesh | None:
        return self.spec.mesh

    @property
    def event_bus(self) -> raw.EventBus | None:
        return self.spec.event_bus

    @property
    def infrastructure(self) -> raw.Infrastructure | None:
        return self.spec.infrastructure

    @property
    def communication(self) -> raw.Communication | None:
        return self.spec.communication

    def payload_of(self, event: str) -> Mapping[str, Field] | None:
        """The payload fields of `event` as its first producer defines them; None if unknown."""
        producers = self.events[event].producers if event in self.events else ()
        for producer in producers:
            for pub in self.services[producer].publishes:
                if pub.event == event:
                    return {f.name: f for f in pub.payload}
        return None

    def public_endpoints(self) -> list[tuple[Service, Endpoint]]:
        return [(s, e) for s in self.services.values() for e in s.endpoints if e.public]


# ---------------------------------------------------------------- resolution
def resolve(catalog: raw.Catalog) -> ResolvedCatalog:
    sync = catalog.communication.sync if catalog.communication else None
    downstream: dict[str, list[str]] = {name: [] for name in catalog.services}
    for name, svc in catalog.services.items():
        for target in svc.depends_on:
            if target in downstream and target != name:
                downstream[target].append(name)
    services = {
        name: _service(name, svc, catalog, sync, tuple(downstream[name]))
        for name, svc in catalog.services.items()
    }
    topics = _topics(catalog)
    return ResolvedCatalog(catalog, services, _events(services, topics), topics,
                           dict(catalog.extensions))


def _fields(fields: Mapping[str, raw.FieldSpec]) -> tuple[Field, ...]:
    out = []
    for name, spec in fields.items():
        type_text = spec.type or _enum_type(spec.enum or [])
        required = spec.required if spec.required is not None else spec.default is None
        out.append(Field(name, parse_type(type_text), required, spec))
    return tuple(out)


def _enum_type(values: list[Any]) -> str:
    if values and all(isinstance(v, bool) for v in values):
        return "bool"
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int"
    return "str"


def _service(name: str, svc: raw.Service, catalog: raw.Catalog,
             sync: raw.SyncPolicy | None, downstream: tuple[str, ...]) -> Service:
    public = svc.public if svc.public is not None else True
    return Service(
        name=name,
        public=public,
        models={m: Model(m, _fields(f)) for m, f in svc.models.items()},
        endpoints=tuple(_endpoint(route, ep, public) for route, ep in svc.endpoints.items()),
        publishes=tuple(Publication(e, p.when or "", _fields(p.payload), p)
                        for e, p in svc.publishes.items()),
        consumes=tuple(Subscription(e, c.action or "", c, _reaction(c))
                       for e, c in svc.consumes.items()),
        dependencies=tuple(_dependency(name, t, d, catalog, sync)
                           for t, d in svc.depends_on.items()),
        downstream=downstream,
        spec=svc,
    )


def _reaction(consume: raw.Consume) -> Reaction | None:
    # Both `create` and `update` is a finding (AG508); `create` wins so generation still runs.
    kind, model = (("create", consume.create) if consume.create
                   else ("update", consume.update) if consume.update else ("", None))
    if model is None:
        return None
    return Reaction(kind, model, dict(consume.match), dict(consume.copy_), dict(consume.set),
                    emissions(consume.emits), condition(consume.when))


def condition(when: Mapping[str, raw.Comparison]) -> Condition:
    return {name: {("in" if op == "in_" else op): value
                   for op, value in comparison.model_dump(exclude_unset=True).items()}
            for name, comparison in when.items()}


def emissions(emits: list[raw.Emit]) -> tuple[Emission, ...]:
    return tuple(Emission(e.event, condition(e.when)) for e in emits)


def state_machine(spec: raw.StateMachine | None) -> StateMachine | None:
    if spec is None:
        return None
    return StateMachine(spec.initial, tuple(spec.final),
                        {src: {dst: tuple(causes) for dst, causes in targets.items()}
                         for src, targets in spec.transitions.items()})


def _endpoint(route: str, ep: raw.Endpoint, service_public: bool) -> Endpoint:
    method, path = split_route(route)
    return Endpoint(
        method=method, path=path, summary=ep.summary or "",
        status=ep.status or DEFAULT_STATUS.get(method, 200),
        public=ep.public if ep.public is not None else service_public,
        request=parse_type(ep.request) if ep.request else None,
        response=parse_type(ep.response) if ep.response else None,
        path_params=path_params(path), query=_fields(ep.query),
        emissions=emissions(ep.emits), spec=ep)


def default_dependency(catalog: ResolvedCatalog, source: str, target: str) -> Dependency:
    """A call `source` makes to `target` with `communication.sync`'s defaults only, as a
    `depends_on` entry that says nothing else (the gateway aggregations' calls are these)."""
    sync = catalog.communication.sync if catalog.communication else None
    return _dependency(source, target, raw.Dependency(), catalog.spec, sync)


def _dependency(source: str, target: str, dep: raw.Dependency, catalog: raw.Catalog,
                sync: raw.SyncPolicy | None) -> Dependency:
    protocol = dep.protocol
    if protocol is None and sync and sync.protocols:
        protocol = PROTOCOL_OF_STYLE.get(sync.protocols[0], sync.protocols[0])
    return Dependency(
        source=source, target=target, known=target in catalog.services and target != source,
        protocol=protocol,
        timeout_ms=_pick(dep.timeout_ms, sync.timeout_ms if sync else None),
        retry=_retry(dep.retries, sync.retries if sync else None),
        circuit_breaker=_breaker(dep.circuit_breaker, sync.circuit_breaker if sync else None),
        calls=tuple(dep.calls), spec=dep)


def _retry(own: raw.RetryPolicy | None, default: raw.RetryPolicy | None) -> Retry | None:
    if own is None and default is None:
        return None
    a, b = own or raw.RetryPolicy(), default or raw.RetryPolicy()
    return Retry(_pick(a.max_attempts, b.max_attempts), _pick(a.backoff, b.backoff),
                 _pick(a.base_ms, b.base_ms), _pick(a.max_ms, b.max_ms))


def _breaker(own: raw.CircuitBreaker | None, default: raw.CircuitBreaker | None) -> Breaker | None:
    if own is None and default is None:
        return None
    a, b = own or raw.CircuitBreaker(), default or raw.CircuitBreaker()
    return Breaker(_pick(a.failure_threshold, b.failure_threshold), _pick(a.reset_s, b.reset_s),
                   _pick(a.half_open_requests, b.half_open_requests))


def _pick(own: Any, default: Any) -> Any:
    return own if own is not None else default


def duration_seconds(text: str | None) -> float | None:
    if not text or text == "forever":
        return None
    unit = "ms" if text.endswith("ms") else text[-1]
    return int(text[: -len(unit)]) * _DURATION_S[unit]


def _topics(catalog: raw.Catalog) -> dict[str, Topic]:
    bus = catalog.event_bus
    if bus is None:
        return {}
    comm_async = catalog.communication.async_ if catalog.communication else None
    default_dlq = bool(comm_async and comm_async.dead_letter)
    return {
        name: Topic(name, tuple(t.events), t.partitions,
                    t.replication_factor or bus.replication_factor, t.key,
                    duration_seconds(t.retention),
                    t.dead_letter if t.dead_letter is not None else default_dlq, t)
        for name, t in bus.topics.items()
    }


def _events(services: Mapping[str, Service], topics: Mapping[str, Topic]) -> dict[str, Event]:
    producers: dict[str, list[str]] = {}
    consumers: dict[str, list[str]] = {}
    on_topics: dict[str, list[str]] = {}
    emitted: dict[str, list[tuple[str, str]]] = {}
    for svc in services.values():
        for pub in svc.publishes:
            producers.setdefault(pub.event, []).append(svc.name)
        for sub in svc.consumes:
            consumers.setdefault(sub.event, []).append(svc.name)
        for ep in svc.endpoints:
            for event in ep.emits:
                emitted.setdefault(event, []).append((svc.name, ep.route))
    for topic in topics.values():
        for event in topic.events:
            on_topics.setdefault(event, []).append(topic.name)
    names = sorted({*producers, *consumers, *on_topics, *emitted})
    return {n: Event(n, tuple(producers.get(n, ())), tuple(consumers.get(n, ())),
                     tuple(on_topics.get(n, ())), tuple(emitted.get(n, ()))) for n in names}

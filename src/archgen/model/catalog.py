"""Raw models of catalog format 1: exactly what users write (docs/catalog-format.md).

Almost everything is optional: a missing section or field is a checklist
finding of the validator, not a load error, so teams see all findings at once.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from archgen.model.base import (
    AggregationCall,
    Call,
    DnsLabel,
    Duration,
    EventName,
    FieldName,
    ModelName,
    NonNegativeInt,
    Percent,
    PositiveFloat,
    PositiveInt,
    Quantity,
    Route,
    Section,
    TableName,
    TierName,
    TypeExpr,
    VersionName,
    short,
    vocab,
)

_STRING = {"type": "string"}


# ---------------------------------------------------------------- shared pieces
class Replicas(Section):
    min: NonNegativeInt | None = None
    max: PositiveInt | None = None
    cpu_target_pct: Annotated[int, Field(ge=1, le=100)] | None = None

    @model_validator(mode="after")
    def _min_not_above_max(self) -> Replicas:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"replicas.min ({self.min}) is greater than replicas.max ({self.max})")
        return self


class RetryPolicy(Section):
    max_attempts: PositiveInt | None = None
    backoff: Literal["exponential", "linear", "fixed"] | None = None
    base_ms: NonNegativeInt | None = None
    max_ms: PositiveInt | None = None


# `retries: 2` means two retries after the first call: three attempts.
Retries = Annotated[RetryPolicy, short({"type": "integer", "minimum": 0}, int,
                                       lambda n: {"max_attempts": n + 1})]


class CircuitBreaker(Section):
    failure_threshold: PositiveInt | None = None
    reset_s: PositiveFloat | None = None
    half_open_requests: PositiveInt | None = None


# ---------------------------------------------------------------- system
class System(Section):
    name: DnsLabel
    title: str | None = None
    description: str | None = None
    owner: str | None = None
    version: str | None = None


# ---------------------------------------------------------------- gateway
class GatewayAuth(Section):
    type: Annotated[str, vocab("gateway.auth.type")] | None = None
    issuer: str | None = None
    audiences: list[str] = []
    jwks_uri: str | None = None
    scopes: list[str] = []


_PERIODS = {"s": "second", "sec": "second", "second": "second", "m": "minute",
            "min": "minute", "minute": "minute", "h": "hour", "hour": "hour",
            "d": "day", "day": "day"}
_RATE = re.compile(r"\s*([0-9]+)\s*/\s*([a-z]+)\s*")


Period = Literal["second", "minute", "hour", "day"]
# Each period's length: the one table the gateways, the diff and the tokens read.
PERIOD_SECONDS: dict[Period, int] = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


class RateLimit(Section):
    requests: PositiveInt
    period: Period

    @property
    def period_s(self) -> int:
        return PERIOD_SECONDS[self.period]

    @property
    def per_second(self) -> float:
        return self.requests / self.period_s


def _parse_rate(text: str) -> Any:
    match = _RATE.fullmatch(text)
    if not match or match.group(2) not in _PERIODS:
        raise ValueError(f"{text!r} is not a rate: write requests/period, e.g. 100/min "
                         "(periods: s, min, h, day)")
    return {"requests": int(match.group(1)), "period": _PERIODS[match.group(2)]}


RateLimitValue = Annotated[RateLimit, short(
    {"type": "string", "pattern": r"^\s*[0-9]+\s*/\s*(s|sec|second|m|min|minute|h|hour|d|day)\s*$"},
    str, _parse_rate)]


class Cors(Section):
    allow_origins: list[str] = []
    allow_methods: list[str] = []
    allow_headers: list[str] = []
    allow_credentials: bool | None = None
    max_age_s: NonNegativeInt | None = None


class Aggregation(Section):
    summary: str | None = None
    description: str | None = None
    calls: list[AggregationCall] = []


AggregationValue = Annotated[Aggregation, short(
    {"type": "array", "items": _STRING}, list, lambda calls: {"calls": calls})]


class GatewayNfr(Section):
    latency_overhead_ms: PositiveFloat | None = None
    throughput_rps: PositiveFloat | None = None
    max_connections: PositiveInt | None = None
    availability: Percent | None = None
    replicas: Replicas | None = None


class Gateway(Section):
    purpose: str | None = None
    description: str | None = None
    technology: Annotated[str, vocab("gateway.technology")] | None = None
    justification: str | None = None
    supporting: list[str] = []
    protocols: list[str] = []
    auth: GatewayAuth | None = None
    rate_limits: dict[TierName, RateLimitValue] = {}
    versions: list[VersionName] = []
    cors: Cors | None = None
    compression: bool | None = None
    aggregations: dict[Route, AggregationValue] = {}
    nfr: GatewayNfr | None = None


# ---------------------------------------------------------------- mesh
class MeshNfr(Section):
    proxy_overhead_p99_ms: PositiveFloat | None = None
    control_plane_replicas: PositiveInt | None = None


class Mesh(Section):
    technology: Annotated[str, vocab("mesh.technology")] | None = None
    mtls: Literal["strict", "permissive"] | None = None
    justification: str | None = None
    description: str | None = None
    nfr: MeshNfr | None = None


# ---------------------------------------------------------------- services
Scalar = str | int | float | bool


# Conditions are data, not code (docs/catalog-format.md, "Conditions"): each key is a
# field, each value a literal it must equal or a comparison; all must hold.
class Comparison(Section):
    eq: Scalar | None = None
    ne: Scalar | None = None
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")

    @model_validator(mode="after")
    def _something(self) -> Comparison:
        if not self.model_fields_set:
            raise ValueError("a comparison needs one of eq, ne, gt, ge, lt, le, in")
        return self


ComparisonValue = Annotated[Comparison, short(
    {"type": ["string", "number", "boolean"]}, (str, int, float, bool), lambda v: {"eq": v})]
Condition = dict[FieldName, ComparisonValue]


class Emit(Section):
    event: EventName
    when: Condition = {}


EmitValue = Annotated[Emit, short({"type": "string"}, str, lambda e: {"event": e})]
# A cause of a transition: an endpoint route of the service (`PUT /path`) or an event
# it consumes (its reaction).
Causes = Annotated[list[str], short(_STRING, str, lambda c: [c])]
# The failure events that undo a step (docs/catalog-format.md, "Compensation"): the
# service's own reaction to each (`consumes.<event>`) is the compensation.
CompensatedBy = Annotated[list[EventName], short(_STRING, str, lambda e: [e])]


def _targets_to_mapping(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return {str(v): [] for v in value}
    return value


# `pending: [accepted, rejected]` (whoever writes the field) or
# `pending: {accepted: PUT /deliveries/{id}/status, rejected: [restaurant.rejected]}`.
Targets = Annotated[dict[str, Causes], short(
    {"type": "array", "items": _STRING}, list, _targets_to_mapping)]


class StateMachine(Section):
    initial: str
    final: list[str] = []
    transitions: dict[str, Targets] = {}


class FieldSpec(Section):
    type: TypeExpr | None = None
    required: bool | None = None
    default: Scalar | None = None
    enum: list[Scalar] | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: NonNegativeInt | None = None
    max_length: NonNegativeInt | None = None
    pattern: str | None = None
    format: str | None = None
    description: str | None = None
    states: StateMachine | None = None

    @model_validator(mode="after")
    def _coherent(self) -> FieldSpec:
        if self.type is None and not self.enum:
            raise ValueError("a field needs a `type` (or an `enum` to take its type from)")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(
                    f"pattern {self.pattern!r} is not a valid regular expression: {exc}") from None
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("minimum is greater than maximum")
        if (self.min_length is not None and self.max_length is not None
                and self.min_length > self.max_length):
            raise ValueError("min_length is greater than max_length")
        return self


FieldValue = Annotated[FieldSpec, short(_STRING, str, lambda t: {"type": t})]
Fields = dict[FieldName, FieldValue]


class Technology(Section):
    language: str | None = None
    framework: str | None = None
    version: str | None = None
    supporting: list[str] = []
    template: str | None = None


class Endpoint(Section):
    summary: str | None = None
    description: str | None = None
    request: TypeExpr | None = None
    response: TypeExpr | None = None
    query: Fields = {}
    status: Annotated[int, Field(ge=100, le=599)] | None = None
    emits: list[EmitValue] = []
    compensated_by: CompensatedBy = []
    public: bool | None = None
    deprecated: bool | None = None


EndpointValue = Annotated[Endpoint, short(_STRING, str, lambda s: {"summary": s})]


class DataStore(Section):
    type: Annotated[str, vocab("data_store.type")] | None = None
    technology: Annotated[str, vocab("data_store.technology")] | None = None
    version: str | None = None
    name: DnsLabel | None = None
    tables: list[TableName] = []
    owns: str | None = None
    schema_summary: str | None = Field(default=None, alias="schema")
    description: str | None = None


class Publish(Section):
    when: str | None = None
    description: str | None = None
    payload: Fields = {}


PublishValue = Annotated[Publish, short(_STRING, str, lambda s: {"when": s})]


class Consume(Section):
    action: str | None = None
    description: str | None = None
    idempotent: bool | None = None
    # Reactions: what the default handler does, in data (docs/catalog-format.md, "Reactions").
    create: ModelName | None = None
    update: ModelName | None = None
    match: dict[FieldName, FieldName] = {}  # model field: payload field (update)
    copy_: dict[FieldName, FieldName] = Field(default={}, alias="copy")  # model: payload
    set: dict[FieldName, Scalar] = {}  # model field: literal value
    when: Condition = {}  # on the payload: the reaction runs only when it holds
    emits: list[EmitValue] = []
    compensated_by: CompensatedBy = []
    # Timeouts (docs/catalog-format.md, "Timeouts"): if the record the reaction wrote still
    # holds the state it left after `within`, the service emits `on_timeout`.
    within: Duration | None = None
    on_timeout: EventName | None = None

    @model_validator(mode="after")
    def _deadline_whole(self) -> Consume:
        if (self.within is None) != (self.on_timeout is None):
            raise ValueError("a deadline needs both `within` (how long) and `on_timeout` "
                             "(the event emitted when it passes)")
        return self


ConsumeValue = Annotated[Consume, short(_STRING, str, lambda s: {"action": s})]


class Dependency(Section):
    protocol: Annotated[str, vocab("protocol")] | None = None
    timeout_ms: PositiveInt | None = None
    retries: Retries | None = None
    circuit_breaker: CircuitBreaker | None = None
    calls: list[Route] = []
    description: str | None = None


DependencyValue = Annotated[Dependency, short({"type": "null"}, type(None), lambda _: {})]


def _names_to_mapping(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return {v: {} for v in value}
    return value


DependsOn = Annotated[dict[DnsLabel, DependencyValue], short(
    {"type": "array", "items": {"type": "string"}}, list, _names_to_mapping)]


class Resources(Section):
    cpu: Quantity | None = None
    memory: Quantity | None = None
    cpu_limit: Quantity | None = None
    memory_limit: Quantity | None = None


class ServiceNfr(Section):
    latency_p95_ms: PositiveFloat | None = None
    latency_p99_ms: PositiveFloat | None = None
    throughput_tps: PositiveFloat | None = None
    availability: Percent | None = None
    replicas: Replicas | None = None
    resources: Resources | None = None
    scaling: str | None = None


class Service(Section):
    bounded_context: str | None = None
    description: str | None = None
    team: str | None = None
    responsibilities: list[str] = []
    technology: Technology | None = None
    public: bool | None = None
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    models: dict[ModelName, Fields] = {}
    endpoints: dict[Route, EndpointValue] = {}
    data_store: DataStore | None = None
    publishes: dict[EventName, PublishValue] = {}
    consumes: dict[EventName, ConsumeValue] = {}
    depends_on: DependsOn = {}
    nfr: ServiceNfr | None = None


# ---------------------------------------------------------------- event bus
class Topic(Section):
    events: list[EventName] = []
    description: str | None = None
    partitions: PositiveInt | None = None
    replication_factor: PositiveInt | None = None
    key: FieldName | None = None
    retention: Duration | None = None
    dead_letter: bool | None = None


class EventBus(Section):
    technology: Annotated[str, vocab("event_bus.technology")] | None = None
    description: str | None = None
    replication_factor: PositiveInt | None = None
    schema_registry: bool | None = None
    topics: dict[DnsLabel, Topic] = {}


# ---------------------------------------------------------------- infrastructure
class Component(Section):
    technology: str | None = None
    purpose: str | None = None
    description: str | None = None


class Monitoring(Component):
    dashboards: str | None = None
    alerting: str | None = None


ComponentValue = Annotated[Component, short(_STRING, str, lambda t: {"technology": t})]
MonitoringValue = Annotated[Monitoring, short(_STRING, str, lambda t: {"technology": t})]


class Infrastructure(Section):
    service_discovery: ComponentValue | None = None
    configuration: ComponentValue | None = None
    secrets: ComponentValue | None = None
    logging: ComponentValue | None = None
    monitoring: MonitoringValue | None = None
    tracing: ComponentValue | None = None


# ---------------------------------------------------------------- communication
class SyncPolicy(Section):
    protocols: list[Annotated[str, vocab("communication.sync.protocols")]] = []
    timeout_ms: PositiveInt | None = None
    retries: Retries | None = None
    circuit_breaker: CircuitBreaker | None = None
    description: str | None = None


class AsyncPolicy(Section):
    delivery: Literal["at-most-once", "at-least-once", "exactly-once"] | None = None
    retries: Retries | None = None
    dead_letter: bool | None = None
    description: str | None = None


class Communication(Section):
    sync: SyncPolicy | None = None
    async_: AsyncPolicy | None = Field(default=None, alias="async")


# ---------------------------------------------------------------- rules
class Ignore(Section):
    rule: str
    path: str | None = None
    reason: str | None = None
    until: date | None = None


def _off_from_false(value: Any) -> Any:
    """`off` unquoted is YAML 1.1's false: take it as meant (the loader still warns, AG005)."""
    return "off" if value is False else value


RuleSeverity = Annotated[Literal["error", "warning", "info", "off"],
                         BeforeValidator(_off_from_false)]


class RulesConfig(Section):
    select: list[str] = []
    severity: dict[str, RuleSeverity] = {}
    ignore: list[Ignore] = []


# ---------------------------------------------------------------- smoke
class SmokeStep(Section):
    call: Call | None = None
    wait: Call | None = None
    body: Any = None
    until: dict[FieldName, Scalar] = {}

    @model_validator(mode="after")
    def _one_kind(self) -> SmokeStep:
        if (self.call is None) == (self.wait is None):
            raise ValueError("a smoke step has either `call: <service> METHOD /path` or "
                             "`wait: <service> GET /path`")
        if self.wait is not None and self.wait.split(" ")[1] != "GET":
            raise ValueError(f"`wait: {self.wait}`: a wait polls a GET")
        if self.wait is not None and self.body is not None:
            raise ValueError("`body` belongs to a `call` step")
        if self.call is not None and self.until:
            raise ValueError("`until` belongs to a `wait` step")
        return self


class Smoke(Section):
    description: str | None = None
    steps: list[SmokeStep] = []


# ---------------------------------------------------------------- the catalog
class Catalog(Section):
    archgen: Literal[1] = Field(description="catalog format version")
    system: System
    gateway: Gateway | None = None
    mesh: Mesh | None = None
    services: dict[DnsLabel, Service]
    event_bus: EventBus | None = None
    infrastructure: Infrastructure | None = None
    communication: Communication | None = None
    rules: RulesConfig | None = None
    smoke: Smoke | None = None

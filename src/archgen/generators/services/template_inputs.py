"""What the templates of one generated service receive: typed objects, never a flat dict.

`service_inputs` builds `ServiceTemplate` from the service's IR (ir.py, build.py) and the
deployment; `service_tests` adds what the generated tests check (testplan.py). Each
field is a name its templates place (templating.render_inputs passes the fields as they
are, nested objects included); tests/generators/test_template_inputs.py checks that every
name a template reads is a field here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from archgen.generators.common import pascal
from archgen.generators.services.ir import (
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
)
from archgen.generators.services.kit import (
    KIT_DISTRIBUTION,
    KIT_FOLDER,
    KIT_PACKAGE,
    STORE_MODULES,
    TEST_DEPENDENCIES,
    kit_requirement,
)
from archgen.generators.services.schema import (
    JSON_TYPE,
    Attribute,
    Schema,
    Table,
    column_source,
    constraint_sources,
    index_sources,
    service_schema,
)
from archgen.generators.services.testplan import ContractCall, EndpointCase, ReactionCase
from archgen.model.bodylimit import DEFAULT_BODY_LIMIT, MIN_BODY_LIMIT
from archgen.model.deployment import KAFKA_CONSUMER_ENV, STORE_POOL_SIZE, STORE_POOL_TIMEOUT_S
from archgen.model.resolved import Service

# Runtime dependencies of every generated service (stores add theirs).
# uvicorn[standard]: uvloop and httptools instead of asyncio and h11; orjson writes
# the responses.
BASE_DEPENDENCIES = ("fastapi>=0.110", "uvicorn[standard]>=0.29", "orjson>=3.8",
                     "pydantic>=2.11", "pydantic-settings>=2.2", "aiokafka>=0.11", "httpx>=0.27",
                     "tenacity>=8.2", "purgatory>=3.0", "prometheus-client>=0.20")
STORE_DEPENDENCIES = {"relational": ("sqlalchemy[asyncio]>=2.0", "asyncpg>=0.29",
                                     "aiosqlite>=0.20", "alembic>=1.13"),
                      "key-value": ("redis>=5.0.1",), "document": ("pymongo>=4.9",),
                      "memory": ()}
# Store URLs of the generated tests: in-process or a SQLite file, no server needed.
_TEST_STORE = {"relational": 'f"sqlite+aiosqlite:///{tmp_path}/test.db"',
               "key-value": '"memory://"', "document": '"memory://"'}
# What handlers_api.py defines and imports: a handler's type must not take these names.
_CONTRACT_NAMES = frozenset({"ANSWERS", "Annotated", "Any", "Awaitable", "Callable",
                             "Depends", "Implement", "RuntimeDep",
                             "ModuleType", "OVERRIDABLE", "Runtime", "Settings", "Team",
                             "TypeAdapter", "TypeAlias", "UUID", "Unit", "annotations",
                             "contract", "dataclass", "date", "datetime", "implement",
                             "models"})
# archgen's own tables in tables.py: the names the store imports, and why each is there.
_ARCHGEN_VARS = {
    "archgen_outbox": ("outbox", "# The transactional outbox: an event is written with the "
                       "state change it reports,\n# in the same transaction, and published by "
                       "the relay afterwards."),
    "archgen_outbox_parked": ("outbox_parked", "# Outbox events the broker refused (too large, "
                              "say): kept with the reason for a person to\n# look at, so that "
                              "the relay goes on with the next."),
    "archgen_processed_events": ("processed_events", "# Event ids already handled: consumers "
                                 "skip redeliveries (at-least-once -> effectively once)."),
    "archgen_idempotency_keys": ("idempotency_keys", "# Idempotency-Key of creates: the first "
                                 "result under each key, written in the create's\n# own "
                                 "transaction (with its outbox row), so a retried create "
                                 "answers it again."),
    "archgen_timers": ("timers", "# Timeouts a reaction set (`within`): fired by the kit's "
                       "poller once `due_at` (epoch\n# seconds) passed, if the record's "
                       "`field` still holds `state`."),
}


def lit(value: Any) -> str:
    """A Python literal of plain data (str, numbers, bools, None, tuples, dicts, lists)."""
    return repr(value)


def _crossing_in(attribute: Attribute, var: str) -> str:
    """Python source: a field of the dumped model `var` as its column takes it."""
    value = f"{var}[{attribute.field!r}]"
    return f"_json({value})" if attribute.kind == "json" else value


def _crossing_out(attribute: Attribute, var: str) -> str:
    """Python source: a column of row `var` as the model's field takes it."""
    value = f"{var}[{attribute.column!r}]"
    return f"_text({value})" if attribute.kind == "decimal" else value


@dataclass(frozen=True)
class HandlerType:
    """A handler a team may replace, as handlers_api.py types it."""

    name: str  # the endpoint's operationId, or `on_<event>` for a reaction
    type: str  # its Callable alias
    event: str | None  # the consumed event of a reaction; None for an endpoint
    response: str | None  # the endpoint's response model: what its answers are validated by
    args: list[str]  # the Callable's argument types (a list: the template sums them)
    returns: str | None = None  # what the handler returns, when it is not `response`


@dataclass(frozen=True)
class Lookup:
    name: str  # the repository method's argument (the field's Python name)
    field: str  # the catalog's field name
    type: str


@dataclass(frozen=True)
class RepositoryInputs:
    """One typed repository: a stored model, its key and a lookup per indexed field."""

    model: str
    cls: str
    key: str
    key_type: str
    lookups: tuple[Lookup, ...]


@dataclass(frozen=True)
class RepositoryImports:
    """The names the repositories' key and lookup types need imported, per module."""

    datetime: tuple[str, ...] = ()
    typing: tuple[str, ...] = ()
    uuid: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArchgenTable:
    table: Table
    var: str  # its name in tables.py
    comment: str  # why the table is there, as Python comment lines


@dataclass(frozen=True)
class ServiceTemplate:
    """Every name a service's managed templates place."""

    service: str
    package: str
    port: int
    source: str  # the CloudEvents source of its events
    description: str
    version: str
    dependencies: tuple[str, ...]
    test_dependencies: tuple[str, ...]
    kit_distribution: str
    kit_package: str
    kit_folder: str
    store_module: str
    store_kind: str
    models: tuple[ModelIR, ...]
    events: tuple[EventIR, ...]  # published and consumed, one per payload class
    stored: tuple[StoredIR, ...]
    publishes: tuple[EventIR, ...]
    consumes: tuple[EventIR, ...]
    reactions: tuple[ReactionIR, ...]
    machines: Mapping[str, Mapping[str, MachineIR]]
    deadlines: tuple[DeadlineIR, ...]
    endpoints: tuple[EndpointIR, ...]
    aliased_params: bool  # a path parameter whose Python name is not the path's
    retry_attempts: int
    retry_base_ms: int
    upstreams: tuple[UpstreamIR, ...]
    store_env: str
    store_default: str
    needs_broker: bool
    test_store_url: str  # Python source of the generated tests' store URL
    health_live: str
    health_ready: str
    metrics_path: str
    kafka_defaults: tuple[tuple[str, str], ...]
    other_packages: tuple[str, ...]
    min_body_limit: int
    default_body_limit: int
    store_pool_size: int
    store_pool_timeout_s: float
    admission_target_ms: float  # half the catalog's p95 SLA (settings.py)
    handler_types: tuple[HandlerType, ...]
    repositories: tuple[RepositoryInputs, ...]
    repository_imports: RepositoryImports
    # The relational store's tables (None and empty for the other stores).
    schema: Schema | None = None
    schema_uses_postgresql: bool = False
    archgen_tables: tuple[ArchgenTable, ...] = ()
    # Source-writing helpers the templates call (Python text from computed values).
    lit: Callable[[Any], str] = field(default=lit, repr=False)
    column_source: Callable[..., str] = field(default=column_source, repr=False)
    constraint_sources: Callable[..., list[str]] = field(default=constraint_sources,
                                                          repr=False)
    index_sources: Callable[..., list[str]] = field(default=index_sources, repr=False)
    crossing_in: Callable[[Attribute, str], str] = field(default=_crossing_in, repr=False)
    crossing_out: Callable[[Attribute, str], str] = field(default=_crossing_out, repr=False)


@dataclass(frozen=True)
class ServiceTests:
    """What the generated tests of a service add to its ServiceTemplate."""

    endpoint_cases: tuple[EndpointCase, ...]
    reaction_cases: tuple[ReactionCase, ...]
    endpoint_uses: tuple[str, ...]  # the names test_endpoints.py imports
    reaction_uses: tuple[str, ...]
    contract_calls: tuple[ContractCall, ...]
    contract_types: tuple[str, ...]  # the Python types of the contract calls' parameters
    contract_clients: tuple[str, ...]


DEFAULT_ADMISSION_TARGET_MS = 100.0  # a service without a p95 SLA in the catalog


def service_inputs(svc: Service, ir: ServiceIR, version: str) -> ServiceTemplate:
    """The templates' inputs for one service; `version` is the system's."""
    dep = ir.deployment
    store = dep.store
    kind = ir.store_kind
    relational = kind == "relational"
    schema = service_schema(svc, ir.stored, bool(ir.deadlines)) if relational else None
    repositories = _repositories(ir)
    return ServiceTemplate(
        service=ir.name, package=ir.package, port=dep.port,
        source=f"/{ir.system}/{ir.name}", description=ir.description,
        version=version or "0.0.0",
        dependencies=(kit_requirement(), *BASE_DEPENDENCIES, *STORE_DEPENDENCIES[kind]),
        test_dependencies=TEST_DEPENDENCIES, kit_distribution=KIT_DISTRIBUTION,
        kit_package=KIT_PACKAGE, kit_folder=KIT_FOLDER,
        store_module=STORE_MODULES[kind], store_kind=kind,
        models=ir.models, events=_unique_events(ir), stored=ir.stored,
        publishes=ir.publishes, consumes=ir.consumes, reactions=ir.reactions,
        machines=ir.machines, deadlines=ir.deadlines, endpoints=ir.endpoints,
        aliased_params=any(p != w for e in ir.endpoints for p, _, w in e.params),
        retry_attempts=ir.retry_attempts, retry_base_ms=ir.retry_base_ms,
        upstreams=ir.upstreams,
        store_env=store.url_env if store else "",
        store_default=(f"sqlite+aiosqlite:///./{store.database}.db" if relational and store
                       else "memory://"),
        needs_broker=bool(ir.publishes or ir.consumes),
        test_store_url=_TEST_STORE.get(kind, '"memory://"'),
        health_live=dep.health_live, health_ready=dep.health_ready,
        metrics_path=dep.metrics_path, kafka_defaults=KAFKA_CONSUMER_ENV,
        other_packages=ir.other_packages,
        min_body_limit=MIN_BODY_LIMIT, default_body_limit=DEFAULT_BODY_LIMIT,
        store_pool_size=STORE_POOL_SIZE, store_pool_timeout_s=STORE_POOL_TIMEOUT_S,
        admission_target_ms=admission_target_ms(svc),
        handler_types=handler_types(ir), repositories=repositories,
        repository_imports=_repository_imports(repositories),
        schema=schema,
        schema_uses_postgresql=schema is not None and any(
            c.type == JSON_TYPE for t in schema.tables for c in t.columns),
        archgen_tables=tuple(ArchgenTable(t, *_ARCHGEN_VARS[t.name])
                             for t in (schema.tables if schema else ())
                             if t.name in _ARCHGEN_VARS),
    )


def admission_target_ms(svc: Service) -> float:
    """The latency the kit's admission keeps requests under: half the catalog's p95 SLA
    (the other half is the queue in front of the service and the network), else 100 ms."""
    nfr = svc.spec.nfr
    p95 = nfr.latency_p95_ms if nfr is not None else None
    return p95 / 2 if p95 is not None else DEFAULT_ADMISSION_TARGET_MS


def handler_types(ir: ServiceIR) -> tuple[HandlerType, ...]:
    """Every handler a team may replace: endpoints (by their operationId) with their path
    parameters, request and response; then reactions (`on_<event>`, by the consumed
    event)."""
    names = [e.name for e in ir.endpoints] + [
        "on_" + e.name.replace(".", "_").replace("-", "_") for e in ir.consumes]
    types = class_names({n: pascal(n) + "Handler" for n in names}, _CONTRACT_NAMES)
    endpoints = [HandlerType(e.name, types[e.name], None, e.response,
                             ["Runtime", *(t for _, t, _ in e.params),
                              *([f"models.{e.request}"] if e.request else []),
                              *(["paging.PageRequest"] if e.action == "list" else [])],
                             _list_returns(e))
                 for e in ir.endpoints]
    reactions = [HandlerType(n, types[n], e.name, None, [])
                 for n, e in zip(names[len(ir.endpoints):], ir.consumes, strict=True)]
    return (*endpoints, *reactions)


def _list_returns(endpoint: EndpointIR) -> str | None:
    """A list handler answers a page (the route links the next) or the whole list."""
    if endpoint.action != "list" or endpoint.item is None:
        return None
    return f"paging.Page[{endpoint.item}] | {endpoint.response}"


def _repositories(ir: ServiceIR) -> tuple[RepositoryInputs, ...]:
    """One typed repository per stored model: its key, and a lookup per indexed field (the
    fields the endpoints and reactions look instances up by)."""
    classes = {m.name: m for m in ir.models}
    out: list[RepositoryInputs] = []
    for stored in ir.stored:
        fields = {f.alias or f.name: f for f in classes[stored.cls].fields}
        if stored.key not in fields:
            continue  # a model without fields: nothing to key it by
        lookups = tuple(Lookup(fields[i].name, i, fields[i].plain)
                        for i in stored.indexes if i in fields)
        out.append(RepositoryInputs(stored.name, stored.cls, stored.key,
                                    fields[stored.key].plain, lookups))
    return tuple(out)


def _repository_imports(repositories: tuple[RepositoryInputs, ...]) -> RepositoryImports:
    """The names the repositories' types use, by the module they come from."""
    used = " ".join(t for r in repositories
                    for t in (r.key_type, *(lookup.type for lookup in r.lookups)))

    def named(*names: str) -> tuple[str, ...]:
        return tuple(n for n in names if re.search(rf"\b{n}\b", used))

    return RepositoryImports(datetime=named("date", "datetime"), typing=named("Any", "Literal"),
                             uuid=named("UUID"))


def _unique_events(ir: ServiceIR) -> tuple[EventIR, ...]:
    seen: dict[str, EventIR] = {}
    for event in (*ir.publishes, *ir.consumes):
        seen.setdefault(event.cls, event)
    return tuple(seen.values())

"""The deployment model: how each part of the system runs, decided once.

Ports, images, health routes, environment variable names, store and broker
addresses, replicas and resources. The OpenAPI servers, the AsyncAPI server,
the generated services, compose, Helm, the gateway, the mesh and `archgen up`
all read this; none of them decides a default of its own.

Addresses here are the in-cluster / in-compose ones (a service reaches
`orders-db:5432`); a local runner overrides them through the same environment
variable names. Secret values never appear: a variable either has a plain
value or names the secret (and key) it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from archgen.model.resolved import (
    Dependency,
    ResolvedCatalog,
    Service,
    Topic,
    default_dependency,
)

DEFAULT_SERVICE_PORT = 8080
GATEWAY_PORT = 8000
GATEWAY_ADMIN_PORT = 9901
BROKER_PORT = 9092
HEALTH_LIVE = "/health/live"
HEALTH_READY = "/health/ready"
METRICS_PATH = "/metrics"
# The RED metrics every generated service exports at METRICS_PATH (Prometheus names and
# labels); the SLO rules and dashboards query them. Prometheus sets `job` to the service.
HTTP_REQUESTS_METRIC = "http_requests_total"  # labels: method, route, status
HTTP_DURATION_METRIC = "http_request_duration_seconds"  # histogram, same labels
HTTP_STATUS_LABEL = "status"
CONSUMER_LAG_METRIC = "kafka_consumergroup_lag"  # kafka-exporter's, label consumergroup
BROKER_HOST = "kafka"
BROKER_IMAGE = "apache/kafka:3.9.1"
GATEWAY_IMAGE = "envoyproxy/envoy:v1.32-latest"
# The gateway image per `gateway.technology` (Envoy's config is always emitted too).
GATEWAY_IMAGES: Mapping[str, str] = {"envoy": GATEWAY_IMAGE, "kong": "kong:3.9"}
# The JWT claim that names the client's rate-limit tier, and the header the gateway copies
# it to (`archgen token` signs tokens with it; clients cannot set the header themselves).
TIER_CLAIM = "tier"
TIER_HEADER = "x-archgen-tier"
DEFAULT_ROUTE_TIMEOUT_MS = 15_000  # Envoy's own route default when the catalog says nothing
AGGREGATOR_NAME = "gateway-aggregator"  # suffixed when a catalog service has the name
AGGREGATION_TIMEOUT_ENV = "AGGREGATION_TIMEOUT_MS"
# Observability parts compose runs, per technology the catalog's `infrastructure` names:
# (image pinned to a major version, port of its UI or API).
_OBSERVABILITY: Mapping[str, tuple[str, int]] = {
    "prometheus": ("prom/prometheus:v3.5.0", 9090),
    "grafana": ("grafana/grafana:12.1.0", 3000),
    "jaeger": ("jaegertracing/jaeger:2.9.0", 16686),
}
_OBSERVABILITY_DEFAULTS = {"monitoring": "prometheus", "dashboards": "grafana",
                           "tracing": "jaeger"}
# OTLP's standard OTLP/HTTP port, which Jaeger and Tempo both serve: the services (the
# kit's HTTP exporter) and the gateway send their spans there.
OTLP_HTTP_PORT = 4318
KAFKA_EXPORTER_IMAGE = "danielqsj/kafka-exporter:v1.9.0"  # consumer lag for the dashboard
KAFKA_EXPORTER_PORT = 9308
KAFKA_CONTROLLER_PORT = 9093  # KRaft's controller listener (compose runs one combined node)
DEFAULT_REPLICAS = (1, 3)  # min, max when the catalog says nothing
DEFAULT_CPU_TARGET_PCT = 70
DEFAULT_RESOURCES = ("100m", "128Mi")  # requests when the catalog says nothing

# Per store technology: image (pinned to a major version), port, URL scheme the
# generated code's driver uses, and the variable the URL arrives in.
_STORES: Mapping[str, tuple[str, int, str, str]] = {
    "postgresql": ("postgres:17", 5432, "postgresql+asyncpg", "DATABASE_URL"),
    "sqlite": ("", 0, "sqlite+aiosqlite", "DATABASE_URL"),
    "mongodb": ("mongo:7", 27017, "mongodb", "MONGODB_URL"),
    "redis": ("redis:7", 6379, "redis", "REDIS_URL"),
}
# When a store names a type but no technology.
_DEFAULT_TECHNOLOGY = {"relational": "postgresql", "document": "mongodb", "key-value": "redis"}

_KIND_OF = {"postgresql": "relational", "sqlite": "relational", "mongodb": "document",
            "redis": "key-value"}

_NOT_IDENT = re.compile(r"[^0-9A-Za-z]+")


@dataclass(frozen=True, slots=True)
class EnvVar:
    """One environment variable: a plain `value`, or the secret (`secret`, `key`) it comes from."""

    name: str
    value: str | None = None
    secret: str | None = None
    key: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class StoreDeployment:
    name: str  # the catalog's data_store.name, also its host name
    owner: str  # the one service that owns it
    kind: str  # relational | document | key-value
    technology: str  # postgresql | sqlite | mongodb | redis
    image: str  # "" for embedded stores (sqlite)
    port: int  # 0 for embedded stores
    database: str  # database (or key prefix) name inside the server
    scheme: str  # URL scheme of the generated code's driver
    url_env: str  # the variable the service reads its URL from
    secret: str  # the secret that holds the URL (with credentials)

    @property
    def host(self) -> str:
        return self.name

    def url(self, user: str = "app", password: str = "${PASSWORD}") -> str:
        """The in-cluster URL, with a password placeholder (never a real value)."""
        if self.technology == "sqlite":
            return f"{self.scheme}:///./{self.database}.db"
        if self.technology == "redis":
            return f"{self.scheme}://{self.host}:{self.port}/0"
        url = f"{self.scheme}://{user}:{password}@{self.host}:{self.port}/{self.database}"
        # The image's root user lives in MongoDB's admin database.
        return url + "?authSource=admin" if self.technology == "mongodb" else url


@dataclass(frozen=True, slots=True)
class TopicDeployment:
    name: str
    events: tuple[str, ...]
    partitions: int
    replication_factor: int
    retention_ms: int | None  # None: the broker's default
    key: str | None
    dead_letter_topic: str | None


# A `depends_on` call's defaults when neither the edge nor `communication.sync` says.
DEFAULT_CALL_TIMEOUT_MS = 2000  # per attempt
DEFAULT_RETRY_BASE_MS = 100  # first backoff; doubles per retry
MAX_BACKOFF_MS = 2000  # no backoff waits longer, unless the catalog's max_ms says less
DEFAULT_BREAKER = (5, 30.0)  # consecutive failures, seconds open (ejected) before a probe


@dataclass(frozen=True, slots=True)
class EdgeBudget:
    """The resilience budget of one `depends_on` call, split once between app and mesh.

    `timeout_ms` is per attempt and `attempts` counts the first call, as the catalog says
    (`retries: 2` is three attempts) and as the SLA rules add them up. The generated client
    owns every retry: it knows which calls are safe to repeat, and it runs the same way
    under compose, `archgen up` and Kubernetes, with or without a mesh. The mesh makes one
    attempt (Istio's default retries are switched off explicitly) and enforces `total_ms`,
    the whole budget, as a backstop that never cuts the client's last attempt short; it
    still ejects failing endpoints with the breaker's settings. So the catalog's attempts
    are the attempts on the wire: app_attempts x mesh_attempts == attempts.
    """

    caller: str
    callee: str
    timeout_ms: int
    attempts: int
    base_ms: int
    max_backoff_ms: int
    failure_threshold: int
    reset_s: float
    app_attempts: int
    mesh_attempts: int

    def backoff_ms(self, retry: int) -> int:
        """The wait before retry number `retry` (1-based): exponential, capped."""
        return min(self.base_ms << (retry - 1), self.max_backoff_ms)

    @property
    def total_ms(self) -> int:
        """The longest a caller can wait for this call: every attempt and every backoff."""
        return (self.attempts * self.timeout_ms
                + sum(self.backoff_ms(r) for r in range(1, self.attempts)))


@dataclass(frozen=True, slots=True)
class Upstream:
    service: str
    url_env: str  # e.g. PAYMENT_SERVICE_URL
    url: str  # in-cluster default
    budget: EdgeBudget


@dataclass(frozen=True, slots=True)
class ServiceDeployment:
    name: str
    package: str  # the Python package of the generated service (order_service)
    port: int
    image: str
    health_live: str
    health_ready: str
    metrics_path: str
    consumer_group: str | None  # None when it consumes nothing
    store: StoreDeployment | None
    upstreams: tuple[Upstream, ...]
    publishes_topics: tuple[str, ...]
    consumes_topics: tuple[str, ...]
    replicas_min: int
    replicas_max: int
    cpu_target_pct: int
    cpu_request: str
    memory_request: str
    cpu_limit: str | None
    memory_limit: str | None
    env: tuple[EnvVar, ...]

    @property
    def url(self) -> str:
        return f"http://{self.name}:{self.port}"


@dataclass(frozen=True, slots=True)
class BrokerDeployment:
    technology: str
    host: str
    port: int
    image: str
    env: str  # the variable services read the bootstrap servers from

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class GatewayDeployment:
    technology: str  # kong | envoy | none
    port: int
    admin_port: int
    image: str
    route_timeout_ms: int  # per public route (communication.sync.timeout_ms)
    route_retries: int  # retries of idempotent routes (communication.sync.retries)


@dataclass(frozen=True, slots=True)
class ObservabilityPart:
    role: str  # monitoring | dashboards | tracing
    technology: str
    image: str
    port: int

    @property
    def host(self) -> str:
        return self.technology


@dataclass(frozen=True)
class Deployment:
    system: str  # also the namespace, the compose project and the chart name
    broker: BrokerDeployment | None
    gateway: GatewayDeployment | None
    services: Mapping[str, ServiceDeployment]
    stores: Mapping[str, StoreDeployment]
    topics: Mapping[str, TopicDeployment]
    observability: Mapping[str, ObservabilityPart] = field(default_factory=dict)  # by role
    # The workload serving the gateway's aggregations; None when the catalog has none.
    aggregator: ServiceDeployment | None = None

    def edges(self) -> list[EdgeBudget]:
        """Every `depends_on` call between two services, by callee then caller."""
        return sorted((u.budget for s in self.services.values() for u in s.upstreams),
                      key=lambda b: (b.callee, b.caller))


def env_name(name: str) -> str:
    """`payment-service` -> `PAYMENT_SERVICE` (the part of a variable name a name gives)."""
    return _NOT_IDENT.sub("_", name).strip("_").upper() or "X"


# Top-level modules a generated service imports, directly or through its dependencies: a
# package of one of these names would shadow it (the service's `src` comes first on the path).
_SERVICE_IMPORTS = frozenset({
    "aiokafka", "aiosqlite", "alembic", "annotated_types", "anyio", "archgen_service_kit",
    "async_timeout", "asyncpg",
    "bson", "certifi", "click", "dns", "fastapi", "greenlet", "gridfs", "h11", "httpcore",
    "httpx", "idna", "kafka", "mako", "mongomock_motor", "opentelemetry", "prometheus_client",
    "purgatory", "pydantic", "pydantic_core", "pydantic_settings", "pymongo", "pytest", "redis",
    "sniffio", "sqlalchemy", "starlette", "tenacity", "typing_extensions", "uvicorn"})
# Standard modules removed in later Pythons: still shadowed on the older ones, and named
# here so that a package name does not depend on the Python that generates it.
_REMOVED_STDLIB = frozenset({
    "aifc", "asynchat", "asyncore", "audioop", "cgi", "cgitb", "chunk", "crypt", "distutils",
    "imghdr", "imp", "lib2to3", "mailcap", "msilib", "nis", "nntplib", "ossaudiodev", "pipes",
    "smtpd", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib"})


def package_name(name: str) -> str:
    """`order-service` -> `order_service`; a name starting with a digit, a Python keyword
    (`async`) or a module the service imports (`email`, `redis`) gets a prefix."""
    import keyword
    import sys

    ident = _NOT_IDENT.sub("_", name).strip("_").lower() or "service"
    taken = (ident[0].isdigit() or keyword.iskeyword(ident) or ident in _SERVICE_IMPORTS
             or ident in sys.stdlib_module_names or ident in _REMOVED_STDLIB)
    return f"svc_{ident}" if taken else ident


def deployment(catalog: ResolvedCatalog) -> Deployment:
    """The deployment model of a resolved catalog (pure, deterministic)."""
    system = catalog.system.name
    broker = _broker(catalog)
    stores = {s.name: s for s in (_store(svc) for svc in catalog.services.values()) if s}
    topics = {name: _topic(t) for name, t in sorted(catalog.topics.items())}
    topic_of = {e: t.name for t in topics.values() for e in t.events}
    services = {name: _service(svc, catalog, broker, topic_of)
                for name, svc in sorted(catalog.services.items())}
    gateway = _gateway(catalog)
    return Deployment(system, broker, gateway, services, dict(sorted(stores.items())),
                      topics, _observability(catalog), _aggregator(catalog, gateway))


def _observability(catalog: ResolvedCatalog) -> dict[str, ObservabilityPart]:
    """The monitoring, dashboard and tracing parts `infrastructure` names (defaults otherwise);
    a technology archgen has no image for is left out."""
    infra = catalog.infrastructure
    named = {"monitoring": infra.monitoring.technology if infra and infra.monitoring else None,
             "dashboards": infra.monitoring.dashboards if infra and infra.monitoring else None,
             "tracing": infra.tracing.technology if infra and infra.tracing else None}
    parts = {}
    for role, default in _OBSERVABILITY_DEFAULTS.items():
        technology = (named[role] or default).lower()
        if technology in _OBSERVABILITY:
            image, port = _OBSERVABILITY[technology]
            parts[role] = ObservabilityPart(role, technology, image, port)
    return parts


def _broker(catalog: ResolvedCatalog) -> BrokerDeployment | None:
    if catalog.event_bus is None and not catalog.topics:
        return None
    technology = (catalog.event_bus.technology if catalog.event_bus else None) or "kafka"
    return BrokerDeployment(technology, BROKER_HOST, BROKER_PORT, BROKER_IMAGE,
                            "KAFKA_BOOTSTRAP_SERVERS")


def _gateway(catalog: ResolvedCatalog) -> GatewayDeployment | None:
    gw = catalog.gateway
    if gw is None or gw.technology in (None, "none"):
        return None
    sync = catalog.communication.sync if catalog.communication else None
    timeout = sync.timeout_ms if sync and sync.timeout_ms else DEFAULT_ROUTE_TIMEOUT_MS
    attempts = sync.retries.max_attempts if sync and sync.retries else None
    return GatewayDeployment(gw.technology, GATEWAY_PORT, GATEWAY_ADMIN_PORT,
                             GATEWAY_IMAGES.get(gw.technology, GATEWAY_IMAGE), timeout,
                             max(0, (attempts or 1) - 1))


def aggregation_services(catalog: ResolvedCatalog) -> list[str]:
    """The known services the gateway's aggregations call, sorted."""
    gw = catalog.gateway
    called = {call.split(" ", 1)[0] for agg in (gw.aggregations.values() if gw else ())
              for call in agg.calls}
    return sorted(called & set(catalog.services))


def _aggregator(catalog: ResolvedCatalog, gateway: GatewayDeployment | None
                ) -> ServiceDeployment | None:
    """The aggregation service beside the gateway: Envoy and Kong route each aggregation to
    it; it calls the services concurrently, each call with the budget of a `depends_on` edge
    that declares nothing (communication.sync's), all within the gateway's route timeout."""
    gw = catalog.gateway
    if gateway is None or gw is None or not gw.aggregations:
        return None
    name, n = AGGREGATOR_NAME, 1
    while name in catalog.services:
        n += 1
        name = f"{AGGREGATOR_NAME}-{n}"
    upstreams = tuple(Upstream(s, f"{env_name(s)}_URL",
                               f"http://{s}:{_port(catalog.services[s])}",
                               edge_budget(default_dependency(catalog, name, s)))
                      for s in aggregation_services(catalog))
    replicas = gw.nfr.replicas if gw.nfr else None
    rmin = replicas.min if replicas and replicas.min is not None else DEFAULT_REPLICAS[0]
    rmax = replicas.max if replicas and replicas.max is not None else max(rmin, DEFAULT_REPLICAS[1])
    env = (*_env(name, DEFAULT_SERVICE_PORT, None, upstreams, None, consumes=False),
           EnvVar(AGGREGATION_TIMEOUT_ENV, str(gateway.route_timeout_ms),
                  description="the gateway's route timeout: one aggregation, every call in"))
    return ServiceDeployment(
        name=name, package=package_name(name), port=DEFAULT_SERVICE_PORT,
        image=f"{catalog.system.name}/{name}:latest", health_live=HEALTH_LIVE,
        health_ready=HEALTH_READY, metrics_path=METRICS_PATH, consumer_group=None, store=None,
        upstreams=upstreams, publishes_topics=(), consumes_topics=(), replicas_min=rmin,
        replicas_max=max(rmin, rmax),
        cpu_target_pct=(replicas.cpu_target_pct if replicas and replicas.cpu_target_pct
                        else DEFAULT_CPU_TARGET_PCT),
        cpu_request=DEFAULT_RESOURCES[0], memory_request=DEFAULT_RESOURCES[1], cpu_limit=None,
        memory_limit=None, env=env)


def _store(svc: Service) -> StoreDeployment | None:
    ds = svc.data_store
    if ds is None or ds.type == "none":
        return None
    technology = ds.technology or _DEFAULT_TECHNOLOGY.get(ds.type or "", "")
    if technology not in _STORES:
        return None
    kind = ds.type or _KIND_OF[technology]
    image, port, scheme, url_env = _STORES[technology]
    name = ds.name or f"{svc.name}-db"
    return StoreDeployment(name=name, owner=svc.name, kind=kind, technology=technology,
                           image=image, port=port, database=package_name(name),
                           scheme=scheme, url_env=url_env, secret=f"{name}-credentials")


def _topic(topic: Topic) -> TopicDeployment:
    retention = int(topic.retention_s * 1000) if topic.retention_s is not None else None
    return TopicDeployment(topic.name, topic.events, topic.partitions or 1,
                           topic.replication_factor or 1, retention, topic.key,
                           f"{topic.name}.dlq" if topic.dead_letter else None)


def _service(svc: Service, catalog: ResolvedCatalog, broker: BrokerDeployment | None,
             topic_of: Mapping[str, str]) -> ServiceDeployment:
    port = _port(svc)
    store = _store(svc)
    upstreams = tuple(Upstream(d.target, f"{env_name(d.target)}_URL",
                               f"http://{d.target}:{_port(catalog.services[d.target])}",
                               edge_budget(d))
                      for d in svc.dependencies if d.known and d.target in catalog.services)
    publishes = tuple(sorted({topic_of[p.event] for p in svc.publishes if p.event in topic_of}))
    consumes = tuple(sorted({topic_of[c.event] for c in svc.consumes if c.event in topic_of}))
    nfr = svc.nfr
    replicas = nfr.replicas if nfr else None
    resources = nfr.resources if nfr else None
    rmin = replicas.min if replicas and replicas.min is not None else DEFAULT_REPLICAS[0]
    rmax = replicas.max if replicas and replicas.max is not None else max(rmin, DEFAULT_REPLICAS[1])
    return ServiceDeployment(
        name=svc.name, package=package_name(svc.name), port=port,
        image=f"{catalog.system.name}/{svc.name}:latest",
        health_live=HEALTH_LIVE, health_ready=HEALTH_READY, metrics_path=METRICS_PATH,
        consumer_group=svc.name if svc.consumes else None,
        store=store, upstreams=upstreams, publishes_topics=publishes, consumes_topics=consumes,
        replicas_min=rmin, replicas_max=max(rmin, rmax),
        cpu_target_pct=(replicas.cpu_target_pct if replicas and replicas.cpu_target_pct
                        else DEFAULT_CPU_TARGET_PCT),
        cpu_request=(resources.cpu if resources and resources.cpu else DEFAULT_RESOURCES[0]),
        memory_request=(resources.memory if resources and resources.memory
                        else DEFAULT_RESOURCES[1]),
        cpu_limit=resources.cpu_limit if resources else None,
        memory_limit=(resources.memory_limit or resources.memory) if resources else None,
        env=_env(svc.name, port, store, upstreams, broker if (publishes or consumes) else None,
                 consumes=bool(svc.consumes)),
    )


def edge_budget(dep: Dependency) -> EdgeBudget:
    """The budget of one call, after `communication.sync` (already merged into `dep`)."""
    retry, breaker = dep.retry, dep.circuit_breaker
    max_backoff = min(MAX_BACKOFF_MS, retry.max_ms) if retry and retry.max_ms else MAX_BACKOFF_MS
    return EdgeBudget(
        caller=dep.source, callee=dep.target,
        timeout_ms=dep.timeout_ms or DEFAULT_CALL_TIMEOUT_MS, attempts=dep.attempts,
        base_ms=retry.base_ms if retry and retry.base_ms is not None else DEFAULT_RETRY_BASE_MS,
        max_backoff_ms=max_backoff,
        failure_threshold=(breaker.failure_threshold if breaker and breaker.failure_threshold
                           else DEFAULT_BREAKER[0]),
        reset_s=breaker.reset_s if breaker and breaker.reset_s else DEFAULT_BREAKER[1],
        app_attempts=dep.attempts, mesh_attempts=1)


def _port(svc: Service) -> int:
    return svc.spec.port or DEFAULT_SERVICE_PORT


# Consumer group settings: Kafka's defaults, which a local run or a test shortens
# (docs/runtime-notes.md: a join takes about half the session timeout on tansu).
KAFKA_CONSUMER_ENV = (
    ("KAFKA_SESSION_TIMEOUT_MS", "10000"),
    ("KAFKA_HEARTBEAT_INTERVAL_MS", "3000"),
    ("KAFKA_REBALANCE_TIMEOUT_MS", "10000"),
    ("KAFKA_FETCH_MAX_WAIT_MS", "100"),
    # Handled offsets are committed together once per interval: a commit per message
    # was much of what the broker did per event.
    ("KAFKA_COMMIT_INTERVAL_MS", "1000"),
)

# A service's store connection pool: its size, and how long a request waits for a free
# connection before it is answered 503 with Retry-After.
STORE_POOL_SIZE = 10
STORE_POOL_TIMEOUT_S = 2.0


def _env(name: str, port: int, store: StoreDeployment | None, upstreams: tuple[Upstream, ...],
         broker: BrokerDeployment | None, consumes: bool) -> tuple[EnvVar, ...]:
    env = [EnvVar("SERVICE_NAME", name, description="the service's name in logs and traces"),
           EnvVar("PORT", str(port), description="the HTTP port uvicorn listens on"),
           EnvVar("LOG_LEVEL", "INFO"),
           EnvVar("OTEL_EXPORTER_OTLP_ENDPOINT", "",
                  description="OTLP endpoint for traces; empty turns tracing off")]
    if store is not None:
        env.append(EnvVar(store.url_env, secret=store.secret, key="url",
                          description=f"URL of {store.name} ({store.technology})"))
        env.append(EnvVar("STORE_POOL_SIZE", str(STORE_POOL_SIZE),
                          description="connections to the store, per process"))
        env.append(EnvVar("STORE_POOL_TIMEOUT_S", str(STORE_POOL_TIMEOUT_S),
                          description="seconds a request waits for a store connection, "
                                      "then 503"))
    if broker is not None:
        env.append(EnvVar(broker.env, broker.bootstrap, description="Kafka bootstrap servers"))
        if consumes:
            env.append(EnvVar("KAFKA_CONSUMER_GROUP", name, description="consumer group id"))
            env.extend(EnvVar(k, v) for k, v in KAFKA_CONSUMER_ENV)
    env.extend(EnvVar(u.url_env, u.url, description=f"base URL of {u.service}")
               for u in upstreams)
    return tuple(env)

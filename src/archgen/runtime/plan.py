"""What `archgen up` starts, in which order, with which settings: parts in stages.

Stage 1 the stores and the broker; then every service, the aggregation service and
the gateway together. A service's start needs its store and the broker, never its
upstreams: it calls none before a request or a message asks it to, and its clients
retry and break circuits; `up` says ready only once every part is. So levels of
upstreams waited on one after another only cost time (four levels: half of a
40-service start). With --keep-data the stores may hold work from the last run (an
outbox to relay, deadlines due) that a service starts on at once, calling its
upstreams: then the services start by their synchronous dependencies as before
(upstreams first; a generation together), the gateway and the aggregation service last.
Env var names come from the deployment model; only the addresses are local.
"""

from __future__ import annotations

import graphlib
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archgen.runtime.gateway import GatewayConfig, local_bootstrap
from archgen.runtime.parts import Broker, Envoy, Part, Postgres, Service, TopicSpec, Valkey
from archgen.runtime.ports import LOCALHOST, free_port

if TYPE_CHECKING:
    from archgen.model.deployment import Deployment, ServiceDeployment, StoreDeployment
    from archgen.model.resolved import ResolvedCatalog

# A local broker answers fast: short group timings make consumers join in ~1 s
# instead of ~5-18 s (docs/runtime-notes.md). The fetch wait is the idle cost against the
# latency of each hop: tansu reads every partition a fetch asks for, then sleeps the whole
# wait without waking for a new message, so an idle consumer sends 1000/wait fetches a
# second and a message waits up to one fetch wait before it is read. 25 ms keeps that
# under the 20-25 ms a hop may take; heartbeats every 300 ms still notice a rebalance
# well within the 1 s session. A value set in the environment of `archgen up` wins.
LOCAL_KAFKA_ENV = {
    "KAFKA_SESSION_TIMEOUT_MS": "1000",
    "KAFKA_HEARTBEAT_INTERVAL_MS": "300",
    "KAFKA_REBALANCE_TIMEOUT_MS": "1000",
    "KAFKA_FETCH_MAX_WAIT_MS": "25",
}
# tansu answers a waiting fetch of a many-partition topic only when the wait ends, so an
# idle consumer asks again every wait: at 10 ms, the 35 consumers of a 40-service system
# kept tansu busy half a core and doubled the start-up's CPU (bench/up_scale.py). The
# wait grows with the consumers so that the broker answers at most this many idle
# fetches a second (the blueprint's few consumers keep the 25 ms floor).
IDLE_FETCHES_PER_S = 500
# --embedded: `sqlite` runs relational stores as SQLite files; `memory` keeps document
# stores (MongoDB: no server ships as a wheel) in the service's own process.
EMBEDDED_CHOICES = ("sqlite", "memory")
MEMORY_URL = "memory://"


class PlanError(Exception):
    """The system cannot run here as asked; one line per reason."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = tuple(lines)


@dataclass(frozen=True)
class UpOptions:
    embedded: frozenset[str] = frozenset()  # of EMBEDDED_CHOICES
    store_urls: Mapping[str, str] = field(default_factory=dict)  # store name -> existing server
    gateway_port: int = 0  # 0: a free port
    data_dir: Path | None = None  # --keep-data: the stores' data lives here across runs


@dataclass
class Plan:
    stages: list[list[Part]]
    services: dict[str, Service]
    gateway: Envoy | None
    notes: list[str]
    aggregator: Service | None = None  # serves the gateway's aggregations


def build_plan(catalog: ResolvedCatalog, dep: Deployment, output: Path, run_dir: Path,
               options: UpOptions, jwks: str | None, *, gateway: GatewayConfig,
               traces: str | None = None) -> Plan:
    """What to start; `gateway` makes the gateway's bootstrap (the plan's, from the
    pipeline), whose spans go to the OTLP/HTTP URL `traces` (the dashboard's receiver)."""
    urls, infra, errors = _stores(dep, run_dir, options)
    unknown = sorted(set(options.store_urls) - set(dep.stores))
    errors += [f"--store names {n!r}, which is no data store of {dep.system}" for n in unknown]
    if errors:
        raise PlanError(errors)
    broker = None
    if dep.broker is not None:
        broker = Broker("broker", free_port(), topics=_topics(dep))
        infra.insert(0, broker)
    ports = {name: free_port() for name in dep.services}
    kafka = _local_kafka(sum(sd.consumer_group is not None for sd in dep.services.values()))
    services = {name: _service(sd, output.resolve(), ports, urls, broker, kafka=kafka)
                for name, sd in dep.services.items()}
    notes: list[str] = []
    aggregator = None
    if dep.aggregator is not None:  # started with the gateway: it needs nobody to be ready
        ports[dep.aggregator.name] = free_port()
        aggregator = _service(dep.aggregator, output.resolve(), ports, urls, broker,
                              folder=output.resolve() / "aggregator", kafka=kafka)
    envoy = _gateway(gateway, dep, {**services, **_named(aggregator)}, options, jwks, notes,
                     run_dir, traces)
    last: list[Part] = [p for p in (aggregator, envoy) if p is not None]
    stages: list[list[Part]] = [infra] if infra else []
    if options.data_dir is not None:  # kept work may call upstreams at once: theirs first
        stages += [[services[n] for n in gen] for gen in _generations(catalog, list(services))]
        stages += [last] if last else []
    elif services or last:  # nothing waits on an upstream: all together
        stages.append([*services.values(), *last])
    return Plan(stages, services, envoy, notes, aggregator)


def _named(part: Service | None) -> dict[str, Service]:
    return {part.name: part} if part is not None else {}


def _stores(dep: Deployment, run_dir: Path, options: UpOptions
            ) -> tuple[dict[str, str], list[Part], list[str]]:
    """Each store's URL, the servers to start for them, and why a store cannot run here."""
    urls: dict[str, str] = {}
    errors: list[str] = []
    valkeys: list[Part] = []
    kept = options.data_dir
    postgres = Postgres("postgres", 0, kept_data=kept)
    postgres.socket_dir = run_dir / "postgres" / "socket"  # where prepare() puts it
    databases: list[str] = []
    for store in dep.stores.values():
        if store.name in options.store_urls:
            urls[store.name] = options.store_urls[store.name]
        elif store.technology == "sqlite" or (store.kind == "relational"
                                              and "sqlite" in options.embedded):
            folder = run_dir if kept is None else kept
            urls[store.name] = f"sqlite+aiosqlite:///{folder / store.database}.db"
        elif store.technology == "postgresql":
            databases.append(store.database)
            urls[store.name] = postgres.database_url(store.database)
        elif store.technology == "mongodb" and "memory" in options.embedded:
            urls[store.name] = MEMORY_URL
        elif store.technology == "redis":
            valkey = Valkey(store.name, free_port(), kept_data=kept)
            valkeys.append(valkey)
            urls[store.name] = valkey.client_url
        else:
            errors.append(_cannot_run(store))
    parts: list[Part] = []
    if databases:
        postgres.databases = tuple(databases)
        parts.append(postgres)
    return urls, parts + valkeys, errors


def _cannot_run(store: StoreDeployment) -> str:
    example = f"{store.scheme}://127.0.0.1:{store.port}/{store.database}"
    return (f"{store.name} ({store.technology}, owned by {store.owner}) cannot run here: no "
            f"{store.technology} server ships as a Python wheel; pass --embedded memory to keep "
            f"its data in the service's memory, or start a server and pass "
            f"--store {store.name}={example}")


def _topics(dep: Deployment) -> list[TopicSpec]:
    topics = []
    for topic in dep.topics.values():
        topics.append(TopicSpec(topic.name, topic.partitions))
        if topic.dead_letter_topic:
            topics.append(TopicSpec(topic.dead_letter_topic, 1))
    return topics


def _local_kafka(consumers: int) -> dict[str, str]:
    """LOCAL_KAFKA_ENV with the fetch wait of `consumers` consuming services."""
    floor = int(LOCAL_KAFKA_ENV["KAFKA_FETCH_MAX_WAIT_MS"])
    wait = max(floor, math.ceil(consumers * 1000 / IDLE_FETCHES_PER_S))
    return {**LOCAL_KAFKA_ENV, "KAFKA_FETCH_MAX_WAIT_MS": str(wait)}


def _service(sd: ServiceDeployment, output: Path, ports: Mapping[str, int],
             store_urls: Mapping[str, str], broker: Broker | None,
             folder: Path | None = None, kafka: Mapping[str, str] = LOCAL_KAFKA_ENV
             ) -> Service:
    env = {var.name: var.value for var in sd.env if var.value is not None}
    env["PORT"] = str(ports[sd.name])
    env["OTEL_EXPORTER_OTLP_ENDPOINT"] = ""
    if sd.store is not None and sd.store.name in store_urls:
        env[sd.store.url_env] = store_urls[sd.store.name]
    if broker is not None and any(v.name == "KAFKA_BOOTSTRAP_SERVERS" for v in sd.env):
        env["KAFKA_BOOTSTRAP_SERVERS"] = f"{LOCALHOST}:{broker.port}"
    # The developer's own value wins: KAFKA_FETCH_MAX_WAIT_MS=10 for the lowest latency.
    env.update({k: os.environ.get(k, v) for k, v in kafka.items() if k in env})
    for upstream in sd.upstreams:
        env[upstream.url_env] = f"http://{LOCALHOST}:{ports[upstream.service]}"
    return Service(sd.name, ports[sd.name], package=sd.package,
                   folder=folder or output / "services" / sd.name, env=env,
                   ready_path=sd.health_ready)


def _generations(catalog: ResolvedCatalog, names: list[str]) -> list[list[str]]:
    """Services grouped so that each one's synchronous upstreams are in an earlier group."""
    graph = {n: {d.target for d in catalog.services[n].dependencies
                 if d.known and d.target in names and d.target != n} for n in names}
    sorter = graphlib.TopologicalSorter(graph)
    try:
        sorter.prepare()
    except graphlib.CycleError:  # a cycle (the validator warns): start them all together
        return [sorted(names)]
    generations = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        generations.append(ready)
        sorter.done(*ready)
    return generations


def _gateway(config: GatewayConfig, dep: Deployment, services: Mapping[str, Service],
             options: UpOptions, jwks: str | None, notes: list[str], run_dir: Path,
             traces: str | None) -> Envoy | None:
    if dep.gateway is None:
        notes.append("gateway: the catalog has none; call the services directly")
        return None
    port = options.gateway_port or free_port()
    admin = run_dir / "envoy-admin.sock"  # in the run's folder, which others cannot list
    upstreams = {name: (LOCALHOST, svc.port) for name, svc in services.items()}
    bootstrap = local_bootstrap(config, upstreams, jwks, port, admin, traces)
    return Envoy("gateway", port, bootstrap=bootstrap, admin_socket=admin)

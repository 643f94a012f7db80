"""compose.yaml's services: the system's services, stores, Kafka, gateway, observability."""

from __future__ import annotations

import shlex
from graphlib import CycleError, TopologicalSorter
from typing import Any

from archgen.generators.common import Ordered
from archgen.generators.compose.files import EXPORTER, needs_password, password_var
from archgen.generators.quantities import cpus, megabytes
from archgen.model.deployment import (
    KAFKA_CONTROLLER_PORT,
    KAFKA_EXPORTER_IMAGE,
    KAFKA_EXPORTER_PORT,
    OTLP_HTTP_PORT,
    BrokerDeployment,
    Deployment,
    ServiceDeployment,
    StoreDeployment,
)
from archgen.output import GenerationContext

TOPICS_JOB = "kafka-topics"
KAFKA_BIN = "/opt/kafka/bin"
HEALTHY = {"condition": "service_healthy"}
ROOT = "../.."  # deploy/compose/ -> the output folder holding services/
AGGREGATOR_CONTEXT = f"{ROOT}/aggregator"  # the aggregator generator's folder


def compose_document(ctx: GenerationContext) -> Ordered:
    d = ctx.deployment
    services: dict[str, Any] = {}
    for store in d.stores.values():
        if store.image:
            services[store.name] = _store(store)
    if d.broker is not None:
        services[d.broker.host] = _kafka(d.broker)
        services[TOPICS_JOB] = _topics_job(d, d.broker)
        services[EXPORTER] = _exporter(d.broker)
    callers = _acyclic_upstreams(d)
    for name, svc in d.services.items():
        services[name] = _service(d, svc, callers[name])
    if d.aggregator is not None:  # ready on its own: the services it calls may start later
        services[d.aggregator.name] = _service(d, d.aggregator, [], AGGREGATOR_CONTEXT)
    if d.gateway is not None:
        services["gateway"] = _gateway(d)
    services.update(_observability(d))
    volumes: dict[str, Any] = {f"{s.name}-data": {} for s in d.stores.values() if s.image}
    return Ordered(name=d.system, services=services, volumes=volumes)


def _healthcheck(test: list[str], start: str = "10s") -> dict[str, Any]:
    return {"test": test, "interval": "10s", "timeout": "5s", "retries": 5,
            "start_period": start}


def _store(store: StoreDeployment) -> dict[str, Any]:
    password = f"${{{password_var(store)}:?set {password_var(store)} in .env}}"
    spec: dict[str, Any] = {"image": store.image, "restart": "unless-stopped"}
    if store.technology == "postgresql":
        spec["environment"] = {"POSTGRES_USER": "app", "POSTGRES_DB": store.database,
                               "POSTGRES_PASSWORD": password}
        spec["healthcheck"] = _healthcheck(
            ["CMD", "pg_isready", "-U", "app", "-d", store.database])
        spec["volumes"] = [f"{store.name}-data:/var/lib/postgresql/data"]
    elif store.technology == "mongodb":
        spec["environment"] = {"MONGO_INITDB_ROOT_USERNAME": "app",
                               "MONGO_INITDB_ROOT_PASSWORD": password}
        spec["healthcheck"] = _healthcheck(
            ["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand('ping').ok"])
        spec["volumes"] = [f"{store.name}-data:/data/db"]
    else:  # redis: reachable only on the compose network
        spec["healthcheck"] = _healthcheck(["CMD", "redis-cli", "ping"])
        spec["volumes"] = [f"{store.name}-data:/data"]
    return spec


def _kafka(broker: BrokerDeployment) -> dict[str, Any]:
    host, port = broker.host, broker.port
    return {
        "image": broker.image, "restart": "unless-stopped",
        "environment": {
            "KAFKA_NODE_ID": "1", "KAFKA_PROCESS_ROLES": "broker,controller",
            "KAFKA_LISTENERS": f"PLAINTEXT://:{port},CONTROLLER://:{KAFKA_CONTROLLER_PORT}",
            "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://{host}:{port}",
            "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "KAFKA_CONTROLLER_QUORUM_VOTERS": f"1@{host}:{KAFKA_CONTROLLER_PORT}",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
            "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
            "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
        },
        "healthcheck": _healthcheck([
            "CMD", f"{KAFKA_BIN}/kafka-broker-api-versions.sh", "--bootstrap-server",
            f"localhost:{port}"], start="20s"),
    }


def _topics_job(d: Deployment, broker: BrokerDeployment) -> dict[str, Any]:
    """Create every topic and dead-letter topic once (one broker here: replication 1)."""
    commands = []
    for topic in d.topics.values():
        names = [topic.name] + ([topic.dead_letter_topic] if topic.dead_letter_topic else [])
        for name in names:
            args = [f"{KAFKA_BIN}/kafka-topics.sh", "--bootstrap-server", broker.bootstrap,
                    "--create", "--if-not-exists", "--topic", name,
                    "--partitions", str(topic.partitions), "--replication-factor", "1"]
            if topic.retention_ms is not None:
                args += ["--config", f"retention.ms={topic.retention_ms}"]
            commands.append(shlex.join(args))
    return {"image": broker.image, "restart": "no",
            "command": ["/bin/sh", "-ec", "\n".join(commands) or "true"],
            "depends_on": {broker.host: HEALTHY}}


def _exporter(broker: BrokerDeployment) -> dict[str, Any]:
    return {"image": KAFKA_EXPORTER_IMAGE, "restart": "unless-stopped",
            "command": [f"--kafka.server={broker.bootstrap}"],
            "depends_on": {broker.host: HEALTHY},
            "healthcheck": _healthcheck(["CMD", "wget", "-q", "-O", "/dev/null",
                                         f"http://127.0.0.1:{KAFKA_EXPORTER_PORT}/metrics"])}


def _acyclic_upstreams(d: Deployment) -> dict[str, list[str]]:
    """Each service's upstreams, or none at all when `depends_on` has a cycle: compose
    cannot start a cycle in dependency order (archgen validate reports the cycle)."""
    graph = {name: [u.service for u in svc.upstreams if u.service in d.services]
             for name, svc in d.services.items()}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError:
        return {name: [] for name in graph}
    return graph


def _service(d: Deployment, svc: ServiceDeployment, upstreams: list[str],
             context: str | None = None) -> dict[str, Any]:
    """A generated service's container; `context` is its build folder (default: services/,
    with the service's own Dockerfile)."""
    env: dict[str, str] = {}
    for var in svc.env:
        if var.secret is not None and svc.store is not None:
            env[var.name] = svc.store.url(
                password=f"${{{password_var(svc.store)}:?set {password_var(svc.store)} in .env}}"
                if needs_password(svc.store) else "")
        else:
            env[var.name] = var.value or ""
    tracing = d.observability.get("tracing")
    if tracing is not None and "OTEL_EXPORTER_OTLP_ENDPOINT" in env:
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = f"http://{tracing.host}:{OTLP_HTTP_PORT}"
    depends: dict[str, Any] = {}
    if svc.store is not None and svc.store.image:
        depends[svc.store.name] = HEALTHY
    if d.broker is not None and (svc.publishes_topics or svc.consumes_topics):
        depends[d.broker.host] = HEALTHY
        depends[TOPICS_JOB] = {"condition": "service_completed_successfully"}
    depends.update(dict.fromkeys(upstreams, HEALTHY))
    limits = {"cpus": cpus(svc.cpu_limit or svc.cpu_request),
              "memory": megabytes(svc.memory_limit or svc.memory_request)}
    reservations = {"cpus": cpus(svc.cpu_request), "memory": megabytes(svc.memory_request)}
    spec: dict[str, Any] = {
        # A service builds from services/, where the service kit it installs is.
        "build": ({"context": context, "dockerfile": "Dockerfile"} if context else
                  {"context": f"{ROOT}/services", "dockerfile": f"{svc.name}/Dockerfile"}),
        "image": svc.image, "restart": "unless-stopped", "environment": env,
        "read_only": True, "tmpfs": ["/tmp"],
        "healthcheck": _healthcheck(["CMD", "python", "-c", (
            "import urllib.request; urllib.request.urlopen("
            f"'http://127.0.0.1:{svc.port}{svc.health_ready}', timeout=4)")]),
        "deploy": {"resources": {"limits": limits, "reservations": reservations}},
    }
    if depends:
        spec["depends_on"] = depends
    return spec


def _gateway(d: Deployment) -> dict[str, Any]:
    gw = d.gateway
    assert gw is not None
    spec: dict[str, Any] = {"image": gw.image, "restart": "unless-stopped",
                            "ports": [f"{gw.port}:{gw.port}"],
                            "depends_on": dict.fromkeys(sorted(
                                [*d.services, *([d.aggregator.name] if d.aggregator else [])]),
                                HEALTHY)}
    if gw.technology == "kong":
        spec["environment"] = {"KONG_DATABASE": "off",
                               "KONG_DECLARATIVE_CONFIG": "/kong/kong.yaml",
                               "KONG_PROXY_LISTEN": f"0.0.0.0:{gw.port}",
                               "KONG_NGINX_PROXY_GZIP": "on"}
        spec["volumes"] = ["../gateway/kong.yaml:/kong/kong.yaml:ro"]
        spec["healthcheck"] = _healthcheck(["CMD", "kong", "health"])
    else:
        spec["command"] = ["envoy", "-c", "/etc/envoy/envoy.yaml"]
        spec["volumes"] = ["../gateway/envoy.yaml:/etc/envoy/envoy.yaml:ro"]
        spec["healthcheck"] = _healthcheck(
            ["CMD", "bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{gw.port}"])
    return spec


def _observability(d: Deployment) -> dict[str, Any]:
    parts: dict[str, Any] = {}
    monitoring = d.observability.get("monitoring")
    if monitoring is not None:
        parts[monitoring.host] = {
            "image": monitoring.image, "restart": "unless-stopped",
            "ports": [f"{monitoring.port}:{monitoring.port}"],
            "volumes": ["./prometheus.yml:/etc/prometheus/prometheus.yml:ro",
                        "../observability/rules.yaml:/etc/prometheus/rules.yaml:ro"],
            "healthcheck": _healthcheck(["CMD", "wget", "-q", "-O", "/dev/null",
                                         f"http://127.0.0.1:{monitoring.port}/-/healthy"])}
    dashboards = d.observability.get("dashboards")
    if dashboards is not None:
        parts[dashboards.host] = {
            "image": dashboards.image, "restart": "unless-stopped",
            "ports": [f"{dashboards.port}:{dashboards.port}"],
            "environment": {"GF_SECURITY_ADMIN_PASSWORD":
                            "${GRAFANA_ADMIN_PASSWORD:?set GRAFANA_ADMIN_PASSWORD in .env}"},
            "volumes": ["./grafana:/etc/grafana/provisioning:ro",
                        "../observability/dashboard.json:/var/lib/grafana/dashboards/"
                        "system.json:ro"],
            "healthcheck": _healthcheck(["CMD", "wget", "-q", "-O", "/dev/null",
                                         f"http://127.0.0.1:{dashboards.port}/api/health"])}
        if monitoring is not None:
            parts[dashboards.host]["depends_on"] = {monitoring.host: HEALTHY}
    tracing = d.observability.get("tracing")
    if tracing is not None:
        # Jaeger's image has no shell or HTTP client to probe itself with; nothing waits
        # for it to be healthy (a service starts and exports traces when it can).
        parts[tracing.host] = {"image": tracing.image, "restart": "unless-stopped",
                               "ports": [f"{tracing.port}:{tracing.port}"]}
    return parts

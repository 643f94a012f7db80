"""deploy/compose/: the Compose Specification schema, dependency order, secrets, topics."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from archgen.output import GenerationContext
from tests.deploy.conftest import tool

Plan = Callable[[str], dict[str, str]]


def compose(plan_of: Plan) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(plan_of("compose")["deploy/compose/compose.yaml"])
    return doc


def test_compose_file_matches_the_compose_spec(deploy_tree: Path) -> None:
    checker = tool("check-jsonschema", "pip install check-jsonschema")
    run = subprocess.run([checker, "--builtin-schema", "vendor.compose-spec",
                          str(deploy_tree / "deploy/compose/compose.yaml")],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_part_has_a_healthcheck_and_waits_for_healthy_dependencies(
        plan_of: Plan, shop_ctx: GenerationContext) -> None:
    services = compose(plan_of)["services"]
    # Jaeger's image cannot probe itself (no shell, no client); the one-shot job exits.
    unchecked = {"jaeger", "kafka-topics"}
    assert {n for n, s in services.items() if "healthcheck" not in s} == unchecked
    for name, spec in services.items():
        for target, cond in spec.get("depends_on", {}).items():
            assert target in services, (name, target)
            wanted = ("service_completed_successfully" if target == "kafka-topics"
                      else "service_healthy")
            assert cond == {"condition": wanted}, (name, target)
    order = services["order-service"]["depends_on"]
    assert set(order) == {"orders-db", "kafka", "kafka-topics", "payment-service",
                          "inventory-service", "customer-service"}
    for name in shop_ctx.deployment.services:
        # From services/: the image installs the service kit next to the service.
        assert services[name]["build"] == {"context": "../../services",
                                           "dockerfile": f"{name}/Dockerfile"}


def test_resources_come_from_the_catalog_nfr(plan_of: Plan) -> None:
    order = compose(plan_of)["services"]["order-service"]
    assert order["deploy"]["resources"]["limits"] == {"cpus": "0.5", "memory": "512M"}


def test_no_secret_value_is_inline(plan_of: Plan) -> None:
    files = plan_of("compose")
    text = files["deploy/compose/compose.yaml"]
    for password in re.findall(r"PASSWORD: (.*)", text):
        assert re.fullmatch(r"\$\{[A-Z_]+:\?set [A-Z_]+ in \.env\}", password), password
    assert "@orders-db" in text and "${ORDERS_DB_PASSWORD:?" in text
    assert files["deploy/compose/.gitignore"].splitlines()[-1] == ".env"
    example = files["deploy/compose/.env.example"]
    assert all(line.endswith("=") for line in example.splitlines() if not line.startswith("#"))


def test_topics_job_creates_every_topic_and_dead_letter_topic(
        plan_of: Plan, shop_ctx: GenerationContext) -> None:
    script = compose(plan_of)["services"]["kafka-topics"]["command"][-1]
    for topic in shop_ctx.deployment.topics.values():
        assert (f"--topic {topic.name} --partitions {topic.partitions} "
                f"--replication-factor 1 --config retention.ms={topic.retention_ms}") in script
        assert f"--topic {topic.dead_letter_topic} " in script
    kafka = compose(plan_of)["services"]["kafka"]["environment"]
    assert kafka["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft, no ZooKeeper


def test_grafana_is_provisioned_with_the_dashboard(plan_of: Plan) -> None:
    files = plan_of("compose")
    grafana = compose(plan_of)["services"]["grafana"]
    assert "../observability/dashboard.json:/var/lib/grafana/dashboards/system.json:ro" in (
        grafana["volumes"])
    source = yaml.safe_load(files["deploy/compose/grafana/datasources/prometheus.yaml"])
    assert source["datasources"][0]["url"] == "http://prometheus:9090"


def test_services_export_their_spans_to_the_tracing_parts_otlp_http_port(plan_of: Plan) -> None:
    """The kit's exporter speaks OTLP/HTTP (it posts to <endpoint>/v1/traces): the endpoint
    compose gives the services is the tracing part's OTLP/HTTP port, 4318, not gRPC's 4317."""
    services = compose(plan_of)["services"]
    endpoints = {name: part["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"]
                 for name, part in services.items()
                 if "OTEL_EXPORTER_OTLP_ENDPOINT" in part.get("environment", {})}
    assert endpoints and set(endpoints.values()) == {"http://jaeger:4318"}, endpoints
    kit = (Path(__file__).parents[2] / "templates" / "service-kit" / "src"
           / "archgen_service_kit" / "observability.py.jinja").read_text(encoding="utf-8")
    assert "otlp.proto.http.trace_exporter" in kit and '"/v1/traces"' in kit

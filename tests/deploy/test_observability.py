"""deploy/observability/: promtool on the rules, the PrometheusRule CRD schema, the dashboard."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import yaml

from archgen.generators.observability.slo import BURN_ALERTS, WINDOWS
from tests.deploy.conftest import crd_errors, tool


def test_rules_pass_promtool(deploy_tree: Path) -> None:
    promtool = tool("promtool", "apt-get install prometheus")
    run = subprocess.run([promtool, "check", "rules",
                          str(deploy_tree / "deploy/observability/rules.yaml")],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    # 6 services x (7 records + 4 + 1 alerts), and the outbox alert
    assert "SUCCESS: 73 rules found" in run.stdout


def test_prometheus_rule_matches_its_crd_schema(
        plan_of: Callable[[str], dict[str, str]], tmp_path: Path) -> None:
    doc = yaml.safe_load(plan_of("observability")["deploy/observability/prometheusrule.yaml"])
    assert crd_errors([doc], tmp_path) == []
    broken = {**doc, "spec": {"groups": [{"rules": "not a list"}]}}
    assert crd_errors([broken], tmp_path)  # the validator does reject


def test_burn_rate_alerts_follow_the_availability_target(
        plan_of: Callable[[str], dict[str, str]]) -> None:
    doc = yaml.safe_load(plan_of("observability")["deploy/observability/rules.yaml"])
    groups = {g["name"]: g["rules"] for g in doc["groups"]}
    payment = groups["slo-payment-service"]  # availability 99.99, latency_p95_ms 300
    assert [r["record"] for r in payment if "record" in r] == [
        f"job:slo_errors_per_request:ratio_rate{w}" for w in WINDOWS]
    burns = [r for r in payment if r.get("alert") == "ErrorBudgetBurn"]
    assert len(burns) == len(BURN_ALERTS)
    assert burns[0]["expr"] == (
        'job:slo_errors_per_request:ratio_rate1h{job="payment-service"} > (14.4 * 0.0001) and '
        'job:slo_errors_per_request:ratio_rate5m{job="payment-service"} > (14.4 * 0.0001)')
    latency = next(r for r in payment if r.get("alert") == "LatencyP95AboveTarget")
    assert latency["expr"].endswith("> 0.3")


def test_dashboard_has_red_lag_and_burn_panels(plan_of: Callable[[str], dict[str, str]]) -> None:
    board = json.loads(plan_of("observability")["deploy/observability/dashboard.json"])
    titles = {p["title"] for p in board["panels"]}
    for service in ("order-service", "customer-service"):
        for what in ("Rate (req/s)", "Errors (ratio)", "Duration p95 (s)",
                     "SLO burn (1h error ratio)"):
            assert f"{service}: {what}" in titles
    assert "order-service: Consumer lag" in titles
    assert "customer-service: Consumer lag" not in titles  # consumes nothing
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))


def test_a_parked_outbox_event_raises_an_alert_on_the_metric_the_services_export(
        plan_of: Callable[[str], dict[str, str]]) -> None:
    doc = yaml.safe_load(plan_of("observability")["deploy/observability/rules.yaml"])
    groups = {g["name"]: g["rules"] for g in doc["groups"]}
    (alert,) = groups["archgen-outbox"]
    assert alert["alert"] == "OutboxEventParked"
    metric = re.search(r"increase\((\w+)\[", alert["expr"])
    assert metric is not None, alert["expr"]
    services = plan_of("services")
    # The services' runtime is the service kit's: its metrics and its stores' outbox.
    observability = services["services/_kit/src/archgen_service_kit/observability.py"]
    assert f'"{metric.group(1)}"' in observability  # the name the service registers
    assert "outbox" in services["services/_kit/src/archgen_service_kit/stores/relational.py"]

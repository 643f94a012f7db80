"""deploy/helm/<system>/: rendered and linted by the real Helm SDK (helm-python-sdk), every
object through kubernetes-validate --strict (Kubernetes 1.30), custom resources through their
CRD schemas, and checkov over the rendered chart: zero failed checks."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from archgen.catalog import load_catalog_text
from archgen.generators.helm import HelmGenerator
from tests.deploy.conftest import crd_errors, load_all, missing, tool
from tests.helpers import ECOMMERCE, ctx_of

KUBE = "1.30.0"
BUILTIN = {"Deployment", "Service", "ServiceAccount", "ConfigMap", "HorizontalPodAutoscaler",
           "PodDisruptionBudget", "NetworkPolicy"}


def helm() -> Any:
    try:
        import helm_python
    except ImportError:
        missing("helm-python-sdk", "pip install helm-python-sdk")
    return helm_python


def render(chart: Path, values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    sdk = helm()
    loaded = sdk.Chart.load(str(chart))
    try:
        rendered = loaded.render(values or {}, name="shop", namespace="shop", is_install=True)
    finally:
        loaded.close()
    return [obj for _, text in sorted(rendered.items()) for obj in load_all(text)]


@pytest.fixture(scope="module")
def chart(deploy_tree: Path) -> Path:
    return deploy_tree / "deploy/helm/shop"


@pytest.fixture(scope="module")
def objects(chart: Path) -> list[dict[str, Any]]:
    return render(chart, {"kafkaTopics": {"enabled": True}})


def of_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def test_helm_lint_is_clean(chart: Path) -> None:
    report = helm().lint(str(chart), strict=True, namespace="shop", kube_version=f"v{KUBE}")
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


def test_values_schema_rejects_bad_values(chart: Path) -> None:
    sdk = helm()
    with pytest.raises(sdk.HelmError):
        render(chart, {"services": {"order-service": {"port": "eighty"}}})


def test_builtin_objects_pass_kubernetes_validate_strict(objects: list[dict[str, Any]],
                                                         tmp_path: Path) -> None:
    validator = tool("kubernetes-validate", "pip install kubernetes-validate")
    builtin = [o for o in objects if o["kind"] in BUILTIN]
    assert {o["kind"] for o in builtin} == BUILTIN
    path = tmp_path / "objects.yaml"
    path.write_text(yaml.safe_dump_all(builtin), encoding="utf-8")
    run = subprocess.run([validator, "--strict", "-k", KUBE, str(path)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_service_monitors_match_their_crd_schema(objects: list[dict[str, Any]],
                                                 tmp_path: Path) -> None:
    monitors = list(of_kind(objects, "ServiceMonitor").values())
    assert len(monitors) == 7  # six services and the aggregation service
    assert crd_errors(monitors, tmp_path) == []


def test_kafka_topics_follow_strimzi_structure(objects: list[dict[str, Any]]) -> None:
    """No Strimzi CRD package is available offline: the fields Strimzi's KafkaTopic
    v1beta2 schema requires are checked by hand."""
    topics = of_kind(objects, "KafkaTopic")
    assert "orders" in topics and "orders.dlq" in topics
    for topic in topics.values():
        assert topic["apiVersion"] == "kafka.strimzi.io/v1beta2"
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "kafka"
        spec = topic["spec"]
        assert isinstance(spec["partitions"], int) and spec["partitions"] >= 1
        assert isinstance(spec["replicas"], int) and spec["replicas"] >= 1
        assert all(isinstance(v, str) for v in spec.get("config", {}).values())
    assert topics["orders"]["spec"] == {"topicName": "orders", "partitions": 6, "replicas": 3,
                                        "config": {"retention.ms": "604800000"}}


def test_kafka_topics_are_behind_a_switch(chart: Path) -> None:
    assert of_kind(render(chart), "KafkaTopic") == {}


def test_deployments_are_hardened_and_probe_the_health_routes(
        objects: list[dict[str, Any]]) -> None:
    for name, deploy in of_kind(objects, "Deployment").items():
        pod = deploy["spec"]["template"]["spec"]
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        (container,) = pod["containers"]
        sc = container["securityContext"]
        assert sc["readOnlyRootFilesystem"] and sc["runAsNonRoot"]
        assert sc["allowPrivilegeEscalation"] is False
        assert sc["capabilities"] == {"drop": ["ALL"]}
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready", name
    order = of_kind(objects, "Deployment")["order-service"]["spec"]["template"]["spec"]
    assert order["containers"][0]["resources"]["requests"] == {"cpu": "500m",
                                                              "memory": "512Mi"}
    hpa = of_kind(objects, "HorizontalPodAutoscaler")["order-service"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 10)
    assert set(of_kind(objects, "PodDisruptionBudget")) == set(of_kind(objects, "Deployment"))


def test_network_policies_allow_exactly_the_declared_flows(
        objects: list[dict[str, Any]]) -> None:
    policies = of_kind(objects, "NetworkPolicy")
    assert policies["default-deny"]["spec"] == {"podSelector": {},
                                                "policyTypes": ["Ingress", "Egress"]}

    def peers(policy: dict[str, Any]) -> set[str]:
        return {p["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
                for rule in policy["spec"]["ingress"] for p in rule["from"]}

    assert peers(policies["payment-service"]) == {"gateway", "order-service", "prometheus"}
    assert peers(policies["customer-service"]) == {
        "gateway", "order-service", "notification-service", "shipping-service", "prometheus",
        "gateway-aggregator"}  # the aggregation GET /api/v1/mobile/orders/{id}/summary
    assert peers(policies["gateway-aggregator"]) == {"gateway", "prometheus"}
    aggregator_egress = {r["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
                         for r in policies["gateway-aggregator"]["spec"]["egress"]
                         if "podSelector" in r["to"][0]}
    assert aggregator_egress == {"order-service", "customer-service"}
    assert "gateway" not in peers(policies["notification-service"])  # not public
    egress = {r["to"][0]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name")
              for r in policies["order-service"]["spec"]["egress"] if "podSelector" in r["to"][0]}
    assert egress == {"payment-service", "inventory-service", "customer-service",
                      "orders-db", "kafka"}


def test_catalog_text_is_never_evaluated_as_a_template(tmp_path: Path) -> None:
    text = ECOMMERCE.read_text(encoding="utf-8").replace(
        "description: Order lifecycle from creation to fulfillment",
        'description: "Orders {{ .Release.Name }} {{ fail \\"boom\\" }}"')
    loaded = load_catalog_text(text)
    assert loaded.catalog is not None
    for file in HelmGenerator().plan(ctx_of(loaded.catalog)):  # type: ignore[arg-type]
        path = tmp_path / file.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(file.data)
    rendered = render(tmp_path / "deploy/helm/shop")
    deploy = of_kind(rendered, "Deployment")["order-service"]
    assert deploy["metadata"]["annotations"]["archgen.io/description"] == (
        'Orders {{ .Release.Name }} {{ fail "boom" }}')

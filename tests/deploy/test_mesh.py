"""deploy/mesh/: Istio resources against Istio's published CRD schemas; Linkerd and none."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from archgen.catalog import load_catalog_text
from archgen.generators.mesh import MeshGenerator
from tests.deploy.conftest import crd_errors, load_all
from tests.helpers import ECOMMERCE, ctx_of


def istio(plan_of: Callable[[str], dict[str, str]]) -> list[dict[str, Any]]:
    return load_all(plan_of("mesh")["deploy/mesh/istio.yaml"])


def mesh_files(technology: str) -> dict[str, str]:
    text = ECOMMERCE.read_text(encoding="utf-8").replace(
        "  technology: istio\n", f"  technology: {technology}\n", 1)
    loaded = load_catalog_text(text)
    assert loaded.catalog is not None
    return {f.path: str(f.content) for f in MeshGenerator().plan(ctx_of(loaded.catalog))}  # type: ignore[arg-type]


def test_istio_resources_match_their_crd_schemas(
        plan_of: Callable[[str], dict[str, str]], tmp_path: Path) -> None:
    docs = istio(plan_of)
    assert crd_errors(docs, tmp_path) == []
    broken = [{**docs[0], "spec": {"mtls": {"mode": 7}}}]
    assert crd_errors(broken, tmp_path)  # the validator does reject


def test_istio_follows_depends_on(plan_of: Callable[[str], dict[str, str]]) -> None:
    docs = {(d["kind"], d["metadata"]["name"]): d for d in istio(plan_of)}
    assert docs[("PeerAuthentication", "default")]["spec"]["mtls"]["mode"] == "STRICT"
    payment = docs[("DestinationRule", "payment-service")]["spec"]["trafficPolicy"]
    assert payment["outlierDetection"]["consecutive5xxErrors"] == 5
    assert payment["outlierDetection"]["baseEjectionTime"] == "30s"
    routes = docs[("VirtualService", "payment-service")]["spec"]["http"]
    # The whole budget (3 x 60 ms + backoffs of 100 and 200 ms); the client owns the retries.
    assert routes[0]["timeout"] == "0.48s" and routes[0]["retries"] == {"attempts": 0}
    assert routes[-1]["name"] == "default" and routes[-1]["retries"] == {"attempts": 0}
    assert routes[0]["match"] == [{"sourceLabels": {"app.kubernetes.io/name": "order-service"}}]
    # Nobody calls payment-service but order-service (and the gateway: it is public).
    rules = docs[("AuthorizationPolicy", "payment-service")]["spec"]["rules"]
    assert rules[0]["from"][0]["source"]["principals"] == [
        "cluster.local/ns/shop/sa/order-service", "cluster.local/ns/shop/sa/gateway"]
    internal = docs[("AuthorizationPolicy", "notification-service")]["spec"]["rules"]
    assert len(internal) == 1 and internal[0]["to"][0]["operation"]["paths"] == ["/metrics"]
    assert ("DestinationRule", "notification-service") not in docs  # nobody calls it


def test_linkerd_gets_injection_and_service_profiles() -> None:
    """No Linkerd CRD package is available offline: ServiceProfile's required fields
    (routes with name and condition) are checked by hand."""
    files = mesh_files("linkerd")
    docs = load_all(files["deploy/mesh/linkerd.yaml"])
    assert docs[0]["metadata"]["annotations"] == {"linkerd.io/inject": "enabled"}
    profiles = {d["metadata"]["name"]: d["spec"] for d in docs[1:]}
    customer = profiles["customer-service.shop.svc.cluster.local"]
    route = next(r for r in customer["routes"] if r["name"] == "GET /api/v1/customers/{id}")
    assert route["condition"] == {"method": "GET", "pathRegex": "/api/v1/customers/[^/]+"}
    # The longest caller's whole budget (3 x 150 ms + 100 + 200 ms); never retried here.
    assert route["timeout"] == "750ms" and "isRetryable" not in route
    assert "retryBudget" not in customer


def test_no_mesh_emits_nothing() -> None:
    assert mesh_files("none") == {}

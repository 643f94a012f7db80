"""`archgen drift --against k8s:NAMESPACE`: a namespace's workloads against the catalog's nfr.

No cluster runs here, so the API server is a stand-in: a local HTTP server that
answers the two listings drift makes with recorded responses (fixtures/k8s/:
a DeploymentList and a HorizontalPodAutoscalerList in the API's shape, their
objects the generated e-commerce chart rendered by the Helm SDK) and refuses
requests without the kubeconfig's token. Everything else is real: the
kubeconfig is read, the requests are made, the command reports.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from archgen.cli import run

ROOT = Path(__file__).resolve().parents[2]
RECORDED = Path(__file__).parent / "fixtures" / "k8s"
TOKEN = "drift-test-token"
LISTS = {"/apis/apps/v1/namespaces/shop/deployments": "deployments.json",
         "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers":
             "horizontalpodautoscalers.json"}


class ApiServer:
    """Serves `responses` (path -> JSON) to requests that carry the bearer token."""

    def __init__(self) -> None:
        self.responses = {path: json.loads((RECORDED / name).read_text())
                          for path, name in LISTS.items()}
        self.seen: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.seen.append(self.path)
                body = server.responses.get(self.path)
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._send(401, {"kind": "Status", "reason": "Unauthorized"})
                elif body is None:
                    self._send(404, {"kind": "Status", "reason": "NotFound"})
                else:
                    self._send(200, body)

            def _send(self, status: int, doc: Any) -> None:
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def deployment(self, name: str) -> dict[str, Any]:
        items = self.responses[next(iter(LISTS))]["items"]
        return next(i for i in items if i["metadata"]["name"] == name)  # type: ignore[no-any-return]


@pytest.fixture
def api() -> Iterator[ApiServer]:
    server = ApiServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def folder(tmp_path: Path, api: ApiServer) -> Path:
    (tmp_path / "catalog.yaml").write_text(
        (ROOT / "blueprints" / "ecommerce" / "catalog.yaml").read_text())
    (tmp_path / "kubeconfig").write_text(f"""apiVersion: v1
kind: Config
current-context: prod
contexts:
  - name: prod
    context: {{cluster: prod, user: ci, namespace: shop}}
clusters:
  - name: prod
    cluster: {{server: "{api.url}"}}
users:
  - name: ci
    user: {{token: {TOKEN}}}
""")
    return tmp_path


def _drift(folder: Path, capsys: pytest.CaptureFixture[str], *args: str
           ) -> tuple[int, list[dict[str, Any]]]:
    code = run(["drift", str(folder / "catalog.yaml"), "--against", "k8s:shop",
                "--kubeconfig", str(folder / "kubeconfig"), "--format", "json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out)["files"][0]["findings"] if out.strip() else []


def test_the_namespace_as_the_generated_chart_deploys_it_is_clean(
        folder: Path, api: ApiServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = _drift(folder, capsys, "--fail-on", "info")
    assert (code, findings) == (0, [])
    assert sorted(api.seen) == sorted(LISTS)


def test_each_difference_from_nfr_is_located_in_the_catalog(
        folder: Path, api: ApiServer, capsys: pytest.CaptureFixture[str]) -> None:
    deployments = api.responses[next(iter(LISTS))]["items"]
    extra = copy.deepcopy(api.deployment("order-service"))
    extra["metadata"]["name"] = "debug-shell"
    deployments.append(extra)
    deployments.remove(api.deployment("shipping-service"))
    api.deployment("payment-service")["spec"]["replicas"] = 1  # nfr: 3..10
    app = api.deployment("customer-service")["spec"]["template"]["spec"]["containers"][0]
    app["resources"]["limits"]["memory"] = "1Gi"
    del api.deployment("inventory-service")["spec"]["template"]["spec"]["containers"][0][
        "readinessProbe"]
    code, findings = _drift(folder, capsys)
    assert code == 1
    assert sorted((f["code"], f["location"]["pointer"]) for f in findings) == [
        ("AGX601", "/services/shipping-service"),
        ("AGX602", "/services/payment-service/nfr/replicas"),
        ("AGX603", "/services/customer-service/nfr/resources"),
        ("AGX604", "/services/inventory-service"),
        ("AGX690", "/services"),
    ], findings
    messages = " | ".join(f["message"] for f in findings)
    assert "payment-service runs 1 replica(s), outside nfr.replicas 3..10" in messages
    assert "limits memory is 1Gi" in messages
    assert "readiness probe is missing" in messages
    assert "`debug-shell`" in messages


def test_a_refusing_api_server_is_one_finding_not_a_traceback(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = folder / "kubeconfig"
    config.write_text(config.read_text().replace(TOKEN, "stale"))
    code, findings = _drift(folder, capsys)
    assert code == 1
    assert [f["code"] for f in findings] == ["AGX600"]
    assert "answered 401" in findings[0]["message"]


def test_a_context_the_kubeconfig_lacks_is_reported(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = _drift(folder, capsys, "--context", "staging")
    assert code == 1 and [f["code"] for f in findings] == ["AGX600"]
    assert "no context named 'staging'" in findings[0]["message"]

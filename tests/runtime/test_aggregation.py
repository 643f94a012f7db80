"""A gateway aggregation served end to end: `archgen up` with the real generated services,
the generated aggregation service and Envoy, a GET through the gateway with a dev token."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.runtime.conftest import ROOT, UpProcess

pytestmark = pytest.mark.slow
FIXTURE = Path(__file__).parent / "fixtures" / "aggregation.yaml"
SUMMARY = "/api/v1/orders/{}/summary"


@pytest.fixture
def parcels(tmp_path: Path) -> Iterator[UpProcess]:
    shutil.copy(FIXTURE, tmp_path / "catalog.yaml")
    up = UpProcess(tmp_path, "--embedded", "sqlite")
    yield up
    if up.proc.poll() is None:
        up.stop()
    if up.proc.poll() is None:
        up.proc.kill()
        up.proc.wait(10)


def _token(folder: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "archgen", "token", "catalog.yaml", "-o", "out"],
                          cwd=folder, capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()


def test_the_gateway_serves_the_aggregation_through_the_aggregation_service(
        parcels: UpProcess) -> None:
    state = parcels.state()
    auth = {"Authorization": f"Bearer {_token(parcels.folder)}"}
    with httpx.Client(base_url=str(state["gateway"]), timeout=10) as gateway:
        order = gateway.post("/api/v1/orders", json={"customer_id": str(uuid.uuid4())},
                             headers=auth)
        assert order.status_code == 201, order.text
        order_id = order.json()["id"]
        shipment = gateway.post("/api/v1/shipments", headers=auth,
                                json={"order_id": order_id, "carrier": "standard"})
        assert shipment.status_code == 201, shipment.text

        summary = gateway.get(SUMMARY.format(order_id), headers=auth)
        overview = gateway.get(f"/api/v1/shipments/{shipment.json()['id']}/overview",
                               headers=auth)
        unknown = gateway.get(SUMMARY.format(uuid.uuid4()), headers=auth)
        anonymous = gateway.get(SUMMARY.format(order_id))

    assert summary.status_code == 200, summary.text
    assert summary.json() == {"order-service": order.json(),
                              "shipping-service": [shipment.json()]}
    # The second call's order id is the shipment's: read from the first call's answer.
    assert overview.status_code == 200, overview.text
    assert overview.json() == {"shipping-service": shipment.json(),
                               "order-service": order.json()}
    # No such order: the order service's 404 reaches the client as problem+json.
    assert unknown.status_code == 404, unknown.text
    assert unknown.headers["content-type"] == "application/problem+json"
    assert "order-service GET /api/v1/orders/{orderId}" in unknown.json()["detail"]
    assert anonymous.status_code == 401  # the gateway checks the token before routing
    assert "gateway-aggregator" in parcels.output(20000)  # started and watched like a service

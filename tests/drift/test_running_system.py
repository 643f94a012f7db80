"""`archgen drift` on the e-commerce system that `archgen up` runs, drifted four ways.

The catalog is never touched: the drift goes into the running system, through
the order-service's own handlers.py in the generated copy (the file archgen
creates once and never rewrites), and through a consumer the test starts:

- a route the team adds (`router` in handlers.py): served, not in the catalog;
- calls added in the create handler: one through the generated upstream client
  to shipping-service, which order-service does not depend on, one with a raw
  httpx client to inventory-service, which carries no caller identity;
- a consumer group `order-audit` on topic `orders`, which no service runs;
- an `order.created` event the handler sends by hand with `customer_id`
  renamed to `customerId`.

One system runs for the module; the clean run is a second, untouched system.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from archgen.catalog import load_catalog
from archgen.generators import GENERATORS
from tests.runtime.conftest import UpProcess

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not {"services", "gateway"} <= set(GENERATORS),
    reason="needs the services and gateway generators")]

ORDER_HANDLERS = '''
import json
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter
from purgatory import AsyncCircuitBreakerFactory

from archgen_service_kit import defaults
from archgen_service_kit.events import payload_for

from .clients import UpstreamClient
from .spec import PUBLISHES, SPEC

STATE = Path({state!r})
router = APIRouter()


@router.get("/api/v1/order-reports")
async def order_reports() -> dict[str, Any]:
    return {{"orders": 0}}


async def post_v1_orders(runtime: Any, body: Any) -> Any:
    order = await defaults.create(SPEC, runtime.store, "Order", body, ("order.created",))
    record = order if isinstance(order, dict) else order.model_dump(mode="json")
    # declared, through the generated client: seen, no finding
    customers = runtime.clients["customer-service"]
    await customers.request("GET", f"/api/v1/customers/{{record['customer_id']}}")
    # undeclared, through the generated client: order-service names itself
    urls = json.loads(STATE.read_text())["services"]
    shipping = UpstreamClient("shipping-service", urls["shipping-service"], 2.0, 1, 10,
                              AsyncCircuitBreakerFactory(), 5, 30.0, 1.0)
    await shipping.request("GET", f"/api/v1/shipments/order/{{record['id']}}")
    await shipping.aclose()
    # a raw call: no caller header
    async with httpx.AsyncClient(base_url=urls["inventory-service"]) as raw:
        await raw.get("/api/v1/inventory/SKU-1")
    # an event sent by hand, a payload field renamed
    payload = payload_for(SPEC, "order.created", "Order", record)
    payload["customerId"] = payload.pop("customer_id")
    await runtime.producer.send_and_wait(
        PUBLISHES["order.created"].topic, json.dumps(payload, default=str).encode(),
        headers=[("ce_type", b"order.created"), ("ce_source", b"/shop/order-service"),
                 ("content-type", b"application/json")])
    return order
'''


@contextmanager
def _up(folder: Path) -> Iterator[dict[str, Any]]:
    """`archgen up` of the folder's catalog; its state (addresses) once every part is ready."""
    up = UpProcess(folder, "--embedded", "memory")
    try:
        yield up.state()
    finally:
        if up.proc.poll() is None:
            up.stop()


def _system(folder: Path, drifted: bool) -> None:
    shutil.copy(ROOT / "blueprints" / "ecommerce" / "catalog.yaml", folder / "catalog.yaml")
    if not drifted:
        return
    done = subprocess.run([sys.executable, "-m", "archgen", "generate", "catalog.yaml", "-o",
                           "out", "--only", "services"], cwd=folder, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    handlers = folder / "out/services/order-service/src/order_service/handlers.py"
    state = folder / "out" / ".archgen" / "up.json"
    handlers.write_text(handlers.read_text() + ORDER_HANDLERS.format(state=str(state)))


def _drift(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(ROOT / "src"), str(ROOT)))}
    return subprocess.run(
        [sys.executable, "-m", "archgen", "drift", "catalog.yaml", "-o", "out", *args],
        cwd=folder, capture_output=True, text=True, timeout=120, check=False, env=env)


def _findings(folder: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
    done = _drift(folder, "--format", "json", *args)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    doc = json.loads(done.stdout)
    return done.returncode, list(doc["files"][0]["findings"])


def _place_order(folder: Path, gateway: str) -> None:
    """One order through the gateway, with a token of its development key."""
    from archgen.runtime import devkeys, flows

    loaded = load_catalog(folder / "catalog.yaml")
    assert loaded.catalog is not None
    token = devkeys.load_or_create(folder / "out").sign(
        devkeys.catalog_claims(loaded.catalog, "drift-test", None, 600))
    create = flows.create_call(loaded.catalog.services["order-service"])
    assert create is not None
    response = httpx.post(gateway + create.path, json=create.body, timeout=30,
                          headers={"Authorization": f"Bearer {token}"}, trust_env=False)
    assert response.status_code == 201, response.text


async def _audit_consumer(broker: str) -> None:
    """A second consumer group on `orders`, as a team's side job would run one."""
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer("orders", bootstrap_servers=broker, group_id="order-audit",
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                session_timeout_ms=1000, heartbeat_interval_ms=100,
                                rebalance_timeout_ms=1000)
    await consumer.start()
    try:
        for _ in range(20):
            if await consumer.getmany(timeout_ms=500):
                break
        await consumer.commit()
    finally:
        await consumer.stop()


@pytest.fixture(scope="module")
def drifted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("drifted")
    _system(folder, drifted=True)
    with _up(folder) as state:
        _place_order(folder, str(state["gateway"]))
        asyncio.run(_audit_consumer(str(state["broker"])))
        yield folder


def _codes(findings: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((f["code"], f["location"]["pointer"]) for f in findings
                  if f["severity"] != "info")


def test_each_drift_is_caught_and_told_apart(drifted: Path) -> None:
    code, findings = _findings(drifted)
    assert code == 1
    by_code = {f["code"]: f for f in findings}
    assert _codes(findings) == [
        ("AGX190", "/services/order-service/endpoints"),
        ("AGX303", "/event_bus/topics/orders"),
        ("AGX310", "/services/order-service/publishes/order.created"),
        ("AGX401", "/services/order-service/depends_on"),
        ("AGX402", "/services/inventory-service"),
    ], [(f["code"], f["message"]) for f in findings if f["severity"] != "info"]
    assert "GET /api/v1/order-reports" in by_code["AGX190"]["message"]
    assert "`order-audit`" in by_code["AGX303"]["message"]
    assert "order-service calls shipping-service" in by_code["AGX401"]["message"]
    assert "customer_id" in by_code["AGX310"]["message"]
    assert "customerId" in by_code["AGX310"]["message"]
    # the declared call the handler made through the client was seen
    unseen = {f["location"]["pointer"] for f in findings if f["code"] == "AGX490"}
    assert not any("order-service/depends_on/customer-service" in u for u in unseen), unseen
    assert any("order-service/depends_on/payment-service" in u for u in unseen), unseen


def test_suppressions_and_baseline_apply_as_in_validate(drifted: Path) -> None:
    baseline = drifted / "drift-baseline.json"
    done = _drift(drifted, "--write-baseline", str(baseline))
    assert done.returncode == 0, done.stderr
    done = _drift(drifted, "--baseline", str(baseline), "--fail-on", "info")
    assert done.returncode == 0, done.stdout + done.stderr
    code, findings = _findings(drifted, "--select", "AGX4", "--fail-on", "error")
    assert {f["code"] for f in findings} <= {"AGX401", "AGX402", "AGX490"} and code == 1


def test_the_untouched_system_is_clean(tmp_path: Path) -> None:
    _system(tmp_path, drifted=False)
    with _up(tmp_path) as state:
        _place_order(tmp_path, str(state["gateway"]))
        code, findings = _findings(tmp_path, "--fail-on", "warning")
        # no traffic calls one service from another here: every dependency is unseen (info)
        assert code == 0, json.dumps(findings, indent=1)
        assert {f["code"] for f in findings} == {"AGX490"}

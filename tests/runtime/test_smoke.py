"""`archgen up --smoke` drives the flow: here on stand-in services that fake the order's progress.

The stand-ins answer like the generated services will (an order read back
turns `shipped` after a moment; the notifier lists a note); the runtime, the
broker and the stores are the real ones.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archgen.catalog import load_catalog
from archgen.model.deployment import deployment
from tests.runtime.conftest import UpProcess
from tests.runtime.standin import write_standins

pytestmark = pytest.mark.slow
HERE = Path(__file__).parent

FLOW = '''
import uuid
_orders: dict[str, dict[str, object]] = {}

@app.post("/api/v1/orders", status_code=201)
def create(body: dict[str, object]) -> dict[str, object]:
    order = {"id": str(uuid.uuid4()), "customer_id": body["customer_id"], "status": "pending",
             "at": time.monotonic()}
    _orders[str(order["id"])] = order
    return order

@app.get("/api/v1/orders/{order_id}")
def read(order_id: str) -> dict[str, object]:
    order = dict(_orders[order_id])
    if time.monotonic() - float(order["at"]) > float(os.environ.get("SHIP_AFTER_S", "0.5")):
        order["status"] = "shipped"
    return order

@app.get("/api/v1/notes/customer/{customer_id}")
def notes(customer_id: str) -> list[dict[str, str]]:
    return [{"id": "n1", "customer_id": customer_id}]
'''


@pytest.fixture
def flow_system(tmp_path: Path) -> Path:
    shutil.copy(HERE / "fixtures" / "flow.yaml", tmp_path / "catalog.yaml")
    loaded = load_catalog(tmp_path / "catalog.yaml")
    assert loaded.catalog is not None
    write_standins(tmp_path / "out", deployment(loaded.catalog), FLOW)
    return tmp_path


def test_smoke_passes_and_prints_its_table(flow_system: Path) -> None:
    up = UpProcess(flow_system, "--smoke", "--embedded", "sqlite", "--quiet")
    code = up.proc.wait(120)
    out = up.output()
    assert code == 0, out
    assert "POST /api/v1/orders (order-service)" in out
    assert "follow until status is 'shipped'" in out
    assert "notifier shows it (GET /api/v1/notes/customer/{customerId})" in out
    assert "smoke test passed" in out
    assert "FAIL" not in out

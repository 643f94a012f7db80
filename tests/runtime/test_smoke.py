"""`archgen up --smoke` drives the flow: here on stand-in services that fake the order's progress.

The stand-ins answer like the generated services will (an order read back
turns `shipped` after a moment; the notifier lists a note); the runtime, the
broker and the stores are the real ones.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import pytest

from archgen.catalog import load_catalog
from archgen.model.deployment import deployment
from archgen.runtime import smoke as smoke_module
from archgen.runtime.parts import Service
from archgen.runtime.plan import Plan
from archgen.runtime.ports import free_port
from archgen.runtime.smoke import Smoke, run
from archgen.runtime.supervisor import Supervisor
from tests.runtime.conftest import UpProcess
from tests.runtime.standin import APP, write_standins

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


# ---------------------------------------------------------------- a failing flow, a small tier
LIMITED = '''
_asked = {"n": 0}

@app.middleware("http")
async def small_tier(request, call_next):  # the first reads answer 429, as a spent tier would
    if request.method == "GET" and request.url.path.startswith("/api/"):
        _asked["n"] += 1
        if _asked["n"] <= int(os.environ.get("LIMIT_FIRST", "0")):
            return Response(status_code=429, headers={"retry-after": "0"})
    return await call_next(request)
'''


def _drive(tmp_path: Path, env: dict[str, str]) -> Smoke:
    """The derived flow of flow.yaml against one real stand-in order service (no gateway)."""
    loaded = load_catalog(HERE / "fixtures" / "flow.yaml")
    assert loaded.catalog is not None
    catalog = loaded.catalog
    package = tmp_path / "svc" / "src" / "svc_app"
    package.mkdir(parents=True)
    (package / "app.py").write_text(APP + FLOW + LIMITED, encoding="utf-8")
    service = Service("order-service", free_port(), package="svc_app",
                      folder=tmp_path / "svc", env=env)
    services = dict.fromkeys(catalog.services, service)  # one stand-in answers for all

    async def scenario() -> Smoke:
        supervisor = Supervisor(tmp_path, lambda name, line: None)
        try:
            await supervisor.start([[service]])
            smoke = Smoke(catalog, Plan([], services, None, []), "t0ken", time.monotonic())
            await run(smoke)
            return smoke
        finally:
            await supervisor.stop()

    return asyncio.run(scenario())


def test_a_flow_that_stops_names_the_reaction_and_the_last_state(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(smoke_module, "FOLLOW_TIMEOUT_S", 2.0)
    smoke = _drive(tmp_path, {"SHIP_AFTER_S": "1000"})
    created, follow = smoke.steps
    assert created.passed and not follow.passed and not smoke.passed
    assert follow.name == "follow until status is 'shipped' (order-service on parcel.sent)"
    assert follow.detail == ("not after 2 s; last seen: 200, status 'pending'; did not happen: "
                             "order-service consuming parcel.sent (sets status 'shipped')")


def test_a_429_slows_the_polling_down_and_says_so(tmp_path: Path) -> None:
    smoke = _drive(tmp_path, {"SHIP_AFTER_S": "0", "LIMIT_FIRST": "2"})
    assert smoke.passed, smoke.steps
    follow = smoke.steps[1]
    assert "the gateway answered 429 2 time(s): polled slower, every 0.8 s" in follow.detail

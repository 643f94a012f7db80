"""--keep-data and hot reload on the e-commerce blueprint: its real generated services.

An order (PostgreSQL) and a stock level (Valkey) written in one run are there in the
next with --keep-data, and gone in a run without it; an edit of inventory-service's
handlers.py answers within seconds (the time is printed: BENCHMARKS.md quotes it).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from archgen.generators import GENERATORS
from tests.runtime.conftest import ROOT
from tests.runtime.test_detach import _state, archgen

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not {"services", "gateway"} <= set(GENERATORS),
    reason="needs the services and gateway generators")]
UP = ("up", "catalog.yaml", "-o", "out", "--embedded", "memory", "--detach")
NEW_CODE = '''

async def get_v1_inventory_by_sku(runtime: object, sku: str) -> dict[str, object]:
    return {"sku": sku, "available": 4242, "reserved": 0}
'''


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Path]:
    shutil.copy(ROOT / "blueprints" / "ecommerce" / "catalog.yaml", tmp_path / "catalog.yaml")
    yield tmp_path
    archgen(tmp_path, "down", "-o", "out")
    kept = tmp_path / "out" / ".archgen" / "data" / "postgres"
    if kept.is_symlink():  # under root the data lives in the shared cache: not left there
        shutil.rmtree(kept.resolve(), ignore_errors=True)


def _up(folder: Path, *extra: str) -> dict[str, str]:
    done = archgen(folder, *UP, *extra, timeout_s=240)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    services = _state(folder)["services"]
    assert isinstance(services, dict)
    return {str(k): str(v) for k, v in services.items()}


def _down(folder: Path) -> None:
    done = archgen(folder, "down", "-o", "out")
    assert done.returncode == 0, done.stdout + done.stderr


def _until_standby_ready(folder: Path, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while _state(folder).get("standby") != "ready" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _state(folder).get("standby") == "ready"


def _new_order() -> dict[str, object]:
    from archgen.catalog import load_catalog
    from archgen.model.examples import example_object

    loaded = load_catalog(ROOT / "blueprints" / "ecommerce" / "catalog.yaml")
    assert loaded.catalog is not None
    orders = loaded.catalog.services["order-service"]
    return example_object(orders.models["NewOrder"], orders.models)


def test_keep_data_keeps_orders_and_stock_and_a_save_reloads_one_service(shop: Path) -> None:
    services = _up(shop, "--keep-data")
    created = httpx.post(services["order-service"] + "/api/v1/orders", json=_new_order(),
                         timeout=10)
    assert created.status_code in (200, 201), created.text
    order = created.json()
    stock = {"sku": "KEEP-1", "available": 7, "reserved": 2}
    put = httpx.put(services["inventory-service"] + "/api/v1/inventory/KEEP-1", json=stock,
                    timeout=10)
    assert put.status_code == 200, put.text
    _down(shop)

    services = _up(shop, "--keep-data")
    kept = httpx.get(f"{services['order-service']}/api/v1/orders/{order['id']}", timeout=10)
    assert kept.status_code == 200, kept.text
    assert kept.json()["id"] == order["id"]
    inventory = services["inventory-service"] + "/api/v1/inventory/KEEP-1"
    assert httpx.get(inventory, timeout=10).json()["available"] == 7

    pids = dict(_state(shop)["pids"])  # type: ignore[call-overload]
    handlers = shop / "out" / "services" / "inventory-service" / "src" / "inventory_service" \
        / "handlers.py"
    original = handlers.read_text(encoding="utf-8")
    for available in (4242, 4343):  # right after the start; then from a ready standby
        if available == 4343:
            _until_standby_ready(shop)
        code = NEW_CODE.replace("4242", str(available))
        saved = time.monotonic()
        handlers.write_text(original + code, encoding="utf-8")
        while time.monotonic() - saved < 30:
            try:
                if httpx.get(inventory, timeout=2).json().get("available") == available:
                    break
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.02)
        seconds = time.monotonic() - saved
        print(f"save to new code answering (inventory-service): {seconds:.2f} s")
        assert seconds < 30, "the new code never answered"
        # The goal is 3 s (measured 1.7-2.0 s from a ready standby); a loaded CI machine
        # gets some slack so that this checks the mechanism, not the machine.
        assert available == 4242 or seconds < 6
    time.sleep(0.5)
    now = dict(_state(shop)["pids"])  # type: ignore[call-overload]
    assert {n for n in pids if pids[n] != now[n]} == {"inventory-service"}
    _down(shop)

    services = _up(shop)  # without --keep-data: empty, as every run was before
    gone = httpx.get(f"{services['order-service']}/api/v1/orders/{order['id']}", timeout=10)
    assert gone.status_code == 404, gone.text
    _down(shop)

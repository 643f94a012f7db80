"""`archgen up --smoke` on the e-commerce blueprint: the real services and gateway.

The issue's acceptance test. It needs the services and gateway generators;
on a branch without them it is skipped (the stand-in tests cover the runtime).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from archgen.generators import GENERATORS

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not {"services", "gateway"} <= set(GENERATORS),
    reason="needs the services and gateway generators")]


def test_up_smoke_on_the_ecommerce_blueprint_passes(tmp_path: Path) -> None:
    shutil.copy(ROOT / "blueprints" / "ecommerce" / "catalog.yaml", tmp_path / "catalog.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "archgen", "up", "catalog.yaml", "-o", "out", "--smoke",
         "--embedded", "memory", "--quiet"],
        cwd=tmp_path, capture_output=True, text=True, timeout=240, check=False)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-6000:]
    for step in ("gateway refuses a request without a token (401)",
                 "POST /api/v1/orders (order-service)", "follow until status is 'shipped'",
                 "notification-service shows it",
                 # the failure path: a payment above the card limit is declined
                 "POST /api/v1/orders (order-service) so that payment.failed follows",
                 "follow until status is 'cancelled' (order-service on payment.failed)",
                 "inventory-service undoes it: status 'released'"):
        assert step in out, out[-6000:]
    assert "smoke test passed" in out


def test_up_smoke_on_the_food_delivery_blueprint_passes(tmp_path: Path) -> None:
    """The second blueprint, with no `--embedded` option: its restaurant tickets live in a
    real Valkey (with the accept deadline's timer), the rest in the embedded PostgreSQL.
    The happy path is the catalog's `smoke.steps` (the restaurant's and the courier's
    calls); the declined card's compensation path is derived from `compensated_by`."""
    shutil.copy(ROOT / "blueprints" / "food-delivery" / "catalog.yaml",
                tmp_path / "catalog.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "archgen", "up", "catalog.yaml", "-o", "out", "--smoke",
         "--quiet"],
        cwd=tmp_path, capture_output=True, text=True, timeout=240, check=False)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-6000:]
    for step in ("gateway refuses a request without a token (401)",
                 "POST /api/v1/orders (order-service)",
                 "restaurant-service shows status 'pending'",
                 "PUT /api/v1/tickets/{id}/status (restaurant-service)",
                 "courier-service shows status 'assigned'",
                 "order-service shows status 'delivered'",
                 "payment-service shows status 'captured'",
                 "notification-service shows it",
                 # the failure path: an order above the card limit is declined
                 "POST /api/v1/orders (order-service) so that payment.declined follows",
                 "follow until status is 'cancelled' (order-service on payment.declined)",
                 "payment-service undoes it: status 'voided'",
                 "restaurant-service undoes it: status 'withdrawn'"):
        assert step in out, out[-6000:]
    assert "smoke test passed" in out

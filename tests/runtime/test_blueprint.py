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

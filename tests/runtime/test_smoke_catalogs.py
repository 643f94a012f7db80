"""`archgen up --smoke` on catalogs other than the blueprint: the real services and gateway.

Each catalog reproduces what misled a user: a status only a manual call sets (and a small
tier that fast polling would exhaust), the same flow declared under `smoke.steps`, and a
system with no flow to derive behind a gateway that asks for no token.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from archgen.generators import GENERATORS

# A 429 answer as smoke reports it, not the digits inside a port number such as 14291.
_RATE_LIMITED = re.compile(r"\b429\b|Retry-After")

HERE = Path(__file__).parent
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not {"services", "gateway"} <= set(GENERATORS),
    reason="needs the services and gateway generators")]

DECLARED = """
smoke:
  description: A clerk ships the order by hand
  steps:
    - call: order-service POST /api/v1/orders
    - call: order-service PUT /api/v1/orders/{id}/status
      body: {status: shipped}
    - wait: order-service GET /api/v1/orders/{id}
      until: {status: shipped}
    - wait: notifier GET /api/v1/notes/customer/{customerId}
"""


def _smoke(folder: Path, fixture: str, extra: str = "") -> tuple[int, str]:
    text = (HERE / "fixtures" / fixture).read_text(encoding="utf-8") + extra
    (folder / "catalog.yaml").write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "archgen", "up", "catalog.yaml", "-o", "out", "--smoke",
         "--embedded", "sqlite", "--quiet"],
        cwd=folder, capture_output=True, text=True, timeout=240, check=False)
    return done.returncode, (done.stdout + done.stderr)[-6000:]


def test_a_status_set_by_hand_is_not_waited_for(tmp_path: Path) -> None:
    code, out = _smoke(tmp_path, "manual_status.yaml")
    assert code == 0, out
    assert "follow until status" not in out
    for step in ("gateway refuses a request without a token (401)",
                 "POST /api/v1/orders (order-service)", "read it back (GET /api/v1/orders/{id})",
                 "notifier shows it (GET /api/v1/notes/customer/{customerId})"):
        assert step in out, out
    assert not _RATE_LIMITED.search(out)
    assert "smoke test passed" in out


def test_a_declared_flow_is_driven_within_a_small_tier(tmp_path: Path) -> None:
    code, out = _smoke(tmp_path, "manual_status.yaml", DECLARED)
    assert code == 0, out
    for step in ("PUT /api/v1/orders/{id}/status (order-service)",
                 "order-service shows status 'shipped' (GET /api/v1/orders/{id})",
                 "notifier shows it (GET /api/v1/notes/customer/{customerId})"):
        assert step in out, out
    assert not _RATE_LIMITED.search(out)  # 30/min: polls are spaced to half of it
    assert "smoke test passed" in out


def test_without_a_flow_smoke_checks_health_and_public_gets(tmp_path: Path) -> None:
    code, out = _smoke(tmp_path, "open_gateway.yaml")
    assert code == 0, out
    assert "the gateway asks for no token (gateway.auth.type: none)" in out
    assert "none derivable" in out
    assert "every service ready (2)" in out
    assert "public GETs answer without 5xx (3)" in out
    assert "smoke test passed" in out

"""The food-delivery blueprint generates services a team could own: ruff- and
`mypy --strict`-clean, their own tests passing (the restaurant service's reactions set
the accept deadline's timer on its key-value store). `archgen up --smoke` runs the
blueprint itself (tests/runtime/test_blueprint.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "blueprints" / "food-delivery" / "catalog.yaml"
SERVICES = ("order-service", "payment-service", "restaurant-service", "courier-service",
            "notification-service")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("food")
    done = subprocess.run([sys.executable, "-m", "archgen", "generate", str(CATALOG), "-o",
                           str(out), "--only", "services"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    return out / "services"


def test_the_blueprint_declares_the_accept_deadline_on_its_key_value_service(
        generated: Path) -> None:
    spec = (generated / "restaurant-service" / "src" / "restaurant_service" / "spec.py")
    assert ('"order.placed": Deadline("Ticket", "status", 300, "ticket.expired")'
            in spec.read_text(encoding="utf-8"))
    settings = generated / "restaurant-service" / "src" / "restaurant_service" / "settings.py"
    assert "redis_url" in settings.read_text(encoding="utf-8")


def test_the_generated_services_pass_ruff(generated: Path) -> None:
    for args in (["check", "--quiet"], ["format", "--check", "--quiet"]):
        for service in (*SERVICES, "_kit"):
            done = subprocess.run([sys.executable, "-m", "ruff", *args, "--no-cache", "."],
                                  cwd=generated / service, capture_output=True, text=True,
                                  timeout=120, check=False)
            assert done.returncode == 0, (service, args, done.stdout, done.stderr)


def test_the_generated_services_pass_mypy_strict(generated: Path, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports",
                           "--cache-dir", str(tmp_path), "--python-version", "3.11",
                           *(str(generated / s / "src") for s in (*SERVICES, "_kit"))],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:]


def test_the_restaurant_services_own_tests_pass(generated: Path) -> None:
    done = subprocess.run([sys.executable, "-B", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-W", "ignore::DeprecationWarning"],
                          cwd=generated / "restaurant-service",
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:]

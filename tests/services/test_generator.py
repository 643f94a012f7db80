"""The services generator: regeneration keeps the team's code, the golden tree is clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services.conftest import create_database

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = ROOT / "blueprints" / "ecommerce" / "catalog.yaml"
GOLDEN = ROOT / "generated" / "ecommerce" / "services"


def generate(catalog: Path, out: Path, expect: int = 0) -> str:
    done = subprocess.run([sys.executable, "-m", "archgen", "generate", str(catalog), "-o",
                           str(out), "--only", "services"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == expect, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_regeneration_keeps_scaffold_and_reports_edited_managed_file(tmp_path: Path) -> None:
    generate(BLUEPRINT, tmp_path)
    package = tmp_path / "services" / "order-service" / "src" / "order_service"
    handlers, routes = package / "handlers.py", package / "routes.py"
    handlers.write_text(handlers.read_text() + "# the team's code\n")
    routes.write_text(routes.read_text() + "# a hand edit of a managed file\n")
    edited_handlers = handlers.read_text()
    changed = tmp_path / "catalog.yaml"
    changed.write_text(BLUEPRINT.read_text().replace(
        "      OrderItem:\n", "      OrderItem:\n        gift: {type: bool, default: false}\n"))

    report = generate(changed, tmp_path, expect=1)  # 1: a managed file was kept, not written

    assert handlers.read_text() == edited_handlers  # scaffold: never touched again
    assert "routes.py (edited since archgen wrote it" in report  # managed: reported
    assert "gift: StrictBool = False" in (package / "models.py").read_text()  # catalog change


def test_golden_services_pass_ruff() -> None:
    for args in (["check", "--quiet"], ["format", "--check", "--quiet"]):
        for service in sorted(GOLDEN.iterdir()):
            done = subprocess.run([sys.executable, "-m", "ruff", *args, "."], cwd=service,
                                  capture_output=True, text=True, timeout=120, check=False)
            assert done.returncode == 0, (service.name, done.stdout)


@pytest.mark.slow
def test_golden_services_pass_mypy_strict() -> None:
    sources = [str(s / "src") for s in sorted(GOLDEN.iterdir())]
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports",
                           "--python-version", "3.11", *sources], capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("service", sorted(p.name for p in GOLDEN.iterdir()))
def test_golden_services_own_tests_pass_as_generated(service: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-W", "ignore::DeprecationWarning"], cwd=GOLDEN / service,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("service", ["order-service", "payment-service", "shipping-service"])
def test_golden_migrations_build_the_tables_on_postgresql(service: str, postgres: Path) -> None:
    """`alembic upgrade head` on a real PostgreSQL, then `alembic check`: the migration and
    tables.py describe the same schema."""
    url = create_database(postgres, f"migrate_{service.replace('-', '_')}")
    env = {**os.environ, "DATABASE_URL": url}
    for command in (["upgrade", "head"], ["check"]):
        done = subprocess.run([sys.executable, "-m", "alembic", *command], cwd=GOLDEN / service,
                              env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr[-2000:]

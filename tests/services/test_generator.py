"""The services generator: regeneration keeps the team's code, the golden tree is clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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

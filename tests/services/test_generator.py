"""The services generator: regeneration keeps the team's code, the golden tree is clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archgen.generators.services.kit import KIT_FOLDER
from tests.services.conftest import create_database

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = ROOT / "blueprints" / "ecommerce" / "catalog.yaml"
GOLDEN = ROOT / "generated" / "ecommerce" / "services"
# Every Python project under services/: the services and the service kit they share.
PROJECTS = sorted(p for p in GOLDEN.iterdir() if (p / "pyproject.toml").is_file())
SERVICES = [p for p in PROJECTS if p.name != KIT_FOLDER]


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
        for service in PROJECTS:
            done = subprocess.run([sys.executable, "-m", "ruff", *args, "--no-cache", "."],
                                  cwd=service,
                                  capture_output=True, text=True, timeout=120, check=False)
            assert done.returncode == 0, (service.name, done.stdout)


@pytest.mark.slow
def test_golden_services_pass_mypy_strict(tmp_path: Path) -> None:
    sources = [str(s / "src") for s in PROJECTS]  # the kit's once, with every service
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports",
                           "--cache-dir", str(tmp_path),
                           "--python-version", "3.11", *sources], capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("service", [p.name for p in SERVICES])
def test_golden_services_own_tests_pass_as_generated(service: str) -> None:
    done = subprocess.run([sys.executable, "-B", "-m", "pytest", "-q", "-p", "no:cacheprovider",
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


def test_a_service_can_bring_its_own_scaffold_template(tmp_path: Path) -> None:
    template = tmp_path / "team-template"
    project = template / "{{cookiecutter.service}}"
    (project / "src" / "{{cookiecutter.package}}").mkdir(parents=True)
    (template / "cookiecutter.json").write_text(
        '{"service": "x", "package": "x", "overridable": "", "_description": ""}')
    (project / "src" / "{{cookiecutter.package}}" / "handlers.py").write_text(
        '"""Team template for {{ cookiecutter.service }}."""\n')
    (project / "OWNERS").write_text("payments-team\n")
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(BLUEPRINT.read_text().replace(
        "    technology: {language: python, framework: fastapi}\n    models:\n      Payment:",
        "    technology: {language: python, framework: fastapi, template: "
        f"{json.dumps(str(template))}}}\n    models:\n      Payment:"))
    out = tmp_path / "out"
    generate(catalog, out)
    service = out / "services" / "payment-service"
    assert (service / "OWNERS").read_text() == "payments-team\n"
    handlers = service / "src" / "payment_service" / "handlers.py"
    assert handlers.read_text() == '"""Team template for payment-service."""\n'
    assert (service / "src" / "payment_service" / "routes.py").exists()  # managed: archgen's
    assert not (service / "tests" / "test_custom.py").exists()  # the default template's


def test_a_description_is_never_evaluated_by_cookiecutter() -> None:
    """Cookiecutter renders its variables as Jinja; `{{ 7*7 }}` printed 49."""
    from archgen.catalog import load_catalog_text
    from archgen.generators.services import ServicesGenerator
    from tests.helpers import ctx_of

    text = ("archgen: 1\nsystem: {name: s}\nservices:\n  a-service:\n"
            "    description: \"{{ 7*7 }} {% raw %} <b>x</b> ---\"\n"
            "    endpoints:\n      GET /api/v1/a/{id}: {summary: one}\n")
    catalog = load_catalog_text(text).catalog
    assert catalog is not None
    files = {f.path: f.content for f in ServicesGenerator().plan(ctx_of(catalog))}
    readme = str(files["services/a-service/README.md"])
    assert "49" not in readme
    assert "\\{\\{ 7\\*7 \\}\\}" in readme or "{{ 7\\*7 }}" in readme or "{{ 7*7 }}" in readme
    assert "<b>" not in readme


def test_an_installed_template_with_byte_code_and_binary_files_renders(tmp_path: Path) -> None:
    """pip compiles the .py files of the wheel's templates: generate failed with a
    UnicodeDecodeError on handlers.cpython-311.pyc from a non-editable install."""
    import shutil

    from archgen.generators.services import render_scaffold
    from archgen.resources import data_dir

    template = tmp_path / "tpl"
    shutil.copytree(data_dir("templates") / "services-scaffold", template)
    package = template / "{{cookiecutter.service}}" / "src" / "{{cookiecutter.package}}"
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "handlers.cpython-311.pyc").write_bytes(b"\xa7\r\r\n\x00")
    (template / "{{cookiecutter.service}}" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff")
    files = dict(render_scaffold(str(template), {"service": "s", "package": "s",
                                                 "overridable": "", "_description": ""}))
    assert not any("__pycache__" in path for path in files)
    assert files["logo.png"] == b"\x89PNG\r\n\x1a\n\xff"
    assert isinstance(files["src/s/handlers.py"], str)

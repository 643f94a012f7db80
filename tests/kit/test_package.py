"""The service kit as a package: one managed copy per system, pinned, built offline.

Read from the committed golden tree (generated/ecommerce/services/) and from a
fresh generation of another catalog.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from archgen.generators.services.kit import (
    KIT_DISTRIBUTION,
    KIT_FOLDER,
    KIT_PACKAGE,
    KIT_VERSION,
    STORE_MODULES,
)
from archgen.model.deployment import package_name
from archgen.runtime import parts
from archgen.runtime.parts import Service

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "generated" / "ecommerce" / "services"
KIT = SERVICES / KIT_FOLDER
DELIVERY = ROOT / "tests" / "services" / "delivery" / "catalog.yaml"
# What the kit may import besides the standard library: the services' own dependencies.
DEPENDENCIES = {"aiokafka", "alembic", "asyncpg", "fastapi", "httpx", "prometheus_client",
                "purgatory", "pydantic", "pymongo", "redis", "sqlalchemy", "starlette",
                "tenacity"}
# What the kit's test support (testing.py, imported by tests only) adds: its `test` extra.
TEST_DEPENDENCIES = {"jsonschema"}
# The runtime modules a service used to carry a copy of.
KIT_MODULES = {"admission", "callers", "consumer", "defaults", "events", "flow", "idempotency",
               "limits", "observability", "problems", "storage", "store"}


def _services() -> list[Path]:
    return sorted(p for p in SERVICES.iterdir() if p.name != KIT_FOLDER and p.is_dir())


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_system_gets_the_same_kit(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "archgen", "generate", str(DELIVERY), "-o",
                           str(tmp_path), "--only", "services"], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _files(tmp_path / "services" / KIT_FOLDER) == _files(KIT)


def test_each_service_pins_the_kit_exactly_and_the_kit_says_its_version() -> None:
    kit = tomllib.loads((KIT / "pyproject.toml").read_text())["project"]
    assert (kit["name"], kit["version"]) == (KIT_DISTRIBUTION, KIT_VERSION)
    init = (KIT / "src" / KIT_PACKAGE / "__init__.py").read_text()
    assert f'__version__ = "{KIT_VERSION}"' in init
    assert (KIT / "src" / KIT_PACKAGE / "py.typed").is_file()
    for service in _services():
        deps = tomllib.loads((service / "pyproject.toml").read_text())["project"]["dependencies"]
        assert f"{KIT_DISTRIBUTION}=={KIT_VERSION}" in deps, service.name


def test_no_service_carries_a_copy_of_the_runtime() -> None:
    for service in _services():
        (package,) = (service / "src").iterdir()
        modules = {p.stem for p in package.glob("*.py")}
        assert not modules & KIT_MODULES, (service.name, modules & KIT_MODULES)
        app = (package / "app.py").read_text()
        assert f"from {KIT_PACKAGE} import app as kit" in app


def test_the_kit_imports_only_the_services_dependencies() -> None:
    """Never archgen's generator stack (Jinja, PyYAML, cookiecutter, archgen itself)."""
    for path in (KIT / "src").rglob("*.py"):
        allowed = DEPENDENCIES | (TEST_DEPENDENCIES if path.name == "testing.py" else set())
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top in allowed, (path, name)
    project = tomllib.loads((KIT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"]
    assert [d.split(">")[0] for d in project["optional-dependencies"]["test"]] == sorted(
        TEST_DEPENDENCIES)
    assert not [d for d in deps if re.match(r"(archgen|jinja2|pyyaml|cookiecutter)\b", d, re.I)]


def test_every_store_kind_has_its_kit_module() -> None:
    for module in STORE_MODULES.values():
        text = (KIT / "src" / KIT_PACKAGE / "stores" / f"{module}.py").read_text()
        assert "BACKEND = StoreBackend(open_store, UNAVAILABLE)" in text


def test_the_dockerfile_installs_the_vendored_kit_with_the_service(tmp_path: Path) -> None:
    """The Dockerfile's own `pip install`, run from a copy of services/ with no package
    index: the kit comes from `_kit/`, what else the service needs is already here."""
    dockerfile = (SERVICES / "order-service" / "Dockerfile").read_text()
    assert "COPY _kit ./_kit" in dockerfile
    (command,) = re.findall(r"^RUN (pip install .*)$", dockerfile, re.M)
    assert command == "pip install --no-cache-dir ./_kit ./order-service"
    for name in (KIT_FOLDER, "order-service"):
        shutil.copytree(SERVICES / name, tmp_path / name)
    done = subprocess.run([sys.executable, "-m", *command.split(), "--no-index",
                           "--no-build-isolation", "--dry-run", "--report", "report.json"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert f"{KIT_DISTRIBUTION}-{KIT_VERSION}" in done.stdout.replace("_", "-")


def test_up_runs_a_service_with_the_kit_on_its_path(tmp_path: Path) -> None:
    assert parts.KIT_FOLDER == KIT_FOLDER  # the folder the generator writes
    service = tmp_path / "services" / "order-service"
    (service / "src" / "order_service").mkdir(parents=True)
    (service / "src" / "order_service" / "app.py").write_text("")
    (tmp_path / "services" / KIT_FOLDER / "src").mkdir(parents=True)
    launch = Service("order-service", 8080, package="order_service",
                     folder=service).prepare(tmp_path)
    path = launch.env["PYTHONPATH"].split(":")
    assert path[:2] == [str(service / "src"), str(tmp_path / "services" / KIT_FOLDER / "src")]



def test_a_service_named_like_the_kit_gets_a_package_of_its_own(tmp_path: Path) -> None:
    """Its package would shadow the kit every service imports: it gets the prefix that a
    name like `redis` gets, and it runs on the real kit."""
    assert package_name("archgen-service-kit") == f"svc_{KIT_PACKAGE}"
    catalog = (ROOT / "blueprints" / "minimal" / "catalog.yaml").read_text()
    (tmp_path / "catalog.yaml").write_text(catalog.replace("search-service", "archgen-service-kit"))
    done = subprocess.run([sys.executable, "-m", "archgen", "generate", "catalog.yaml", "-o",
                           "out", "--only", "services"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    app = tmp_path / "out" / "services" / "archgen-service-kit" / "src" / f"svc_{KIT_PACKAGE}"
    assert f"from {KIT_PACKAGE} import app as kit" in (app / "app.py").read_text()

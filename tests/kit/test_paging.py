"""The kit's pages (paging.py): a cursor names its list and the key a page starts after;
the stores page by key, never by offset. tests/services/test_paging.py runs the same
through generated services on PostgreSQL, Valkey, mongomock and the process; here, the
cursor itself, and the relational store's typed keys on SQLite (in a file of the test's)."""

from __future__ import annotations

import asyncio
import base64
import json
import types
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.helpers import serving_json


@pytest.fixture(scope="module")
def kit(kit_src: Path) -> Any:
    import archgen_service_kit.paging
    import archgen_service_kit.stores.relational

    return archgen_service_kit


def test_a_cursor_gives_back_its_key_and_only_to_its_own_list(kit: Any) -> None:
    paging = kit.paging
    mine, other = paging.scope("Order", "status", "new"), paging.scope("Order", "status", "paid")
    cursor = paging.encode(mine, "key-41")
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert paging.decode(mine, cursor) == "key-41"
    with pytest.raises(kit.storage.BadCursor, match="another list"):
        paging.decode(other, cursor)
    shapes = [json.dumps(v).encode() for v in ({"k": 1}, [mine], [mine, 41], "x", None)]
    for garbled in ["", "%%%", cursor[:-2], cursor[1:], "\u00e9t\u00e9",
                    *(base64.urlsafe_b64encode(s).decode() for s in shapes),
                    base64.urlsafe_b64encode(b"\xff\xfe").decode()]:
        with pytest.raises(kit.storage.BadCursor):
            paging.decode(mine, garbled)


def _schema(kit: Any) -> Any:
    metadata = sa.MetaData()
    table = sa.Table("orders", metadata, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("status", sa.Text, nullable=False),
                     sa.Index("ix_orders_status", "status", "id"))
    mapped = kit.stores.relational.Mapped(
        table, table.c.id, (), lambda record: (dict(record), {}),
        lambda row, lists: dict(row))
    # The store's own tables, as a service's tables.py declares them (unused here).
    own = {name: sa.Table(name, metadata, sa.Column("event_id", sa.Text, primary_key=True))
           for name in ("outbox", "processed_events")}
    return types.SimpleNamespace(TABLES={"Order": mapped}, metadata=metadata, **own)


def test_the_relational_store_pages_by_the_keys_type_and_refuses_a_key_of_another(
        kit: Any, tmp_path: Path) -> None:
    relational = kit.stores.relational

    async def run() -> None:
        engine = sa.ext.asyncio.create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/o.db")
        schema = _schema(kit)
        statements = relational.Statements(schema, "sqlite")
        async with engine.begin() as conn:
            await conn.run_sync(schema.metadata.create_all)
            await conn.execute(schema.TABLES["Order"].table.insert(),
                               [{"id": i, "status": "new" if i % 2 else "paid"}
                                for i in range(1, 31)])
            unit = relational.SqlUnit(relational.AlchemyRun(conn), schema, statements)
            # Numbers in the key's order (9 before 11), not as text ("11" before "9").
            page = await unit.list_by("Order", "status", "new", after="9", limit=3)
            assert [r["id"] for r in page] == [11, 13, 15]
            assert [r["id"] for r in await unit.list_by("Order", None, None, after="28",
                                                        limit=5)] == [29, 30]
            with pytest.raises(kit.storage.BadCursor, match="not a key of Order"):
                await unit.list_by("Order", "status", "new", after="nine", limit=3)
        await engine.dispose()

    asyncio.run(run())


def test_a_team_page_is_validated_item_by_item_and_keeps_its_cursor(kit: Any) -> None:
    """contract.checked: a list handler's Page answer is held to the response model item by
    item (a dict the model reads becomes the model; one it refuses is InvalidResponse)."""
    import archgen_service_kit.contract
    from pydantic import BaseModel, TypeAdapter

    class Order(BaseModel):
        id: int

    paging, contract = kit.paging, archgen_service_kit.contract

    async def good(_: object) -> Any:
        return paging.Page([{"id": 1}, Order(id=2)], "next-cursor")

    async def bad(_: object) -> Any:
        return paging.Page([{"id": "one"}])

    answer = TypeAdapter(list[Order])
    page = asyncio.run(contract.checked("orders", good, answer)(None))
    assert page == paging.Page([Order(id=1), Order(id=2)], "next-cursor")
    with pytest.raises(contract.InvalidResponse, match="orders"):
        asyncio.run(contract.checked("orders", bad, answer)(None))
    assert paging.cut([1, 2, 3], 2, "s", str)[0] == [1, 2]
    assert paging.decode("s", paging.cut([1, 2, 3], 2, "s", str)[1]) == "2"
    assert paging.cut([1, 2], 2, "s", str) == ([1, 2], None)


def test_a_callee_linking_off_its_service_is_refused_not_followed(kit: Any) -> None:
    """The kit's get_list follows a callee's pages on that callee only. Two stand-in HTTP
    servers play a callee whose Link points at another host: no generated service links
    so, but a broken or hostile one could, and its breaker and trace would not cover it."""
    import archgen_service_kit.clients
    from purgatory import AsyncCircuitBreakerFactory

    hits: dict[str, list[str]] = {"callee": [], "elsewhere": []}
    clients = archgen_service_kit.clients

    async def run(base: str) -> None:
        client = clients.UpstreamClient("memo-service", base, 5.0, 1, 10,
                                        AsyncCircuitBreakerFactory(), 5, 30.0, 1.0)
        try:
            with pytest.raises(clients.UpstreamRefused, match="off its service"):
                await client.get_list("/memos")
        finally:
            await client.aclose()

    def elsewhere(path: str) -> tuple[int, Any, dict[str, str]]:
        hits["elsewhere"].append(path)
        return 200, [path], {}

    with serving_json(elsewhere) as other:
        def callee(path: str) -> tuple[int, Any, dict[str, str]]:
            hits["callee"].append(path)
            return 200, [path], {"Link": f'<{other}/x>; rel="next"'}

        with serving_json(callee) as base:
            asyncio.run(run(base))
    assert hits == {"callee": ["/memos"], "elsewhere": []}

"""The relational store: SQLAlchemy 2 async (PostgreSQL via asyncpg, SQLite via aiosqlite).

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from .storage import Conflict, Message, OutboxBatch, Pool, Record
from .tables import TABLES, idempotency_keys, metadata, outbox, outbox_parked, processed_events

# Errors that mean the store cannot take a request now: no free connection within the
# pool's timeout. Answered 503 with Retry-After.
UNAVAILABLE: tuple[type[Exception], ...] = (sa.exc.TimeoutError,)


class SqlUnit:
    """One transaction: state changes, the outbox rows and the processed event ids together."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.emitted = False
        self.marks: list[str] = []

    async def get(self, model: str, key: str, lock: bool = False) -> Record | None:
        """The instance under `key`; with `lock`, its row stays locked until the unit ends
        (SELECT ... FOR UPDATE), so a concurrent update waits instead of being lost."""
        query = _statement("lock" if lock else "get", model, self.conn.dialect.name)
        row = (await self.conn.execute(query, {"k": key})).first()
        return dict(row[0]) if row is not None else None

    async def add(self, model: str, key: str, data: Record) -> None:
        """Create in one statement (INSERT ... ON CONFLICT DO NOTHING): Conflict when the key
        is taken, also by a create running at the same time."""
        statement = _statement("add", model, self.conn.dialect.name)
        values = {"key": key, "data": data, **_columns(TABLES[model], data)}
        done = await self.conn.execute(statement, values)
        if done.first() is None:
            raise Conflict(f"{model} {key} exists already")

    async def put(self, model: str, key: str, data: Record) -> None:
        """Create or replace in one statement (INSERT ... ON CONFLICT DO UPDATE)."""
        statement = _statement("put", model, self.conn.dialect.name)
        await self.conn.execute(
            statement, {"key": key, "data": data, **_columns(TABLES[model], data)}
        )

    def _insert(self, table: sa.Table) -> Any:
        dialect = self.conn.dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)

    async def list_by(self, model: str, name: str | None, value: Any) -> list[Record]:
        table = TABLES[model]
        query = sa.select(table.c.data).order_by(table.c.key)
        if name:
            query = query.where(table.c[name] == _column_value(value))
        return [dict(r[0]) for r in (await self.conn.execute(query)).all()]

    async def seen(self, event_id: str) -> bool:
        row = (
            await self.conn.execute(
                sa.select(processed_events.c.event_id).where(
                    processed_events.c.event_id == event_id
                )
            )
        ).first()
        return row is not None

    async def remember(self, key: str, fingerprint: str, result: Record) -> Record | None:
        """Keep `result` as the first answer under an Idempotency-Key, in this transaction;
        None when it is the first. Under a key taken already: the first answer (Conflict
        if it was for another request). A create running under the same key at the same
        time waits on the key's row until that one commits (or rolls back: then this one
        is the first)."""
        statement = self._insert(idempotency_keys).values(
            key=key, fingerprint=fingerprint, result=result
        )
        done = await self.conn.execute(
            statement.on_conflict_do_nothing(index_elements=["key"]).returning(
                idempotency_keys.c.key
            )
        )
        if done.first() is not None:
            return None
        row = (
            await self.conn.execute(
                sa.select(idempotency_keys.c.fingerprint, idempotency_keys.c.result).where(
                    idempotency_keys.c.key == key
                )
            )
        ).one()
        if row[0] != fingerprint:
            raise Conflict("this Idempotency-Key was sent with another request")
        return dict(row[1])

    def mark(self, event_id: str) -> None:
        self.marks.append(event_id)

    async def flush_marks(self) -> None:
        for event_id in self.marks:
            await self.conn.execute(_MARK, {"event_id": event_id})

    async def emit(self, message: Message) -> None:
        await self.conn.execute(_EMIT, {"message": message.to_json()})
        self.emitted = True


# The statements of every request, built once (per table and dialect) with their values
# bound at execution: building and hashing a statement on each call cost more CPU than
# sending it.
_EMIT = sa.insert(outbox)
_MARK = sa.insert(processed_events)


@functools.cache
def _statement(kind: str, model: str, dialect: str) -> Any:
    table = TABLES[model]
    if kind in ("get", "lock"):
        query = sa.select(table.c.data).where(table.c.key == sa.bindparam("k"))
        return query.with_for_update() if kind == "lock" else query
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    if kind == "add":
        return insert.on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key)
    # put: the row's columns become the ones it was to be created with
    return insert.on_conflict_do_update(
        index_elements=["key"],
        set_={c.name: insert.excluded[c.name] for c in table.columns if c.name != "key"},
    )


def _column_value(value: Any) -> str | None:
    return None if value is None else str(value)


def _columns(table: sa.Table, data: Record) -> dict[str, str | None]:
    """The lookup columns of a row: the instance's fields of those names, as text."""
    return {
        c.name: _column_value(data.get(c.name))
        for c in table.columns
        if c.name not in ("key", "data")
    }


class Store:
    has_outbox = True
    keeps_idempotency_keys = True

    def __init__(self, url: str, pool: Pool) -> None:
        # No pre-ping: it costs a round trip on every checkout. A connection the server
        # dropped fails the one request that meets it, and SQLAlchemy then invalidates
        # every connection of the pool made before it, so the next ones reconnect.
        self.engine = create_async_engine(
            url, pool_size=pool.size, max_overflow=0, pool_timeout=pool.timeout_s
        )
        self.outbox_ready = asyncio.Event()

    async def start(self) -> None:
        # Missing tables are created, so the service runs on an empty database; the
        # Alembic migrations (migrations/, `alembic upgrade head`) build the same schema
        # and carry its later changes (run `alembic stamp head` on a database made here).
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        self.outbox_ready.set()  # events left by an earlier run go out first

    async def stop(self) -> None:
        await self.engine.dispose()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    @asynccontextmanager
    async def unit(self, read_only: bool = False) -> AsyncIterator[SqlUnit]:
        if read_only:
            # One read, no writes: in autocommit, without the BEGIN and COMMIT round trips
            # (two of a read's three). The statement still sees one consistent snapshot.
            async with self.engine.connect() as conn:
                yield SqlUnit(await conn.execution_options(isolation_level="AUTOCOMMIT"))
            return
        # A Core connection, not an ORM session: the store maps no objects, so the
        # session's identity map and unit-of-work bookkeeping were work for nothing.
        async with self.engine.begin() as conn:
            unit = SqlUnit(conn)
            yield unit
            await unit.flush_marks()
        if unit.emitted:
            self.outbox_ready.set()

    @asynccontextmanager
    async def claim(self, limit: int = 100) -> AsyncIterator[OutboxBatch]:
        """The oldest outbox rows no other relay holds, locked for this one (FOR UPDATE
        SKIP LOCKED: replicas share the outbox, each row goes out once in the common path).
        At the end, in the same transaction, sent rows are deleted in one statement and
        refused ones parked. SQLite has one writer: there the claim is the transaction."""
        async with self.engine.begin() as conn:
            rows = (
                await conn.execute(
                    sa.select(outbox.c.seq, outbox.c.message)
                    .order_by(outbox.c.seq)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            batch = OutboxBatch([(seq, Message.from_json(text)) for seq, text in rows])
            yield batch  # an error in the relay rolls back: the rows stay, unclaimed
            for seq, reason in batch.parked:
                await conn.execute(
                    sa.insert(outbox_parked).from_select(
                        ["seq", "message", "reason"],
                        sa.select(outbox.c.seq, outbox.c.message, sa.literal(reason)).where(
                            outbox.c.seq == seq
                        ),
                    )
                )
            gone = batch.sent + [seq for seq, _ in batch.parked]
            if gone:
                await conn.execute(sa.delete(outbox).where(outbox.c.seq.in_(gone)))


def open_store(url: str, pool: Pool) -> Store:
    return Store(url, pool)

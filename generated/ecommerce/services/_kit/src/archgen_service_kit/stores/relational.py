"""The relational store: SQLAlchemy 2 async (PostgreSQL via asyncpg, SQLite via aiosqlite).

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from ..spec import ServiceSpec
from ..storage import Conflict, Message, OutboxBatch, Pool, Record, StoreBackend

# Errors that mean the store cannot take a request now: no free connection within the
# pool's timeout. Answered 503 with Retry-After.
UNAVAILABLE: tuple[type[Exception], ...] = (sa.exc.TimeoutError,)


class Schema(Protocol):
    """A service's tables.py: a table per stored model, the outbox, processed events."""

    TABLES: Mapping[str, sa.Table]
    metadata: sa.MetaData
    outbox: sa.Table
    outbox_parked: sa.Table
    processed_events: sa.Table


class SqlUnit:
    """One transaction: state changes, the outbox rows and the processed event ids together."""

    def __init__(self, session: AsyncSession, schema: Schema) -> None:
        self.session = session
        self.schema = schema
        self.emitted = False
        self.marks: list[str] = []

    async def get(self, model: str, key: str, lock: bool = False) -> Record | None:
        """The instance under `key`; with `lock`, its row stays locked until the unit ends
        (SELECT ... FOR UPDATE), so a concurrent update waits instead of being lost."""
        table = self.schema.TABLES[model]
        query = sa.select(table.c.data).where(table.c.key == key)
        if lock:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return dict(row[0]) if row is not None else None

    async def add(self, model: str, key: str, data: Record) -> None:
        """Create in one statement (INSERT ... ON CONFLICT DO NOTHING): Conflict when the key
        is taken, also by a create running at the same time."""
        table = self.schema.TABLES[model]
        statement = self._insert(table).values(key=key, data=data, **_columns(table, data))
        done = await self.session.execute(
            statement.on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key)
        )
        if done.first() is None:
            raise Conflict(f"{model} {key} exists already")

    async def put(self, model: str, key: str, data: Record) -> None:
        """Create or replace in one statement (INSERT ... ON CONFLICT DO UPDATE)."""
        table = self.schema.TABLES[model]
        values = {"data": data, **_columns(table, data)}
        statement = self._insert(table).values(key=key, **values)
        await self.session.execute(
            statement.on_conflict_do_update(index_elements=["key"], set_=values)
        )

    def _insert(self, table: sa.Table) -> Any:
        dialect = self.session.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)

    async def list_by(self, model: str, name: str | None, value: Any) -> list[Record]:
        table = self.schema.TABLES[model]
        query = sa.select(table.c.data).order_by(table.c.key)
        if name:
            query = query.where(table.c[name] == _column_value(value))
        return [dict(r[0]) for r in (await self.session.execute(query)).all()]

    async def seen(self, event_id: str) -> bool:
        processed = self.schema.processed_events
        row = (
            await self.session.execute(
                sa.select(processed.c.event_id).where(processed.c.event_id == event_id)
            )
        ).first()
        return row is not None

    def mark(self, event_id: str) -> None:
        self.marks.append(event_id)

    async def flush_marks(self) -> None:
        for event_id in self.marks:
            await self.session.execute(
                sa.insert(self.schema.processed_events).values(event_id=event_id)
            )

    async def emit(self, message: Message) -> None:
        await self.session.execute(sa.insert(self.schema.outbox).values(message=message.to_json()))
        self.emitted = True

    async def set_timer(
        self, model: str, key: str, field: str | None, state: str | None, event: str, due_at: float
    ) -> None:
        """A timeout, written with the change that set it (tables.py: `timers`)."""
        await self.session.execute(
            sa.insert(_timers(self.schema)).values(
                model=model, record_key=key, field=field, state=state, event=event, due_at=due_at
            )
        )


def _timers(schema: Schema) -> sa.Table:
    table: sa.Table | None = getattr(schema, "timers", None)
    if table is None:
        raise RuntimeError("a reaction sets a timer, but tables.py has no `timers` table")
    return table


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

    def __init__(self, url: str, pool: Pool, schema: Schema) -> None:
        self.schema = schema
        self.engine = create_async_engine(
            url,
            pool_pre_ping=True,
            pool_size=pool.size,
            max_overflow=0,
            pool_timeout=pool.timeout_s,
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.outbox_ready = asyncio.Event()

    async def start(self) -> None:
        # Missing tables are created, so the service runs on an empty database; the
        # Alembic migrations (migrations/, `alembic upgrade head`) build the same schema
        # and carry its later changes (run `alembic stamp head` on a database made here).
        async with self.engine.begin() as conn:
            await conn.run_sync(self.schema.metadata.create_all)
        self.outbox_ready.set()  # events left by an earlier run go out first

    async def stop(self) -> None:
        await self.engine.dispose()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[SqlUnit]:
        async with self.sessions() as session, session.begin():
            unit = SqlUnit(session, self.schema)
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
        outbox, outbox_parked = self.schema.outbox, self.schema.outbox_parked
        async with self.sessions() as session, session.begin():
            rows = (
                await session.execute(
                    sa.select(outbox.c.seq, outbox.c.message)
                    .order_by(outbox.c.seq)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            batch = OutboxBatch([(seq, Message.from_json(text)) for seq, text in rows])
            yield batch  # an error in the relay rolls back: the rows stay, unclaimed
            for seq, reason in batch.parked:
                await session.execute(
                    sa.insert(outbox_parked).from_select(
                        ["seq", "message", "reason"],
                        sa.select(outbox.c.seq, outbox.c.message, sa.literal(reason)).where(
                            outbox.c.seq == seq
                        ),
                    )
                )
            gone = batch.sent + [seq for seq, _ in batch.parked]
            if gone:
                await session.execute(sa.delete(outbox).where(outbox.c.seq.in_(gone)))

    async def fire_due(self, make: Callable[[str, str, Record], Message], limit: int = 100) -> int:
        """Fire the due timers no other replica holds (FOR UPDATE SKIP LOCKED): in one
        transaction, the timeout event goes to the outbox if the record still holds the
        state its reaction left, and the timer is deleted. How many were due."""
        timers = _timers(self.schema)
        async with self.sessions() as session, session.begin():
            rows = (
                await session.execute(
                    sa.select(timers)
                    .where(timers.c.due_at <= time.time())
                    .order_by(timers.c.due_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            unit = SqlUnit(session, self.schema)
            for row in rows:
                record = await unit.get(row.model, row.record_key)
                if record is not None and (
                    row.field is None or str(record.get(row.field)) == row.state
                ):
                    await unit.emit(make(row.model, row.event, record))
            if rows:
                await session.execute(
                    sa.delete(timers).where(timers.c.id.in_([row.id for row in rows]))
                )
        if unit.emitted:
            self.outbox_ready.set()
        return len(rows)


def open_store(url: str, pool: Pool, spec: ServiceSpec, tables: Schema | None = None) -> Store:
    if tables is None:
        raise ValueError(f"{spec.name}: a relational store needs its tables")
    return Store(url, pool, tables)


BACKEND = StoreBackend(open_store, UNAVAILABLE)

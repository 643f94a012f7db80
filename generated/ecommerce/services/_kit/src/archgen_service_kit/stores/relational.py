"""The relational store: SQLAlchemy 2 async (PostgreSQL via asyncpg, SQLite via aiosqlite).

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from ..spec import ServiceSpec
from ..storage import Conflict, Message, OutboxBatch, Pool, Record, StoreBackend

# Errors that mean the store cannot take a request now: no free connection within the
# pool's timeout. Answered 503 with Retry-After.
UNAVAILABLE: tuple[type[Exception], ...] = (sa.exc.TimeoutError,)


Row = sa.RowMapping
# A model's rows: its own, and per table of its lists the rows of the items.
Rows = tuple[dict[str, Any], dict[sa.Table, list[dict[str, Any]]]]


@dataclass(frozen=True)
class Mapped:
    """A stored model's table, key column and list tables (each with the column holding
    the owner's key), and its record as rows and back (the service's tables.py)."""

    table: sa.Table
    key: sa.Column[Any]
    lists: tuple[tuple[sa.Table, sa.Column[Any]], ...]
    to_rows: Callable[[Record], Rows]
    from_rows: Callable[[Row, Mapping[sa.Table, Sequence[Row]]], Record]


class Schema(Protocol):
    """A service's tables.py: a table per stored model, the outbox, processed events, and
    the folder of its Alembic revisions."""

    TABLES: Mapping[str, Mapped]
    MIGRATIONS: Path
    metadata: sa.MetaData
    outbox: sa.Table
    outbox_parked: sa.Table
    processed_events: sa.Table


def column_value(column: sa.Column[Any], text: str | None) -> Any:
    """A looked-up value (a path parameter, a payload's field: text) as the column holds
    it; ValueError when it cannot be one (no row has it)."""
    if text is None:
        return None
    kind = column.type.python_type
    if kind in (date, datetime):
        return kind.fromisoformat(text)
    if kind is bool:
        return text.lower() == "true"
    return kind(text)


def migrate(url: str, migrations: Path) -> None:
    """Bring the database at `url` to the newest revision in `migrations` (`alembic upgrade
    head`). Blocks: run it in a thread (the revisions' env.py runs its own event loop)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.attributes["url"] = url
    command.upgrade(config, "head")


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
        mapped = self.schema.TABLES[model]
        found = await self._select(mapped, mapped.key, key, lock)
        return found[0] if found else None

    async def add(self, model: str, key: str, data: Record) -> None:
        """Create in one statement (INSERT ... ON CONFLICT DO NOTHING): Conflict when the key
        is taken, also by a create running at the same time."""
        mapped = self.schema.TABLES[model]
        row, lists = mapped.to_rows(data)
        statement = self._insert(mapped.table).values(row)
        done = await self.session.execute(
            statement.on_conflict_do_nothing(index_elements=[mapped.key.name]).returning(mapped.key)
        )
        if done.first() is None:
            raise Conflict(f"{model} {key} exists already")
        await self._insert_lists(lists)

    async def put(self, model: str, key: str, data: Record) -> None:
        """Create or replace in one statement (INSERT ... ON CONFLICT DO UPDATE); the rows
        of its lists are replaced."""
        mapped = self.schema.TABLES[model]
        row, lists = mapped.to_rows(data)
        statement = self._insert(mapped.table).values(row)
        await self.session.execute(
            statement.on_conflict_do_update(index_elements=[mapped.key.name], set_=row)
        )
        for table, owner in mapped.lists:
            await self.session.execute(sa.delete(table).where(owner == row[mapped.key.name]))
        await self._insert_lists(lists)

    def _insert(self, table: sa.Table) -> Any:
        dialect = self.session.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)

    async def _insert_lists(self, lists: dict[sa.Table, list[dict[str, Any]]]) -> None:
        for table, rows in lists.items():
            if rows:
                await self.session.execute(sa.insert(table), rows)

    async def list_by(self, model: str, name: str | None, value: Any) -> list[Record]:
        mapped = self.schema.TABLES[model]
        return await self._select(mapped, mapped.table.c[name] if name else None, value)

    async def _select(
        self, mapped: Mapped, column: sa.Column[Any] | None, text: str | None, lock: bool = False
    ) -> list[Record]:
        """The instances whose `column` holds `text` (all without a column), by key, each
        with the rows of its lists."""
        query = sa.select(mapped.table).order_by(mapped.key)
        if column is not None:
            try:
                query = query.where(column == column_value(column, text))
            except ValueError:
                return []  # not a value of the column: no row holds it
        if lock:
            query = query.with_for_update()
        rows = (await self.session.execute(query)).mappings().all()
        keys = [row[mapped.key.name] for row in rows]
        items: dict[Any, dict[sa.Table, list[Any]]] = {key: {} for key in keys}
        for table, owner in mapped.lists:
            found = await self.session.execute(
                sa.select(table).where(owner.in_(keys)).order_by(*table.primary_key.columns)
            )
            for item in found.mappings().all():
                items[item[owner.name]].setdefault(table, []).append(item)
        return [mapped.from_rows(row, items[key]) for row, key in zip(rows, keys, strict=True)]

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


class Store:
    has_outbox = True

    def __init__(self, url: str, pool: Pool, schema: Schema) -> None:
        self.schema = schema
        self.url = url
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
        if self.engine.dialect.name == "postgresql":
            # The schema is the Alembic revisions': applied up to the newest, as
            # `alembic upgrade head` does, one replica at a time (migrations/env.py).
            await asyncio.to_thread(migrate, self.url, self.schema.MIGRATIONS)
        else:
            # SQLite is development's and the generated tests' throwaway file: made from
            # tables.py at once (the revisions are written for PostgreSQL, whose ALTERs
            # SQLite lacks).
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


def open_store(url: str, pool: Pool, spec: ServiceSpec, tables: Schema | None = None) -> Store:
    if tables is None:
        raise ValueError(f"{spec.name}: a relational store needs its tables")
    return Store(url, pool, tables)


BACKEND = StoreBackend(open_store, UNAVAILABLE)

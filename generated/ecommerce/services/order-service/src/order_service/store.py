"""The relational store: SQLAlchemy 2 async (PostgreSQL via asyncpg, SQLite via aiosqlite).

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from .storage import Message, Pool, Record
from .tables import TABLES, metadata, outbox, outbox_parked, processed_events

# Errors that mean the store cannot take a request now: no free connection within the
# pool's timeout. Answered 503 with Retry-After.
UNAVAILABLE: tuple[type[Exception], ...] = (sa.exc.TimeoutError,)


class SqlUnit:
    """One transaction: state changes, the outbox rows and the processed event ids together."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.emitted = False
        self.marks: list[str] = []

    async def get(self, model: str, key: str) -> Record | None:
        table = TABLES[model]
        row = (
            await self.session.execute(sa.select(table.c.data).where(table.c.key == key))
        ).first()
        return dict(row[0]) if row is not None else None

    async def put(self, model: str, key: str, data: Record) -> None:
        table = TABLES[model]
        values = {
            c.name: _column_value(data.get(c.name))
            for c in table.columns
            if c.name not in ("key", "data")
        }
        exists = await self.get(model, key)
        if exists is None:
            await self.session.execute(sa.insert(table).values(key=key, data=data, **values))
        else:
            await self.session.execute(
                sa.update(table).where(table.c.key == key).values(data=data, **values)
            )

    async def list_by(self, model: str, name: str | None, value: Any) -> list[Record]:
        table = TABLES[model]
        query = sa.select(table.c.data).order_by(table.c.key)
        if name:
            query = query.where(table.c[name] == _column_value(value))
        return [dict(r[0]) for r in (await self.session.execute(query)).all()]

    async def seen(self, event_id: str) -> bool:
        row = (
            await self.session.execute(
                sa.select(processed_events.c.event_id).where(
                    processed_events.c.event_id == event_id
                )
            )
        ).first()
        return row is not None

    def mark(self, event_id: str) -> None:
        self.marks.append(event_id)

    async def flush_marks(self) -> None:
        for event_id in self.marks:
            await self.session.execute(sa.insert(processed_events).values(event_id=event_id))

    async def emit(self, message: Message) -> None:
        await self.session.execute(sa.insert(outbox).values(message=message.to_json()))
        self.emitted = True


def _column_value(value: Any) -> str | None:
    return None if value is None else str(value)


class Store:
    has_outbox = True

    def __init__(self, url: str, pool: Pool) -> None:
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
            await conn.run_sync(metadata.create_all)
        self.outbox_ready.set()  # events left by an earlier run go out first

    async def stop(self) -> None:
        await self.engine.dispose()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[SqlUnit]:
        async with self.sessions() as session, session.begin():
            unit = SqlUnit(session)
            yield unit
            await unit.flush_marks()
        if unit.emitted:
            self.outbox_ready.set()

    async def pending(self, limit: int = 100) -> list[tuple[int, Message]]:
        async with self.sessions() as session:
            rows = (
                await session.execute(
                    sa.select(outbox.c.seq, outbox.c.message).order_by(outbox.c.seq).limit(limit)
                )
            ).all()
        return [(seq, Message.from_json(text)) for seq, text in rows]

    async def done(self, seqs: list[int]) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(sa.delete(outbox).where(outbox.c.seq.in_(seqs)))

    async def park(self, seq: int, reason: str) -> None:
        """Move an outbox row the broker refused to the parked table, with the reason."""
        async with self.sessions() as session, session.begin():
            await session.execute(
                sa.insert(outbox_parked).from_select(
                    ["seq", "message", "reason"],
                    sa.select(outbox.c.seq, outbox.c.message, sa.literal(reason)).where(
                        outbox.c.seq == seq
                    ),
                )
            )
            await session.execute(sa.delete(outbox).where(outbox.c.seq == seq))


def open_store(url: str, pool: Pool) -> Store:
    return Store(url, pool)

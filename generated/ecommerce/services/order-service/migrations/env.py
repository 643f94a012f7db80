"""Alembic environment of order-service: async engine, metadata from tables.py.

After a catalog change, `alembic revision --autogenerate -m "..."` writes the
next migration from the difference between tables.py and the database.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from order_service.settings import Settings
from order_service.tables import metadata

URL = os.environ.get("DATABASE_URL") or Settings().database_url


def run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


async def online() -> None:
    engine = create_async_engine(URL)
    async with engine.connect() as connection:
        await connection.run_sync(run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=URL, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(online())

"""Alembic environment of order-service: async engine, metadata from tables.py.

archgen writes a revision when the catalog changes the schema (migrations/schema.json);
`alembic check` compares tables.py with a database at head. One migrator runs at a time
on PostgreSQL (an advisory lock): replicas starting together wait, then find it done.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import os

import sqlalchemy as sa
from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from order_service.settings import Settings
from order_service.tables import metadata

# The service passes its URL (the kit applies the revisions at start); the command line
# takes it from the environment.
URL: str = (
    context.config.attributes.get("url")
    or os.environ.get("DATABASE_URL")
    or Settings().database_url
)


def run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('alembic'))"))
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

"""The document store: PyMongo's async API (MongoDB), a collection per model.

MONGODB_URL `memory://` keeps the state in the process (tests, and machines
without a MongoDB server); `mongomock://` uses mongomock-motor when installed.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pymongo.errors

from .spec import SERVICE
from .storage import BufferedUnit, MemoryStore, Pool, Record, Sink

# Errors that mean the store cannot take a request now: no free connection within the
# pool's timeout, or the server out of reach. Answered 503 with Retry-After.
UNAVAILABLE: tuple[type[Exception], ...] = (pymongo.errors.ConnectionFailure,)


class Store:
    has_outbox = False

    def __init__(self, url: str, pool: Pool) -> None:
        if url.startswith("mongomock:"):
            # No MongoDB server can run on every machine: mongomock-motor offers the same API.
            self.client: Any = importlib.import_module("mongomock_motor").AsyncMongoMockClient()
        else:
            self.client = importlib.import_module("pymongo").AsyncMongoClient(
                url, maxPoolSize=pool.size, waitQueueTimeoutMS=int(pool.timeout_s * 1000)
            )
        self.db: Any = self.client[SERVICE.replace("-", "_")]
        self.sink: Sink | None = None

    async def start(self) -> None:
        await self.ping()

    async def stop(self) -> None:
        closing = self.client.close()
        if closing is not None and hasattr(closing, "__await__"):
            await closing

    async def ping(self) -> None:
        await self.db.command("ping")

    async def _read(self, model: str, key: str) -> Record | None:
        doc = await self.db[model].find_one({"_id": key})
        if doc is None:
            return None
        doc.pop("_id", None)
        return dict(doc)

    async def _scan(self, model: str, name: str, value: Any) -> list[Record]:
        query = {name: value} if name else {}
        out = []
        async for doc in self.db[model].find(query).sort("_id"):
            doc.pop("_id", None)
            out.append(dict(doc))
        return out

    async def _seen(self, event_id: str) -> bool:
        return await self.db["archgen_processed_events"].find_one({"_id": event_id}) is not None

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[BufferedUnit]:
        unit = BufferedUnit(self._read, self._scan, self._seen)
        yield unit
        for (model, key), data in unit.writes.items():
            await self.db[model].replace_one({"_id": key}, {"_id": key, **data}, upsert=True)
        for event_id in unit.marks:
            await self.db["archgen_processed_events"].replace_one(
                {"_id": event_id}, {"_id": event_id}, upsert=True
            )
        if unit.messages and self.sink is not None:
            await self.sink(unit.messages)


def open_store(url: str, pool: Pool) -> Store | MemoryStore:
    return MemoryStore() if url.startswith("memory:") else Store(url, pool)

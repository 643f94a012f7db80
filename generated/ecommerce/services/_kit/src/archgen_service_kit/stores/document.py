"""The document store: PyMongo's async API (MongoDB), a collection per model.

An instance read for update is replaced only if it is still what was read (compare
and set; else the update runs again). A unit's events go to the outbox collection with
its state (created keys first, so a taken key stops the unit before anything is
written), then the relay moves them to the broker: a broker outage delays them, never
loses them. Without multi-document transactions a crash between the state and the
outbox writes can still lose one; on a replica set, run the unit in a transaction to
close that gap. Processed event ids expire (a TTL index, PROCESSED_TTL_S).
MONGODB_URL `memory://` keeps the state in the process (tests, and machines
without a MongoDB server); `mongomock://` uses mongomock-motor when installed.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import importlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pymongo.errors

from ..spec import ServiceSpec
from ..storage import (
    PROCESSED_TTL_S,
    BufferedUnit,
    Conflict,
    MemoryStore,
    Message,
    OutboxBatch,
    Pool,
    Record,
    Stale,
    StoreBackend,
)

# Errors that mean the store cannot take a request now: no free connection within the
# pool's timeout, or the server out of reach. Answered 503 with Retry-After.
UNAVAILABLE: tuple[type[Exception], ...] = (pymongo.errors.ConnectionFailure,)
OUTBOX = "archgen_outbox"
PARKED = "archgen_outbox_parked"
PROCESSED = "archgen_processed_events"
# A relay's claim on outbox documents outlives a crashed relay by at most this long.
LEASE = timedelta(seconds=30)


class Store:
    has_outbox = True

    def __init__(self, url: str, pool: Pool, spec: ServiceSpec) -> None:
        if url.startswith("mongomock:"):
            # No MongoDB server can run on every machine: mongomock-motor offers the same API.
            self.client: Any = importlib.import_module("mongomock_motor").AsyncMongoMockClient()
        else:
            self.client = importlib.import_module("pymongo").AsyncMongoClient(
                url, maxPoolSize=pool.size, waitQueueTimeoutMS=int(pool.timeout_s * 1000)
            )
        self.db: Any = self.client[spec.name.replace("-", "_")]
        self.stored = spec.stored
        self.outbox_ready = asyncio.Event()

    async def start(self) -> None:
        await self.ping()
        await self.db[PROCESSED].create_index("at", expireAfterSeconds=PROCESSED_TTL_S)
        await self.db[OUTBOX].create_index("seq")
        for model, stored in self.stored.items():  # the lookups, each in key order (pages)
            for name in stored.indexes:
                await self.db[model].create_index([(name, 1), ("_id", 1)])
        self.outbox_ready.set()  # events left by an earlier run go out first

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

    async def _scan(
        self, model: str, name: str, value: Any, after: str | None, limit: int | None
    ) -> list[Record]:
        """By key (`_id`); a page after a key from the index on (name, _id) made at start."""
        query: dict[str, Any] = {name: value} if name else {}
        if after is not None:
            query["_id"] = {"$gt": after}
        found = self.db[model].find(query).sort("_id")
        if limit is not None:
            found = found.limit(limit)
        out = []
        async for doc in found:
            doc.pop("_id", None)
            out.append(dict(doc))
        return out

    async def _seen(self, event_id: str) -> bool:
        return await self.db[PROCESSED].find_one({"_id": event_id}) is not None

    @asynccontextmanager
    async def unit(self, read_only: bool = False) -> AsyncIterator[BufferedUnit]:
        # read_only: nothing to save here (a buffered unit that writes nothing writes nothing)
        unit = BufferedUnit(self._read, self._scan, self._seen)
        yield unit
        if unit.timers:  # validation refuses a deadline here (AG528): never dropped silently
            raise RuntimeError("a reaction sets a timer, but the document store keeps none")
        for model, key in sorted(unit.created):
            try:
                await self.db[model].insert_one({"_id": key, **unit.writes[(model, key)]})
            except pymongo.errors.DuplicateKeyError as exc:
                raise Conflict(f"{model} {key} exists already") from exc
        for (model, key), read in unit.locked.items():
            if (model, key) not in unit.writes:
                continue
            # Compare and set: replaced only if it is still what the unit read.
            doc = {"_id": key, **unit.writes[(model, key)]}
            try:
                if read is None:
                    await self.db[model].insert_one(doc)
                elif (
                    await self.db[model].replace_one({"_id": key, **read}, doc)
                ).matched_count == 0:
                    raise Stale(f"{model} {key} changed since it was read")
            except pymongo.errors.DuplicateKeyError as exc:
                raise Stale(f"{model} {key} appeared since it was read") from exc
        for (model, key), data in unit.writes.items():
            if (model, key) not in unit.created and (model, key) not in unit.locked:
                await self.db[model].replace_one({"_id": key}, {"_id": key, **data}, upsert=True)
        now = datetime.now(UTC)
        for event_id in unit.marks:
            await self.db[PROCESSED].replace_one(
                {"_id": event_id}, {"_id": event_id, "at": now}, upsert=True
            )
        if unit.messages:
            await self.db[OUTBOX].insert_many(
                [
                    {
                        "seq": f"{now.isoformat()}-{i:04d}-{uuid.uuid4().hex}",
                        "message": m.to_json(),
                        "lease": now - LEASE,
                    }
                    for i, m in enumerate(unit.messages)
                ]
            )
            self.outbox_ready.set()

    @asynccontextmanager
    async def claim(self, limit: int = 100) -> AsyncIterator[OutboxBatch]:
        """The oldest outbox documents no other relay holds, leased to this one. At the end
        sent ones are deleted in one statement and refused ones parked with the reason."""
        token, now = uuid.uuid4().hex, datetime.now(UTC)
        rows: list[tuple[Any, Message]] = []
        async for doc in self.db[OUTBOX].find({"lease": {"$lt": now}}).sort("seq").limit(limit):
            taken = await self.db[OUTBOX].find_one_and_update(
                {"_id": doc["_id"], "lease": doc["lease"]},
                {"$set": {"lease": now + LEASE, "owner": token}},
            )
            if taken is not None:
                rows.append((doc["_id"], Message.from_json(doc["message"])))
        batch = OutboxBatch(rows)
        yield batch
        for seq, reason in batch.parked:
            doc = await self.db[OUTBOX].find_one({"_id": seq})
            if doc is not None:
                await self.db[PARKED].insert_one(
                    {"message": doc["message"], "reason": reason, "parked_at": datetime.now(UTC)}
                )
        gone = batch.sent + [seq for seq, _ in batch.parked]
        if gone:
            await self.db[OUTBOX].delete_many({"_id": {"$in": gone}})


def open_store(url: str, pool: Pool, spec: ServiceSpec, tables: Any = None) -> Store | MemoryStore:
    return MemoryStore() if url.startswith("memory:") else Store(url, pool, spec)


BACKEND = StoreBackend(open_store, UNAVAILABLE)

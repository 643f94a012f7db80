"""The key-value store: redis.asyncio (any Redis-protocol server: Redis, Valkey).

Instances are JSON under `<service>:<model>:<key>`; lookups by field go through
index sets. A unit's writes and its processed event id go in one MULTI/EXEC.
REDIS_URL `memory://` keeps the state in the process (tests without a server).
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as redis
from redis import exceptions as redis_errors

from .spec import SERVICE, STORED
from .storage import BufferedUnit, MemoryStore, Pool, Record, Sink

# Errors that mean the store cannot take a request now: no free connection within the
# pool's timeout, or the server out of reach. Answered 503 with Retry-After.
UNAVAILABLE: tuple[type[Exception], ...] = (redis_errors.ConnectionError, redis_errors.TimeoutError)


class Store:
    has_outbox = False

    def __init__(self, url: str, pool: Pool) -> None:
        # A blocking pool: when every connection is in use a request waits (bounded)
        # instead of failing at once with "Too many connections".
        self.client = redis.Redis.from_pool(
            redis.BlockingConnectionPool.from_url(
                url, max_connections=pool.size, timeout=pool.timeout_s, decode_responses=True
            )
        )
        self.sink: Sink | None = None

    async def start(self) -> None:
        await self.ping()

    async def stop(self) -> None:
        await self.client.aclose()

    async def ping(self) -> None:
        await self.client.ping()

    async def _read(self, model: str, key: str) -> Record | None:
        text = await self.client.get(f"{SERVICE}:{model}:{key}")
        return dict(json.loads(text)) if text else None

    async def _scan(self, model: str, name: str, value: Any) -> list[Record]:
        index = f"{SERVICE}:{model}:idx:{name}:{value}" if name else f"{SERVICE}:{model}:all"
        keys = sorted(str(k) for k in await self.client.smembers(index))
        found = [await self._read(model, k) for k in keys]
        return [r for r in found if r is not None]

    async def _seen(self, event_id: str) -> bool:
        return bool(await self.client.exists(f"{SERVICE}:processed:{event_id}"))

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[BufferedUnit]:
        unit = BufferedUnit(self._read, self._scan, self._seen)
        yield unit
        async with self.client.pipeline(transaction=True) as pipe:
            for (model, key), data in unit.writes.items():
                pipe.set(f"{SERVICE}:{model}:{key}", json.dumps(data))
                pipe.sadd(f"{SERVICE}:{model}:all", key)
                for name in STORED[model].indexes:
                    pipe.sadd(f"{SERVICE}:{model}:idx:{name}:{data.get(name)}", key)
            for event_id in unit.marks:
                pipe.set(f"{SERVICE}:processed:{event_id}", "1")
            await pipe.execute()
        if unit.messages and self.sink is not None:
            await self.sink(unit.messages)


def open_store(url: str, pool: Pool) -> Store | MemoryStore:
    return MemoryStore() if url.startswith("memory:") else Store(url, pool)

"""The key-value store: redis.asyncio (any Redis-protocol server: Redis, Valkey).

Instances are JSON under `<service>:<model>:<key>`; lookups by field go through
index sets (a member whose value changed leaves its old set). A unit's writes, its
processed event id (expiring after PROCESSED_TTL_S) and its events (the outbox list
`<service>:outbox`) go in one MULTI/EXEC; the relay moves the events to the broker.
The timers a unit sets (`within`) go in the same MULTI/EXEC, into the sorted set
`<service>:timers` scored by due time: they survive restarts as the state does, and
every replica polls them (fire_due).
REDIS_URL `memory://` keeps the state in the process (tests without a server).
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import redis.asyncio as redis
from redis import exceptions as redis_errors

from ..spec import ServiceSpec
from ..storage import (
    PROCESSED_TTL_S,
    BufferedUnit,
    Conflict,
    MakeMessage,
    MemoryStore,
    Message,
    OutboxBatch,
    Pool,
    Record,
    Stale,
    StoreBackend,
    Timer,
)

# Errors that mean the store cannot take a request now: no free connection within the
# pool's timeout, or the server out of reach. Answered 503 with Retry-After.
UNAVAILABLE: tuple[type[Exception], ...] = (redis_errors.ConnectionError, redis_errors.TimeoutError)
# One relay at a time holds the outbox (`<service>:outbox:lease`; replicas share it); a
# lease outlives a crashed holder by at most this long.
LEASE_MS = 30_000
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('del', KEYS[1]) else return 0 end"
)
# Fire one due timer (KEYS: the timers, its record, the outbox; ARGV: the timer, the
# record's text as read, the timeout event or ''). Only the caller whose ZREM takes the
# timer out emits, so replicas fire it once; its event and its removal are one step, so
# a crash leaves it due. A record changed since it was read: -1, it is read again.
_FIRE = (
    "if (redis.call('get', KEYS[2]) or '') ~= ARGV[2] then return -1 end "
    "if redis.call('zrem', KEYS[1], ARGV[1]) == 0 then return 0 end "
    "if ARGV[3] ~= '' then redis.call('rpush', KEYS[3], ARGV[3]) end "
    "return 1"
)


class Store:
    has_outbox = True

    def __init__(self, url: str, pool: Pool, spec: ServiceSpec) -> None:
        self.service = spec.name
        self.stored = spec.stored
        self.outbox = f"{spec.name}:outbox"
        self.parked = f"{spec.name}:outbox:parked"
        self.lease = f"{spec.name}:outbox:lease"
        self.timers = f"{spec.name}:timers"
        # A blocking pool: when every connection is in use a request waits (bounded)
        # instead of failing at once with "Too many connections".
        self.client = redis.Redis.from_pool(
            redis.BlockingConnectionPool.from_url(
                url, max_connections=pool.size, timeout=pool.timeout_s, decode_responses=True
            )
        )
        self.outbox_ready = asyncio.Event()

    async def start(self) -> None:
        await self.ping()
        self.outbox_ready.set()  # events left by an earlier run go out first

    async def stop(self) -> None:
        await self.client.aclose()

    async def ping(self) -> None:
        await self.client.ping()

    async def _read(self, model: str, key: str) -> Record | None:
        text = await self.client.get(f"{self.service}:{model}:{key}")
        return dict(json.loads(text)) if text else None

    async def _scan(
        self, model: str, name: str, value: Any, after: str | None, limit: int | None
    ) -> list[Record]:
        """By key; a page reads only its own instances (MGET, a page at a time). The index
        set's members are sorted here: a sorted set would give the page in O(log n), but
        would change the type of every index key a deployed store holds."""
        index = (
            f"{self.service}:{model}:idx:{name}:{value}" if name else f"{self.service}:{model}:all"
        )
        keys = sorted(str(k) for k in await self.client.smembers(index))
        if after is not None:
            keys = keys[bisect.bisect_right(keys, after) :]
        wanted = len(keys) if limit is None else limit
        out: list[Record] = []
        while keys and len(out) < wanted:
            batch, keys = keys[: wanted - len(out)], keys[wanted - len(out) :]
            texts = await self.client.mget([f"{self.service}:{model}:{k}" for k in batch])
            found = [json.loads(text) for text in texts if text]
            # A member written while its old value's set was being cleaned is checked here.
            out += [dict(r) for r in found if not name or str(r.get(name)) == value]
        return out

    async def _seen(self, event_id: str) -> bool:
        return bool(await self.client.exists(f"{self.service}:processed:{event_id}"))

    @asynccontextmanager
    async def unit(self, read_only: bool = False) -> AsyncIterator[BufferedUnit]:
        # read_only: nothing to save here (a buffered unit that writes nothing writes nothing)
        unit = BufferedUnit(self._read, self._scan, self._seen)
        yield unit
        created = [f"{self.service}:{model}:{key}" for model, key in unit.created]
        locked = {
            f"{self.service}:{model}:{key}": read for (model, key), read in unit.locked.items()
        }
        # What each written instance was, for its index sets: read before the pipeline
        # takes its connection (a pool of one would wait on itself).
        stale = {
            k: unit.locked[k] if k in unit.locked else await self._read(*k) for k in unit.writes
        }
        async with self.client.pipeline(transaction=True) as pipe:
            if created or locked:  # EXEC fails if any of them changes after this WATCH
                await pipe.watch(*created, *locked)
            if created and await pipe.exists(*created):
                raise Conflict(f"{created[0]} exists already")
            for name, read in locked.items():
                text = await pipe.get(name)
                if (json.loads(text) if text else None) != read:
                    raise Stale(f"{name} changed since it was read")
            pipe.multi()  # type: ignore[no-untyped-call]
            for (model, key), data in unit.writes.items():
                pipe.set(f"{self.service}:{model}:{key}", json.dumps(data))
                pipe.sadd(f"{self.service}:{model}:all", key)
                before = stale[(model, key)] or {}
                for name in self.stored[model].indexes:
                    if name in before and before.get(name) != data.get(name):
                        pipe.srem(f"{self.service}:{model}:idx:{name}:{before.get(name)}", key)
                    pipe.sadd(f"{self.service}:{model}:idx:{name}:{data.get(name)}", key)
            for event_id in unit.marks:
                pipe.set(f"{self.service}:processed:{event_id}", "1", ex=PROCESSED_TTL_S)
            if unit.messages:
                pipe.rpush(self.outbox, *[m.to_json() for m in unit.messages])
            if unit.timers:
                pipe.zadd(self.timers, {t.to_json(): t.due_at for t in unit.timers})
            try:
                await pipe.execute()
            except redis_errors.WatchError as exc:
                if locked:
                    raise Stale("changed since it was read") from exc
                raise Conflict(f"{created[0]} exists already") from exc
        if unit.messages:
            self.outbox_ready.set()

    @asynccontextmanager
    async def claim(self, limit: int = 100) -> AsyncIterator[OutboxBatch]:
        """The oldest outbox events, under the outbox's lease (none while another relay
        holds it). At the end, in one MULTI/EXEC, sent events leave the list and refused
        ones move to the parked list with their reason."""
        token = uuid.uuid4().hex
        if not await self.client.set(self.lease, token, nx=True, px=LEASE_MS):
            yield OutboxBatch([])
            return
        try:
            texts = await self.client.lrange(self.outbox, 0, limit - 1)
            batch = OutboxBatch([(str(text), Message.from_json(str(text))) for text in texts])
            yield batch
            async with self.client.pipeline(transaction=True) as pipe:
                for text in batch.sent:
                    pipe.lrem(self.outbox, 1, text)
                for text, reason in batch.parked:
                    pipe.lrem(self.outbox, 1, text)
                    pipe.rpush(
                        self.parked,
                        json.dumps(
                            {
                                "message": text,
                                "reason": reason,
                                "parked_at": datetime.now(UTC).isoformat(),
                            }
                        ),
                    )
                await pipe.execute()
        finally:
            await self.client.eval(_RELEASE, 1, self.lease, token)

    async def fire_due(self, make: MakeMessage, limit: int = 100) -> int:
        """Fire the due timers, oldest first: each one's timeout event goes to the outbox
        if its record still holds the state its reaction left, and the timer leaves the
        set, in one step (_FIRE). How many this replica took out."""
        due = await self.client.zrangebyscore(self.timers, "-inf", time.time(), start=0, num=limit)
        fired = emitted = 0
        for member in due:
            timer = Timer.from_json(str(member))
            name = f"{self.service}:{timer.model}:{timer.key}"
            text = await self.client.get(name)
            record = dict(json.loads(text)) if text else None
            message = ""
            if timer.holds(record):
                assert record is not None
                message = make(timer.model, timer.event, record).to_json()
            done = await self.client.eval(
                _FIRE, 3, self.timers, name, self.outbox, str(member), text or "", message
            )
            if done == 1:
                fired += 1
                emitted += bool(message)
        if emitted:
            self.outbox_ready.set()
        return fired


def open_store(url: str, pool: Pool, spec: ServiceSpec, tables: Any = None) -> Store | MemoryStore:
    return MemoryStore() if url.startswith("memory:") else Store(url, pool, spec)


BACKEND = StoreBackend(open_store, UNAVAILABLE)

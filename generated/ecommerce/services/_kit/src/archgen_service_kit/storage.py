"""What every store shares: the outgoing message, buffered units of work, the memory store.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from dataclasses import field as dataclass_field
from typing import Any

from pydantic import TypeAdapter

from .spec import ServiceSpec

_JSON: TypeAdapter[Any] = TypeAdapter(Any)


def stored_text(value: Any) -> str:
    """A key or a looked-up value as the stores keep it: the text of its JSON form, the
    form the records hold (an instant as ISO 8601, `2026-12-07T20:15:00Z`, never Python's
    `str()` of it), whether it comes from a record, a route's typed path parameter or a
    team's repository call."""
    return value if isinstance(value, str) else str(_JSON.dump_python(value, mode="json"))


Record = dict[str, Any]


@dataclass(frozen=True)
class Message:
    """One event on its way to the broker (CloudEvents binary mode: ce_* headers)."""

    topic: str
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]

    def to_json(self) -> str:
        return json.dumps(
            {
                "topic": self.topic,
                "key": self.key.decode() if self.key is not None else None,
                "value": self.value.decode(),
                "headers": [[k, v.decode()] for k, v in self.headers],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Message:
        data = json.loads(text)
        key = data["key"].encode() if data["key"] is not None else None
        return cls(
            data["topic"],
            key,
            data["value"].encode(),
            tuple((k, v.encode()) for k, v in data["headers"]),
        )


Sink = Callable[[list[Message]], Awaitable[None]]
# How long a consumer remembers an event id it handled (stores whose ids expire): far past
# the broker's redelivery window, so a redelivered event is still known.
PROCESSED_TTL_S = 14 * 24 * 3600


class Conflict(Exception):
    """An instance under this key exists already: answered as a 409 problem."""


class BadCursor(Exception):
    """A page's cursor that is not one this list gave out: answered as a 400 problem."""


class Stale(Exception):
    """An instance read for update changed before the unit's commit (stores without row
    locks check at commit): the update runs again on the new state."""


@dataclass
class OutboxBatch:
    """Outbox rows one relay has claimed: which went out, which the broker refused.

    The store applies both when the claim ends: sent rows leave the outbox, refused
    ones move to the parked rows with their reason; the others stay for the next try.
    """

    rows: list[tuple[Any, Message]]
    sent: list[Any] = field(default_factory=list)
    parked: list[tuple[Any, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Timer:
    """A timeout a reaction set (`within`, `on_timeout`): when `due_at` (epoch seconds)
    passes with the record's `field` still at `state` (no field: the record still there),
    the service emits `event`. `id` tells two timers of one record apart."""

    model: str
    key: str
    field: str | None
    state: str | None
    event: str
    due_at: float
    id: str = dataclass_field(default_factory=lambda: uuid.uuid4().hex)

    def holds(self, record: Record | None) -> bool:
        """Whether `record` is still what the reaction left: the timer fires its event."""
        return record is not None and (
            self.field is None or str(record.get(self.field)) == self.state
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "id": self.id,
                "model": self.model,
                "key": self.key,
                "field": self.field,
                "state": self.state,
                "event": self.event,
                "due_at": self.due_at,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Timer:
        return cls(**json.loads(text))


MakeMessage = Callable[[str, str, Record], Message]


@dataclass(frozen=True)
class Pool:
    """The store's connection pool: at most `size` connections. A request waits at most
    `timeout_s` for one; then the store raises one of its module's UNAVAILABLE errors,
    which the service answers with 503 and Retry-After (problems.py)."""

    size: int
    timeout_s: float


@dataclass(frozen=True)
class StoreBackend:
    """A store module (stores/): how to open it for a service (`tables`: the service's
    tables.py, for the relational store), and its errors of a store that cannot take a
    request now (answered 503)."""

    open: Callable[[str, Pool, ServiceSpec, Any], Any]
    unavailable: tuple[type[Exception], ...]


@dataclass
class BufferedUnit:
    """A unit of work whose writes apply together at commit (stores without transactions).

    Reads see the unit's own writes first. The event id is remembered in the same
    write batch as the state, so a crash before it redelivers, after it skips. An
    instance read with `lock` is checked at commit: if it changed meanwhile, the
    commit raises Stale instead of overwriting the other change.
    """

    read: Callable[[str, str], Awaitable[Record | None]]
    # (model, lookup field or "", its value, key to start after or None, at most or None)
    scan: Callable[[str, str, Any, str | None, int | None], Awaitable[list[Record]]]
    is_seen: Callable[[str], Awaitable[bool]]
    writes: dict[tuple[str, str], Record] = field(default_factory=dict)
    created: set[tuple[str, str]] = field(default_factory=set)
    locked: dict[tuple[str, str], Record | None] = field(default_factory=dict)
    marks: list[str] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    timers: list[Timer] = field(default_factory=list)

    async def get(self, model: str, key: str, lock: bool = False) -> Record | None:
        if (model, key) in self.writes:
            return self.writes[(model, key)]
        found = await self.read(model, key)
        if lock:
            self.locked.setdefault((model, key), found)
        return found

    async def add(self, model: str, key: str, data: Record) -> None:
        """Create: Conflict when the key is taken (the store checks it again at commit)."""
        if await self.get(model, key) is not None:
            raise Conflict(f"{model} {key} exists already")
        self.writes[(model, key)] = data
        self.created.add((model, key))

    async def put(self, model: str, key: str, data: Record) -> None:
        self.writes[(model, key)] = data

    async def list_by(
        self,
        model: str,
        name: str | None,
        value: Any,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Record]:
        """The instances whose field `name` holds `value` (all without a name), by key: with
        `after`, only those whose key sorts after it; at most `limit`."""
        return await self.scan(model, name or "", value, after, limit)

    async def seen(self, event_id: str) -> bool:
        return await self.is_seen(event_id)

    def mark(self, event_id: str) -> None:
        self.marks.append(event_id)

    async def emit(self, message: Message) -> None:
        self.messages.append(message)

    async def set_timer(
        self, model: str, key: str, field: str | None, state: str | None, event: str, due_at: float
    ) -> None:
        """A timeout, saved with the unit's writes (the store keeps it until it fires)."""
        self.timers.append(Timer(model, key, field, state, event, due_at))


class MemoryStore:
    """For services without a data store, and for tests: state lives in the process."""

    has_outbox = False

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Record] = {}
        self.processed: set[str] = set()
        self.timers: list[Timer] = []
        self.sink: Sink | None = None

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def ping(self) -> None:
        return None

    async def _read(self, model: str, key: str) -> Record | None:
        return self.rows.get((model, key))

    async def _scan(
        self, model: str, name: str, value: Any, after: str | None, limit: int | None
    ) -> list[Record]:
        found = [
            r
            for (m, k), r in sorted(self.rows.items())
            if m == model
            and (after is None or k > after)
            and (not name or str(r.get(name)) == str(value))
        ]
        return found if limit is None else found[:limit]

    async def _seen(self, event_id: str) -> bool:
        return event_id in self.processed

    @asynccontextmanager
    async def unit(self, read_only: bool = False) -> AsyncIterator[BufferedUnit]:
        # read_only: nothing to save here (a buffered unit that writes nothing writes nothing)
        unit = BufferedUnit(self._read, self._scan, self._seen)
        yield unit
        taken = [k for k in unit.created if k in self.rows]
        if taken:
            raise Conflict(f"{taken[0][0]} {taken[0][1]} exists already")
        if any(self.rows.get(k) != read for k, read in unit.locked.items()):
            raise Stale("changed since it was read")
        self.rows.update(unit.writes)
        self.processed.update(unit.marks)
        self.timers.extend(unit.timers)
        if unit.messages and self.sink is not None:
            await self.sink(unit.messages)

    async def fire_due(self, make: MakeMessage, limit: int = 100) -> int:
        """Fire the due timers (in this process: they end with it). How many were due."""
        now = time.time()
        due = sorted((t for t in self.timers if t.due_at <= now), key=lambda t: t.due_at)[:limit]
        messages = []
        for timer in due:
            self.timers.remove(timer)
            record = self.rows.get((timer.model, timer.key))
            if timer.holds(record):
                assert record is not None
                messages.append(make(timer.model, timer.event, record))
        if messages and self.sink is not None:
            await self.sink(messages)
        return len(due)

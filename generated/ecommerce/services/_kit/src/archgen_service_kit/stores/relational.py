"""The relational store: SQLAlchemy Core statements, run by one of two executors.

A service's tables.py describes its tables (a typed table per stored model, the rows of
its lists, archgen's own tables) and how a record turns into rows and back (`Mapped`);
this module reads and writes them, and applies the service's Alembic revisions at start.

The statements are SQLAlchemy Core, built once per store (`Statements`). On PostgreSQL
they are compiled once to PostgreSQL's text with $n parameters and sent straight to an
asyncpg pool, where each connection prepares a statement once (`DirectDatabase`):
SQLAlchemy's execution path around each driver call (greenlet switch, execution
context, result setup) cost more CPU than the statement's round trip. SQLite (the
generated tests' and development's store) runs them through SQLAlchemy
(`AlchemyDatabase`); so do the Alembic revisions. Both run the same statements, so the
two cannot drift.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import asyncpg as postgresql_asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from ..spec import ServiceSpec
from ..storage import BadCursor, Conflict, Message, OutboxBatch, Pool, Record, StoreBackend


class PoolExhausted(Exception):
    """No connection of the direct pool came free within the pool's timeout."""


# Errors that mean the store cannot take a request now: no free connection within the
# pool's timeout. Answered 503 with Retry-After.
UNAVAILABLE: tuple[type[Exception], ...] = (sa.exc.TimeoutError, PoolExhausted)

# A row read: SQLAlchemy's RowMapping or asyncpg's Record, both read by column name.
Row = Mapping[Any, Any]
# A model's rows: its own, and per table of its lists the rows of the items.
Rows = tuple[dict[str, Any], dict[sa.Table, list[dict[str, Any]]]]
Values = Mapping[str, Any]
# The asyncpg dialect's compiler: $n parameters, typed casts where asyncpg needs them.
_POSTGRESQL = postgresql_asyncpg.dialect()  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class Mapped:
    """A stored model's table, key column and list tables (each with the column holding
    the owner's key), and its record as rows and back."""

    table: sa.Table
    key: sa.Column[Any]
    lists: tuple[tuple[sa.Table, sa.Column[Any]], ...]
    to_rows: Callable[[Record], Rows]
    from_rows: Callable[[Row, Mapping[sa.Table, Sequence[Row]]], Record]


class Schema(Protocol):
    """A service's tables.py: a table per stored model, the outbox, processed events, and
    where its Alembic revisions are."""

    TABLES: Mapping[str, Mapped]
    metadata: sa.MetaData
    outbox: sa.Table
    outbox_parked: sa.Table
    processed_events: sa.Table
    idempotency_keys: sa.Table
    MIGRATIONS: Path


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
    head`). Blocks: run it in a thread (the service's env.py runs its own event loop)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.attributes["url"] = url
    command.upgrade(config, "head")


class Statement:
    """One statement: SQLAlchemy Core, and its PostgreSQL text with $n parameters,
    compiled on first use per set of bound names (an INSERT names the columns it is
    given) and kept."""

    __slots__ = ("core", "_texts")

    def __init__(self, core: Any) -> None:
        self.core = core
        self._texts: dict[tuple[str, ...], tuple[str, tuple[str, ...], dict[str, Any]]] = {}

    def postgresql(self, names: tuple[str, ...]) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        """The text, the names of its parameters in order, the values bound in the
        statement itself (a constant LIMIT, say)."""
        found = self._texts.get(names)
        if found is None:
            compiled = self.core.compile(dialect=_POSTGRESQL, column_keys=list(names))
            found = self._texts[names] = (
                compiled.string,
                tuple(compiled.positiontup or ()),
                dict(compiled.params),
            )
        return found

    def arguments(self, values: Values) -> tuple[str, list[Any]]:
        """The PostgreSQL text and its arguments in order for `values`."""
        text, order, constants = self.postgresql(tuple(values))
        return text, [values[n] if n in values else constants[n] for n in order]


class Run(Protocol):
    """Statements sent on one connection (in a transaction, or in autocommit)."""

    async def rows(self, statement: Statement, values: Values) -> Sequence[Row]: ...

    async def first(self, statement: Statement, values: Values) -> Row | None: ...

    async def run(self, statement: Statement, values: Values) -> None: ...

    async def run_many(self, statement: Statement, rows: Sequence[Values]) -> None: ...


class AlchemyRun:
    """Statements through SQLAlchemy (SQLite, and PostgreSQL when asked for)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def rows(self, statement: Statement, values: Values) -> Sequence[Row]:
        return (await self.conn.execute(statement.core, values)).mappings().all()

    async def first(self, statement: Statement, values: Values) -> Row | None:
        return (await self.conn.execute(statement.core, values)).mappings().first()

    async def run(self, statement: Statement, values: Values) -> None:
        await self.conn.execute(statement.core, values)

    async def run_many(self, statement: Statement, rows: Sequence[Values]) -> None:
        await self.conn.execute(statement.core, list(rows))


class DirectRun:
    """Statements straight to asyncpg: the compiled text, prepared once per connection
    (asyncpg's statement cache), the values as asyncpg encodes them, as SQLAlchemy's
    asyncpg dialect passes them (JSON: the pool's codec)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    async def rows(self, statement: Statement, values: Values) -> Sequence[Row]:
        text, args = statement.arguments(values)
        found: Sequence[Row] = await self.conn.fetch(text, *args)
        return found

    async def first(self, statement: Statement, values: Values) -> Row | None:
        text, args = statement.arguments(values)
        found: Row | None = await self.conn.fetchrow(text, *args)
        return found

    async def run(self, statement: Statement, values: Values) -> None:
        text, args = statement.arguments(values)
        await self.conn.execute(text, *args)

    async def run_many(self, statement: Statement, rows: Sequence[Values]) -> None:
        if rows:
            text, order, constants = statement.postgresql(tuple(rows[0]))
            await self.conn.executemany(
                text, [[row[n] if n in row else constants[n] for n in order] for row in rows]
            )


class Database(Protocol):
    """Where units get their connection: a transaction, or autocommit for reads."""

    dialect: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def ping(self) -> None: ...

    def transaction(self) -> Any: ...  # an async context manager of a Run

    def autocommit(self) -> Any: ...


class AlchemyDatabase:
    """Connections of a SQLAlchemy engine: SQLite's, or PostgreSQL's when asked for."""

    def __init__(self, url: str, pool: Pool) -> None:
        # No pre-ping: it costs a round trip on every checkout. A connection the server
        # dropped fails the one request that meets it, and SQLAlchemy then invalidates
        # every connection of the pool made before it, so the next ones reconnect.
        self.engine: AsyncEngine = create_async_engine(
            url, pool_size=pool.size, max_overflow=0, pool_timeout=pool.timeout_s
        )
        self.dialect = self.engine.dialect.name

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        await self.engine.dispose()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AlchemyRun]:
        async with self.engine.begin() as conn:
            yield AlchemyRun(conn)

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[AlchemyRun]:
        async with self.engine.connect() as conn:
            yield AlchemyRun(await conn.execution_options(isolation_level="AUTOCOMMIT"))


async def _json_codec(conn: Any) -> None:
    """JSON columns (json, and jsonb where tables.py asks for it) as SQLAlchemy writes
    and reads them: Python values in, Python out."""
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep(conn: Any) -> None:
    """A connection back in the pool needs no reset query: the store sets no session
    state, listens to nothing and takes no advisory lock, and asyncpg rolls back a
    transaction left open before this runs."""


class DirectDatabase:
    """An asyncpg pool on PostgreSQL, sized as the engine was: at most `size`
    connections, made when needed and kept (no overflow, no pre-ping, no recycling)."""

    dialect = "postgresql"

    def __init__(self, url: str, pool: Pool) -> None:
        # What SQLAlchemy's asyncpg dialect would pass to asyncpg.connect for this URL
        # (host, database, the driver's options such as `ssl`), less its own options.
        _, self.connect = _POSTGRESQL.create_connect_args(  # type: ignore[no-untyped-call]
            sa.make_url(url)
        )
        for own in ("prepared_statement_cache_size", "prepared_statement_name_func"):
            self.connect.pop(own, None)
        self.size = pool.size
        self.timeout_s = pool.timeout_s
        self.pool: Any = None

    async def start(self) -> None:
        self.pool = await asyncpg.create_pool(
            **self.connect,
            min_size=0,
            max_size=self.size,
            max_inactive_connection_lifetime=0,
            init=_json_codec,
            reset=_keep,
        )

    async def stop(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[Any]:
        if self.pool is None:
            raise RuntimeError("the store is not started")
        try:
            conn = await self.pool.acquire(timeout=self.timeout_s)
        except TimeoutError as exc:
            raise PoolExhausted(f"no connection free within {self.timeout_s} s") from exc
        try:
            yield conn
        finally:
            await self.pool.release(conn)

    async def ping(self) -> None:
        async with self._connection() as conn:
            await conn.execute("SELECT 1")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[DirectRun]:
        async with self._connection() as conn, conn.transaction():
            yield DirectRun(conn)

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[DirectRun]:
        async with self._connection() as conn:
            yield DirectRun(conn)


def open_database(url: str, pool: Pool, direct: bool | None = None) -> Database:
    """PostgreSQL's statements go straight to asyncpg (`direct`, unless False), the
    others through SQLAlchemy."""
    on_postgresql = sa.make_url(url).get_backend_name() == "postgresql"
    if direct is None:
        direct = on_postgresql
    if direct and not on_postgresql:
        raise ValueError("statements go straight to the driver on PostgreSQL only")
    return DirectDatabase(url, pool) if direct else AlchemyDatabase(url, pool)


class Statements:
    """The statements of every request, built once per store (per table, lookup column
    and dialect) with their values bound at execution: building and hashing a statement
    on each call cost more CPU than sending it."""

    def __init__(self, schema: Schema, dialect: str) -> None:
        self.schema = schema
        self.dialect = dialect
        self.built: dict[tuple[str, ...], Statement] = {}
        self.joins: dict[str, Joined | None] = {}
        self.emit = Statement(sa.insert(schema.outbox))
        self.mark = Statement(sa.insert(schema.processed_events))
        processed = schema.processed_events
        # Handled before? and, if not, recorded as handled in the same statement.
        self.claim = Statement(
            self._insert(processed)
            .on_conflict_do_nothing(index_elements=["event_id"])
            .returning(processed.c.event_id)
        )

    def _insert(self, table: sa.Table) -> Any:
        return (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(table)

    def _among(self, column: sa.Column[Any], name: str) -> Any:
        """`column` is one of the list bound as `name`: = ANY($n) on PostgreSQL (one
        statement text whatever the list's length), IN (...) elsewhere."""
        if self.dialect == "postgresql":
            return column == sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(column.type)))
        return column.in_(sa.bindparam(name, expanding=True))

    def joined(self, model: str) -> Joined | None:
        """One instance with the rows of its one list, in one statement (None: the model
        has no list or several, whose rows would multiply, or a list column's label
        would take a name of the model's own)."""
        if model not in self.joins:
            self.joins[model] = _joined(self.schema.TABLES[model])
        return self.joins[model]

    def append(self, table: sa.Table) -> Statement:
        """Rows of a list table, inserted many at once."""
        return self.get("append", table.name)

    def get(self, *key: str) -> Statement:
        found = self.built.get(key)
        if found is None:
            found = self.built[key] = Statement(self._build(*key))
        return found

    def _build(self, kind: str, model: str = "", name: str = "") -> Any:
        if kind == "append":
            return sa.insert(self.schema.metadata.tables[model])  # model: the list table
        if kind in ("timer", "timers_due", "timers_done"):
            timers = _timers(self.schema)
            if kind == "timer":
                return sa.insert(timers)
            if kind == "timers_due":
                return (
                    sa.select(timers)
                    .where(timers.c.due_at <= sa.bindparam("now"))
                    .order_by(timers.c.due_at)
                    .limit(sa.bindparam("n"))
                    .with_for_update(skip_locked=True)
                )
            return sa.delete(timers).where(self._among(timers.c.id, "ids"))
        if kind.startswith("outbox_"):
            return self._outbox(kind)
        if kind == "remember":
            keys = self.schema.idempotency_keys
            return (
                self._insert(keys)
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(keys.c.key)
            )
        if kind == "remembered":
            keys = self.schema.idempotency_keys
            return sa.select(keys.c.fingerprint, keys.c.result).where(
                keys.c.key == sa.bindparam("key")
            )
        mapped = self.schema.TABLES[model]
        if kind in ("select", "lock", "page", "page_after"):
            # By the lookup column `name` (all without one), in key order. A page: the
            # `n` rows after key `after` (keyset), from the index on (name, key) that
            # tables.py declares per lookup, or the primary key's.
            query = sa.select(mapped.table).order_by(mapped.key)
            if name:
                query = query.where(mapped.table.c[name] == sa.bindparam("v"))
            if kind == "page_after":
                query = query.where(mapped.key > sa.bindparam("after"))
            if kind.startswith("page"):
                query = query.limit(sa.bindparam("n"))
            return query.with_for_update() if kind == "lock" else query
        if kind == "items":  # the rows of list table `name` under the owners' keys
            table, owner = _list_table(mapped, name)
            return (
                sa.select(table)
                .where(self._among(owner, "keys"))
                .order_by(*table.primary_key.columns)
            )
        if kind == "clear":
            table, owner = _list_table(mapped, name)
            return sa.delete(table).where(owner == sa.bindparam("owner"))
        insert = self._insert(mapped.table)
        if kind == "add":
            return insert.on_conflict_do_nothing(index_elements=[mapped.key.name]).returning(
                mapped.key
            )
        # put: the row's columns become the ones it was to be created with (a model that is
        # only its key has none to change: an upsert with an empty SET is refused)
        columns = {
            c.name: insert.excluded[c.name]
            for c in mapped.table.columns
            if c.name != mapped.key.name
        }
        if not columns:
            return insert.on_conflict_do_nothing(index_elements=[mapped.key.name])
        return insert.on_conflict_do_update(index_elements=[mapped.key.name], set_=columns)

    def _outbox(self, kind: str) -> Any:
        """The relay's statements: claim the oldest rows no other relay holds, park one
        the broker refused (with its reason), delete the ones gone."""
        outbox, parked = self.schema.outbox, self.schema.outbox_parked
        if kind == "outbox_claim":
            return (
                sa.select(outbox.c.seq, outbox.c.message)
                .order_by(outbox.c.seq)
                .limit(sa.bindparam("n"))
                .with_for_update(skip_locked=True)
            )
        if kind == "outbox_park":
            return sa.insert(parked).from_select(
                ["seq", "message", "reason"],
                sa.select(
                    outbox.c.seq, outbox.c.message, sa.bindparam("reason", type_=sa.Text())
                ).where(outbox.c.seq == sa.bindparam("seq")),
            )
        return sa.delete(outbox).where(self._among(outbox.c.seq, "seqs"))


@dataclass(frozen=True)
class Joined:
    """An instance read by its key with the rows of its one list table in one statement
    (a LEFT JOIN in the list's key order; `lock`: FOR UPDATE of the instance's row
    alone, as when its list rows were read in a statement of their own): a round trip
    less per read. The list's columns come labelled (`columns`: name, label)."""

    read: Statement
    lock: Statement
    table: sa.Table
    owner: str  # the label of the list's column holding the owner's key
    columns: tuple[tuple[str, str], ...]

    def split(self, rows: Sequence[Row]) -> dict[sa.Table, list[dict[str, Any]]]:
        """The list's rows in the joined rows (none when the instance has no item)."""
        return {
            self.table: [
                {name: row[label] for name, label in self.columns}
                for row in rows
                if row[self.owner] is not None
            ]
        }


def _joined(mapped: Mapped) -> Joined | None:
    if len(mapped.lists) != 1:
        return None
    table, owner = mapped.lists[0]
    columns = tuple((c.name, f"{table.name}__{c.name}") for c in table.columns)
    if any(label in mapped.table.c for _, label in columns):
        return None
    query = (
        sa.select(mapped.table, *(table.c[name].label(label) for name, label in columns))
        .select_from(mapped.table.outerjoin(table, owner == mapped.key))
        .where(mapped.key == sa.bindparam("v"))
        .order_by(*table.primary_key.columns)
    )
    return Joined(
        Statement(query),
        Statement(query.with_for_update(of=mapped.table)),
        table,
        f"{table.name}__{owner.name}",
        columns,
    )


def _list_table(mapped: Mapped, name: str) -> tuple[sa.Table, sa.Column[Any]]:
    return next((table, owner) for table, owner in mapped.lists if table.name == name)


class SqlUnit:
    """One transaction: state changes, the outbox rows and the processed event ids together."""

    def __init__(self, run: Run, schema: Schema, statements: Statements) -> None:
        self.run = run
        self.schema = schema
        self.statements = statements
        self.emitted = False
        self.marks: list[str] = []
        self.claimed: set[str] = set()
        # The list rows of instances this unit holds locked, as read (`_form`): an update
        # that leaves a list as it is does not delete and insert its rows again.
        self.held: dict[tuple[str, str], dict[sa.Table, Form]] = {}

    async def get(self, model: str, key: str, lock: bool = False) -> Record | None:
        """The instance under `key`; with `lock`, its row stays locked until the unit ends
        (SELECT ... FOR UPDATE), so a concurrent update waits instead of being lost."""
        mapped = self.schema.TABLES[model]
        joined = self.statements.joined(model)
        if joined is None:
            found = await self._select(mapped, model, mapped.key.name, key, lock)
            return found[0] if found else None
        try:
            value = column_value(mapped.key, key)
        except ValueError:
            return None  # not a value of the key's column: no row holds it
        rows = await self.run.rows(joined.lock if lock else joined.read, {"v": value})
        if not rows:
            return None
        lists = joined.split(rows)
        if lock:  # no other unit changes them before this one ends
            self.held[(model, str(value))] = {t: _form(r) for t, r in lists.items()}
        return mapped.from_rows(rows[0], lists)

    async def add(self, model: str, key: str, data: Record) -> None:
        """Create in one statement (INSERT ... ON CONFLICT DO NOTHING): Conflict when the key
        is taken, also by a create running at the same time."""
        row, lists = self.schema.TABLES[model].to_rows(data)
        if await self.run.first(self.statements.get("add", model), row) is None:
            raise Conflict(f"{model} {key} exists already")
        await self._insert_lists(lists)

    async def put(self, model: str, key: str, data: Record) -> None:
        """Create or replace in one statement (INSERT ... ON CONFLICT DO UPDATE); the rows
        of its lists are replaced, but for a list as this unit read it under its lock."""
        mapped = self.schema.TABLES[model]
        row, lists = mapped.to_rows(data)
        await self.run.run(self.statements.get("put", model), row)
        owner = row[mapped.key.name]
        held = self.held.get((model, str(owner)))
        for table, _ in mapped.lists:
            rows = lists.get(table, [])
            if held is not None:
                if held.get(table) == (form := _form(rows)):
                    continue  # the rows as they are in the database
                held[table] = form
            await self.run.run(self.statements.get("clear", model, table.name), {"owner": owner})
            if rows:
                await self.run.run_many(self.statements.append(table), rows)

    async def _insert_lists(self, lists: dict[sa.Table, list[dict[str, Any]]]) -> None:
        for table, rows in lists.items():
            if rows:
                await self.run.run_many(self.statements.append(table), rows)

    async def list_by(
        self,
        model: str,
        name: str | None,
        value: Any,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Record]:
        """The instances whose column `name` holds `value` (all without a name), by key; a
        page: at most `limit`, with `after` only those whose key sorts after it."""
        return await self._select(
            self.schema.TABLES[model], model, name or "", value, after=after, limit=limit
        )

    async def _select(
        self,
        mapped: Mapped,
        model: str,
        name: str,
        text: str | None,
        lock: bool = False,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Record]:
        """The instances whose column `name` holds `text` (all without a name), by key,
        each with the rows of its lists."""
        values: dict[str, Any] = {}
        kind = "lock" if lock else "select"
        if limit is not None:  # a page: `limit` rows, after the key `after` if given
            kind, values["n"] = "page", limit
            if after is not None:
                try:
                    kind, values["after"] = "page_after", column_value(mapped.key, after)
                except (ValueError, ArithmeticError) as exc:  # Decimal's: ArithmeticError
                    raise BadCursor(f"{after!r} is not a key of {model}") from exc
        if name:
            try:
                values["v"] = column_value(mapped.table.c[name], text)
            except ValueError:
                return []  # not a value of the column: no row holds it
        rows = await self.run.rows(self.statements.get(kind, model, name), values)
        keys = [row[mapped.key.name] for row in rows]
        items: dict[Any, dict[sa.Table, list[Any]]] = {key: {} for key in keys}
        for table, owner in mapped.lists:
            if not keys:
                break
            found = await self.run.rows(
                self.statements.get("items", model, table.name), {"keys": keys}
            )
            for item in found:
                items[item[owner.name]].setdefault(table, []).append(item)
        return [mapped.from_rows(row, items[key]) for row, key in zip(rows, keys, strict=True)]

    async def seen(self, event_id: str) -> bool:
        """Whether the event was handled before; if not, it is recorded as handled in this
        unit, in one statement (INSERT ... ON CONFLICT DO NOTHING RETURNING): it is undone
        with the unit if the handling fails, and a delivery of the same event at the same
        time waits for this unit's end and then finds it handled."""
        if await self.run.first(self.statements.claim, {"event_id": event_id}) is None:
            return True
        self.claimed.add(event_id)
        return False

    async def remember(self, key: str, fingerprint: str, result: Record) -> Record | None:
        """Keep `result` as the first answer under an Idempotency-Key, in this transaction;
        None when it is the first. Under a key taken already: the first answer (Conflict
        if it was for another request). A create running under the same key at the same
        time waits on the key's row until that one commits (or rolls back: then this one
        is the first)."""
        done = await self.run.first(
            self.statements.get("remember"),
            {"key": key, "fingerprint": fingerprint, "result": result},
        )
        if done is not None:
            return None
        row = await self.run.first(self.statements.get("remembered"), {"key": key})
        if row is None:  # the key's row holds until its transaction ends: not reached
            raise RuntimeError(f"Idempotency-Key {key!r} neither new nor kept")
        if row["fingerprint"] != fingerprint:
            raise Conflict("this Idempotency-Key was sent with another request")
        return dict(row["result"])

    def mark(self, event_id: str) -> None:
        self.marks.append(event_id)

    async def flush_marks(self) -> None:
        for event_id in self.marks:
            if event_id not in self.claimed:  # seen() recorded those already
                await self.run.run(self.statements.mark, {"event_id": event_id})

    async def emit(self, message: Message) -> None:
        await self.run.run(self.statements.emit, {"message": message.to_json()})
        self.emitted = True

    async def set_timer(
        self, model: str, key: str, field: str | None, state: str | None, event: str, due_at: float
    ) -> None:
        """A timeout, written with the change that set it (tables.py: `timers`)."""
        await self.run.run(
            self.statements.get("timer"),
            {
                "model": model,
                "record_key": key,
                "field": field,
                "state": state,
                "event": event,
                "due_at": due_at,
            },
        )


# A list's rows in a form to compare what was read with what is to be written: each
# value's text (a decimal's keeps its scale, so 9.9 replaces 9.90).
Form = tuple[tuple[tuple[str, str | None], ...], ...]


def _form(rows: Sequence[Row]) -> Form:
    return tuple(
        tuple((name, None if value is None else str(value)) for name, value in sorted(row.items()))
        for row in rows
    )


def _timers(schema: Schema) -> sa.Table:
    table: sa.Table | None = getattr(schema, "timers", None)
    if table is None:
        raise RuntimeError("a reaction sets a timer, but tables.py has no `timers` table")
    return table


class Store:
    has_outbox = True
    keeps_idempotency_keys = True

    def __init__(self, url: str, pool: Pool, schema: Schema, direct: bool | None = None) -> None:
        """`direct`: statements straight to asyncpg (the default on PostgreSQL), or
        through SQLAlchemy (False; SQLite always)."""
        self.url = url
        self.schema = schema
        self.database = open_database(url, pool, direct)
        self.statements = Statements(schema, self.database.dialect)
        self.outbox_ready = asyncio.Event()

    async def start(self) -> None:
        if self.database.dialect == "postgresql":
            # The schema is the Alembic revisions': applied up to the newest, as
            # `alembic upgrade head` does, one replica at a time (migrations/env.py).
            await asyncio.to_thread(migrate, self.url, self.schema.MIGRATIONS)
        else:
            # SQLite is development's and the generated tests' throwaway file: made from
            # tables.py at once (the revisions are written for PostgreSQL, whose ALTERs
            # SQLite lacks).
            engine = create_async_engine(self.url)
            async with engine.begin() as conn:
                await conn.run_sync(self.schema.metadata.create_all)
            await engine.dispose()
        await self.database.start()
        self.outbox_ready.set()  # events left by an earlier run go out first

    async def stop(self) -> None:
        await self.database.stop()

    async def ping(self) -> None:
        await self.database.ping()

    @asynccontextmanager
    async def unit(self, read_only: bool = False) -> AsyncIterator[SqlUnit]:
        if read_only:
            # Reads, no writes: in autocommit, without the BEGIN and COMMIT round trips.
            # Each statement sees one consistent snapshot; an instance with list rows is
            # read in two statements, as it was in a READ COMMITTED transaction.
            async with self.database.autocommit() as run:
                yield SqlUnit(run, self.schema, self.statements)
            return
        # A plain connection, not an ORM session: the store maps no objects, so the
        # session's identity map and unit-of-work bookkeeping were work for nothing.
        async with self.database.transaction() as run:
            unit = SqlUnit(run, self.schema, self.statements)
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
        statements = self.statements
        async with self.database.transaction() as run:
            rows = await run.rows(statements.get("outbox_claim"), {"n": limit})
            batch = OutboxBatch([(row["seq"], Message.from_json(row["message"])) for row in rows])
            yield batch  # an error in the relay rolls back: the rows stay, unclaimed
            for seq, reason in batch.parked:
                await run.run(statements.get("outbox_park"), {"seq": seq, "reason": reason})
            gone = batch.sent + [seq for seq, _ in batch.parked]
            if gone:
                await run.run(statements.get("outbox_gone"), {"seqs": gone})

    async def fire_due(self, make: Callable[[str, str, Record], Message], limit: int = 100) -> int:
        """Fire the due timers no other replica holds (FOR UPDATE SKIP LOCKED): in one
        transaction, the timeout event goes to the outbox if the record still holds the
        state its reaction left, and the timer is deleted. How many were due."""
        async with self.database.transaction() as run:
            rows = await run.rows(
                self.statements.get("timers_due"), {"now": time.time(), "n": limit}
            )
            unit = SqlUnit(run, self.schema, self.statements)
            for row in rows:
                record = await unit.get(row["model"], row["record_key"])
                if record is not None and (
                    row["field"] is None or str(record.get(row["field"])) == row["state"]
                ):
                    await unit.emit(make(row["model"], row["event"], record))
            if rows:
                await run.run(
                    self.statements.get("timers_done"), {"ids": [row["id"] for row in rows]}
                )
        if unit.emitted:
            self.outbox_ready.set()
        return len(rows)


def open_store(url: str, pool: Pool, spec: ServiceSpec, tables: Schema | None = None) -> Store:
    if tables is None:
        raise ValueError(f"{spec.name}: a relational store needs its tables")
    return Store(url, pool, tables)


BACKEND = StoreBackend(open_store, UNAVAILABLE)

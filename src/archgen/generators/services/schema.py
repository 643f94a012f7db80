"""The SQL schema of a relational service: tables, typed columns, constraints, indexes.

One description feeds both tables.py (SQLAlchemy's metadata, what the service reads and
writes) and the Alembic revisions, so the two never disagree: the first revision creates
it from nothing, a later one is the difference between the schema the previous revision
left (the snapshot `migrations/schema.json`) and the catalog's now. Column types are kept
as the SQLAlchemy source that builds them; two schemas are equal when that text is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from archgen.generators.services.ir import StoredIR, fill_of
from archgen.model.names import snake
from archgen.model.resolved import Field, Service
from archgen.model.tables import list_item_model, table_map

# SQL identifiers PostgreSQL keeps whole: longer constraint names are cut and hashed.
_MAX_NAME = 63
JSON_TYPE = 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'
# Decimals keep their digits: NUMERIC on PostgreSQL, text on SQLite (whose NUMERIC is a float).
DECIMAL_TYPE = 'sa.Numeric().with_variant(sa.Text(), "sqlite")'
_SCALAR_TYPES = {"int": "sa.BigInteger()", "float": "sa.Double()", "bool": "sa.Boolean()",
                 "decimal": DECIMAL_TYPE, "uuid": "sa.Uuid()", "date": "sa.Date()",
                 "datetime": "sa.DateTime(timezone=True)"}
# An enum of strings: text no longer than the longest value would do, but a wider column
# lets the enum grow without changing the column's type.
_ENUM_WIDTH = 64


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # SQLAlchemy source
    nullable: bool
    extra: str = ""  # more keyword arguments of sa.Column, as source (`autoincrement=False`)


@dataclass(frozen=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    table: str
    refcolumns: tuple[str, ...]
    ondelete: str


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    checks: tuple[tuple[str, str], ...] = ()  # (name, SQL condition)
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name, columns)

    @property
    def pk_name(self) -> str:
        return constraint_name("pk", self.name)


@dataclass(frozen=True)
class Attribute:
    """A model field kept in a column: its JSON name, its column, how the value crosses
    (plain | decimal: text in the model, a number in SQL | json: a nested value)."""

    field: str
    column: str
    kind: str


@dataclass(frozen=True)
class Child:
    """The items of a `list[Model]` field, a row each, under their owner's key."""

    field: str  # the owner's list field
    table: Table
    parent: str  # the column holding the owner's key
    position: str  # the column holding the item's place in the list
    attributes: tuple[Attribute, ...]
    optional: bool  # the list may be absent (null)


@dataclass(frozen=True)
class Mapping_:
    """How one stored model is kept: its table, its key column, its columns, its lists."""

    model: str
    cls: str
    table: Table
    key: str
    attributes: tuple[Attribute, ...]
    children: tuple[Child, ...]


@dataclass(frozen=True)
class Schema:
    tables: tuple[Table, ...]  # owners before the tables that refer to them
    mappings: tuple[Mapping_, ...]
    # (table, column) -> SQL literal that fills rows a revision adds the NOT NULL column to
    backfill: Mapping[tuple[str, str], str] = field(default_factory=dict)


def constraint_name(prefix: str, table: str, *parts: str) -> str:
    name = "_".join((prefix, table, *parts))
    if len(name) <= _MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[:_MAX_NAME - 9]}_{digest}"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(int(value) if isinstance(value, float) and value.is_integer() else value)
    return "'" + str(value).replace("'", "''") + "'"


def _column(f: Field, table: str, key: str | None) -> tuple[Column, str, list[tuple[str, str]]]:
    """A field's column, how its value crosses, and its CHECK constraints."""
    spec, ref = f.spec, f.type
    nullable = not (f.required or spec.default is not None) and f.name != key
    checks: list[tuple[str, str]] = []
    col = _quoted(f.name)
    if spec.enum:
        values = ", ".join(_literal(v) for v in spec.enum)
        checks.append((constraint_name("ck", table, f.name), f"{col} IN ({values})"))
        if all(isinstance(v, str) for v in spec.enum):
            width = max(_ENUM_WIDTH, *(len(str(v)) for v in spec.enum))
            return Column(f.name, f"sa.String({width})", nullable), "plain", checks
        if all(isinstance(v, int) and not isinstance(v, bool) for v in spec.enum):
            return Column(f.name, "sa.BigInteger()", nullable), "plain", checks
        return Column(f.name, JSON_TYPE, nullable), "json", checks[:0]
    if ref.kind != "scalar":
        return Column(f.name, JSON_TYPE, nullable), "json", checks
    if ref.name == "str":
        kind = f"sa.String({spec.max_length})" if spec.max_length else "sa.Text()"
        if spec.min_length:
            checks.append((constraint_name("ck", table, f.name, "min_length"),
                           f"length({col}) >= {spec.min_length}"))
        return Column(f.name, kind, nullable), "plain", checks
    if ref.name in ("int", "float"):
        for bound, value, op in (("min", spec.minimum, ">="), ("max", spec.maximum, "<=")):
            if value is not None:
                checks.append((constraint_name("ck", table, f.name, bound),
                               f"{col} {op} {_literal(value)}"))
    crossing = "decimal" if ref.name == "decimal" else "plain"
    return Column(f.name, _SCALAR_TYPES[ref.name], nullable), crossing, checks


def _backfill(f: Field) -> str | None:
    value = fill_of((f,)).get(f.name)
    if value is None or (isinstance(value, str) and value.startswith("@")):
        return None  # made per instance at run time (`@uuid`, `@now`): no one literal
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return "true" if value is True else "false" if value is False else str(value)


def _table(name: str, fields: Iterable[Field], key: str | None, first: Iterable[Column] = (),
           primary_key: tuple[str, ...] = (), backfill: dict[tuple[str, str], str] | None = None
           ) -> tuple[Table, tuple[Attribute, ...]]:
    columns = list(first)
    checks: list[tuple[str, str]] = []
    attributes = []
    for f in fields:
        column, kind, more = _column(f, name, key)
        columns.append(column)
        checks += more
        attributes.append(Attribute(f.name, f.name, kind))
        filled = _backfill(f)
        if backfill is not None and filled is not None:
            backfill[(name, f.name)] = filled
    pk = primary_key or ((key,) if key else ())
    return Table(name, tuple(columns), pk, tuple(checks)), tuple(attributes)


def _free(wanted: str, taken: Iterable[str]) -> str:
    names = set(taken)
    while wanted in names:
        wanted += "_"
    return wanted


def service_schema(svc: Service, stored: tuple[StoredIR, ...], timers: bool = False) -> Schema:
    """The tables of a relational service's stored models, then archgen's own (the timers'
    only when its reactions set some)."""
    mapped = table_map(svc)
    tables: list[Table] = []
    mappings: list[Mapping_] = []
    backfill: dict[tuple[str, str], str] = {}
    for s in stored:
        model = svc.models[s.name]
        name = mapped.tables.get(s.name, s.name)
        lists = {f.name: mapped.children[(s.name, f.name)] for f in model.fields
                 if (s.name, f.name) in mapped.children}
        own = [f for f in model.fields if f.name not in lists]
        table, attributes = _table(name, own, s.key, backfill=backfill)
        # A lookup's index holds the key after the looked-up column: a page of the lookup
        # (WHERE c = v AND key > cursor ORDER BY key LIMIT n) reads it in order, no sort.
        indexes = tuple((constraint_name("ix", name, c), (c, s.key)) for c in s.indexes
                        if c in {col.name for col in table.columns})
        table = Table(table.name, table.columns, table.primary_key, table.checks, (), indexes)
        key_type = next((c.type for c in table.columns if c.name == s.key), "sa.Text()")
        children = []
        for list_field, child_name in lists.items():
            ref = next(f for f in model.fields if f.name == list_field)
            item = list_item_model(ref.type, svc)
            assert item is not None
            item_fields = svc.models[item].fields
            taken = [f.name for f in item_fields]
            parent = _free(f"{snake(s.name)}_{s.key}", taken)
            position = _free("position", [*taken, parent])
            child, child_attributes = _table(
                child_name, item_fields, None,
                (Column(parent, key_type, False), Column(position, "sa.Integer()", False)),
                (parent, position), backfill)
            fk = ForeignKey(constraint_name("fk", child_name, parent), (parent,), name,
                            (s.key,), "CASCADE")
            child = Table(child.name, child.columns, child.primary_key, child.checks, (fk,))
            children.append(Child(list_field, child, parent, position, child_attributes,
                                  not ref.required))
        tables.append(table)
        tables.extend(c.table for c in children)
        mappings.append(Mapping_(s.name, s.cls, table, s.key, attributes, tuple(children)))
    archgen = (*ARCHGEN_TABLES, TIMERS_TABLE) if timers else ARCHGEN_TABLES
    return Schema((*tables, *archgen), tuple(mappings), backfill)


ARCHGEN_TABLES = (
    # The transactional outbox: an event is written with the state change it reports,
    # in the same transaction, and published by the relay afterwards.
    Table("archgen_outbox", (Column("seq", "sa.Integer()", False, "autoincrement=True"),
                             Column("message", "sa.Text()", False)), ("seq",)),
    # Outbox events the broker refused (too large, say): kept with the reason for a person
    # to look at, so that the relay goes on with the next.
    Table("archgen_outbox_parked", (
        Column("seq", "sa.Integer()", False, "autoincrement=False"),
        Column("message", "sa.Text()", False), Column("reason", "sa.Text()", False),
        Column("parked_at", "sa.DateTime(timezone=True)", False,
               "server_default=sa.func.now()")), ("seq",)),
    # Event ids already handled: consumers skip redeliveries (at-least-once -> effectively
    # once).
    Table("archgen_processed_events", (Column("event_id", "sa.String(200)", False),),
          ("event_id",)),
    # Idempotency-Key of creates: the first result under each key, written in the create's
    # own transaction (with its outbox row), so a retried create answers it again.
    Table("archgen_idempotency_keys", (
        Column("key", "sa.String(400)", False), Column("fingerprint", "sa.String(64)", False),
        Column("result", "sa.JSON()", False)), ("key",)),
)
# Timeouts a reaction set (`within`, `on_timeout`): written with the change that set
# them, fired by the kit's poller once `due_at` (epoch seconds) passed.
TIMERS_TABLE = Table("archgen_timers", (
    Column("id", "sa.Integer()", False, "autoincrement=True"),
    Column("model", "sa.String(200)", False), Column("record_key", "sa.String(200)", False),
    Column("field", "sa.String(200)", True), Column("state", "sa.String(200)", True),
    Column("event", "sa.String(200)", False), Column("due_at", "sa.Double()", False)),
    ("id",), indexes=((constraint_name("ix", "archgen_timers", "due_at"), ("due_at",)),))


# ---------------------------------------------------------------- source text
def column_source(c: Column, server_default: str | None = None) -> str:
    extra = f", {c.extra}" if c.extra else ""
    if server_default is not None:
        extra += f", server_default={server_default!r}"
    return f"sa.Column({c.name!r}, {c.type}, nullable={c.nullable}{extra})"


def constraint_sources(t: Table) -> list[str]:
    """sa.Table's arguments after the columns: primary key, checks, foreign keys."""
    out = [f"sa.PrimaryKeyConstraint({', '.join(map(repr, t.primary_key))}, "
           f"name={t.pk_name!r})"]
    out += [f"sa.CheckConstraint({sql!r}, name={name!r})" for name, sql in t.checks]
    out += [_fk_source(t.name, fk) for fk in t.foreign_keys]
    return out


def _fk_source(table: str, fk: ForeignKey) -> str:
    refs = [f"{fk.table}.{c}" for c in fk.refcolumns]
    return (f"sa.ForeignKeyConstraint({list(fk.columns)!r}, {refs!r}, name={fk.name!r}, "
            f"ondelete={fk.ondelete!r})")


def index_sources(t: Table) -> list[str]:
    return [f"sa.Index({name!r}, {', '.join(map(repr, cols))})" for name, cols in t.indexes]


# ---------------------------------------------------------------- snapshots and revisions
def snapshot(revision: str, tables: tuple[Table, ...]) -> str:
    """The managed record of the schema `revision` leaves: what the next one is diffed with."""
    return json.dumps({"revision": revision, "tables": [asdict(t) for t in tables]},
                      indent=2) + "\n"


def read_snapshot(text: str) -> tuple[str, tuple[Table, ...]]:
    data = json.loads(text)
    tables = tuple(Table(
        t["name"], tuple(Column(**c) for c in t["columns"]), tuple(t["primary_key"]),
        tuple((n, s) for n, s in t["checks"]),
        tuple(ForeignKey(f["name"], tuple(f["columns"]), f["table"], tuple(f["refcolumns"]),
                         f["ondelete"]) for f in t["foreign_keys"]),
        tuple((n, tuple(c)) for n, c in t["indexes"])) for t in data["tables"])
    return str(data["revision"]), tables


def _create_table(t: Table) -> list[str]:
    args = [repr(t.name), *(column_source(c) for c in t.columns), *constraint_sources(t)]
    return [f"op.create_table({', '.join(args)})",
            *(f"op.create_index({n!r}, {t.name!r}, {list(c)!r})" for n, c in t.indexes)]


def operations(old: tuple[Table, ...], new: tuple[Table, ...],
               backfill: Mapping[tuple[str, str], str] | None = None) -> list[str]:
    """Alembic operations (Python source) that turn schema `old` into `new`.

    Constraints and indexes are matched by name, columns by name (a changed type or
    nullability is altered in place). What goes is dropped before what comes is made:
    indexes and constraints, then tables (referring ones first), then new tables
    (referred ones first), then columns, then the new constraints and indexes. A NOT
    NULL column added to a table that may hold rows fills them with the field's default
    (or zero) through a server default that is dropped again.
    """
    before = {t.name: t for t in old}
    after = {t.name: t for t in new}
    kept = [t for t in new if t.name in before]
    out: list[str] = []
    for t in kept:
        o = before[t.name]
        out += [f"op.drop_index({n!r}, table_name={t.name!r})"
                for n, c in o.indexes if (n, c) not in t.indexes]
        out += [f"op.drop_constraint({fk.name!r}, {t.name!r}, type_='foreignkey')"
                for fk in o.foreign_keys if fk not in t.foreign_keys]
        out += [f"op.drop_constraint({n!r}, {t.name!r}, type_='check')"
                for n, s in o.checks if (n, s) not in t.checks]
        if o.primary_key != t.primary_key:
            out.append(f"op.drop_constraint({o.pk_name!r}, {t.name!r}, type_='primary')")
    out += [f"op.drop_table({t.name!r})" for t in reversed(old) if t.name not in after]
    for t in new:
        if t.name not in before:
            out += _create_table(t)
    for t in kept:
        out += _column_changes(before[t.name], t, backfill or {})
    for t in kept:
        o = before[t.name]
        if o.primary_key != t.primary_key:
            out.append(f"op.create_primary_key({t.pk_name!r}, {t.name!r}, "
                       f"{list(t.primary_key)!r})")
        out += [f"op.create_check_constraint({n!r}, {t.name!r}, {s!r})"
                for n, s in t.checks if (n, s) not in o.checks]
        out += [f"op.create_foreign_key({fk.name!r}, {t.name!r}, {fk.table!r}, "
                f"{list(fk.columns)!r}, {list(fk.refcolumns)!r}, ondelete={fk.ondelete!r})"
                for fk in t.foreign_keys if fk not in o.foreign_keys]
        out += [f"op.create_index({n!r}, {t.name!r}, {list(c)!r})"
                for n, c in t.indexes if (n, c) not in o.indexes]
    return out


def _column_changes(o: Table, t: Table, backfill: Mapping[tuple[str, str], str]) -> list[str]:
    out: list[str] = []
    was = {c.name: c for c in o.columns}
    now = {c.name: c for c in t.columns}
    out += [f"op.drop_column({t.name!r}, {c.name!r})" for c in o.columns if c.name not in now]
    for c in t.columns:
        old = was.get(c.name)
        if old is None:
            fill = None if c.nullable else backfill.get((t.name, c.name))
            out.append(f"op.add_column({t.name!r}, {column_source(c, fill)})")
            if fill is not None:
                out.append(f"op.alter_column({t.name!r}, {c.name!r}, server_default=None)")
        elif (old.type, old.nullable) != (c.type, c.nullable):
            changes = [f"existing_type={old.type}", f"nullable={c.nullable}"]
            if old.type != c.type:
                changes.append(f"type_={c.type}")
            out.append(f"op.alter_column({t.name!r}, {c.name!r}, {', '.join(changes)})")
    return out


def summary(old: tuple[Table, ...], new: tuple[Table, ...]) -> list[str]:
    """One line per table a revision changes, for its docstring."""
    before = {t.name: t for t in old}
    after = {t.name: t for t in new}
    out = [f"{t.name}: created" for t in new if t.name not in before]
    out += [f"{t.name}: dropped" for t in old if t.name not in after]
    for t in new:
        o = before.get(t.name)
        if o is None or o == t:
            continue
        added = [c.name for c in t.columns if c.name not in {x.name for x in o.columns}]
        gone = [c.name for c in o.columns if c.name not in {x.name for x in t.columns}]
        parts = ([f"adds {', '.join(added)}"] if added else []) + (
            [f"drops {', '.join(gone)}"] if gone else [])
        out.append(f"{t.name}: {'; '.join(parts) or 'changes columns or constraints'}")
    return out

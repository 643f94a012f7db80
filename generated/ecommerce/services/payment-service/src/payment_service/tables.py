"""SQLAlchemy tables of payment-service: the catalog's `tables`, the outbox, processed events.

A stored model has a table of its own with a typed column per field (nested values
as JSON), its key as primary key, its constraints as CHECKs and an index per lookup
(the looked-up column, then the key: a list endpoint's page reads it in key order);
the items of a list the catalog gives a table (`list[OrderItem]` in `order_items`)
are rows of that table under their owner's key. `Mapped` says how a model's JSON
record (what the service works with) and its rows turn into each other; the kit's
relational store reads and writes them so, and applies MIGRATIONS at start.
The Alembic revisions in migrations/ build the same schema.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from archgen_service_kit.storage import Record
from archgen_service_kit.stores.relational import Mapped, Row, Rows
from pydantic_core import to_jsonable_python

from . import models

metadata = sa.MetaData()

payments_table = sa.Table(
    "payments",
    metadata,
    sa.Column("id", sa.Uuid(), nullable=False),
    sa.Column("order_id", sa.Uuid(), nullable=False),
    sa.Column("amount", sa.Numeric().with_variant(sa.Text(), "sqlite"), nullable=False),
    sa.Column("currency", sa.Text(), nullable=False),
    sa.Column("status", sa.String(64), nullable=False),
    sa.PrimaryKeyConstraint("id", name="pk_payments"),
    sa.CheckConstraint(
        "\"status\" IN ('authorized', 'captured', 'failed', 'refunded')", name="ck_payments_status"
    ),
)

# The transactional outbox: an event is written with the state change it reports,
# in the same transaction, and published by the relay afterwards.
outbox = sa.Table(
    "archgen_outbox",
    metadata,
    sa.Column("seq", sa.Integer(), nullable=False, autoincrement=True),
    sa.Column("message", sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint("seq", name="pk_archgen_outbox"),
)

# Outbox events the broker refused (too large, say): kept with the reason for a person to
# look at, so that the relay goes on with the next.
outbox_parked = sa.Table(
    "archgen_outbox_parked",
    metadata,
    sa.Column("seq", sa.Integer(), nullable=False, autoincrement=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column(
        "parked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.PrimaryKeyConstraint("seq", name="pk_archgen_outbox_parked"),
)

# Event ids already handled: consumers skip redeliveries (at-least-once -> effectively once).
processed_events = sa.Table(
    "archgen_processed_events",
    metadata,
    sa.Column("event_id", sa.String(200), nullable=False),
    sa.PrimaryKeyConstraint("event_id", name="pk_archgen_processed_events"),
)

# Idempotency-Key of creates: the first result under each key, written in the create's
# own transaction (with its outbox row), so a retried create answers it again.
idempotency_keys = sa.Table(
    "archgen_idempotency_keys",
    metadata,
    sa.Column("key", sa.String(400), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("result", sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint("key", name="pk_archgen_idempotency_keys"),
)


def _text(value: Decimal | str | None) -> str | None:
    """A decimal column's value as a record holds it (plain digits, never an exponent)."""
    return format(value, "f") if isinstance(value, Decimal) else value


def _json(value: Any) -> Any:
    return to_jsonable_python(value)


def payments_rows(record: Record) -> Rows:
    """Payment as its payments row."""
    v = models.Payment.model_validate(record).model_dump()
    row = {
        "id": v["id"],
        "order_id": v["order_id"],
        "amount": v["amount"],
        "currency": v["currency"],
        "status": v["status"],
    }
    return row, {}


def payments_record(row: Row, lists: Mapping[sa.Table, Sequence[Row]]) -> Record:
    """The Payment record a payments row hold."""
    found = {
        "id": row["id"],
        "order_id": row["order_id"],
        "amount": _text(row["amount"]),
        "currency": row["currency"],
        "status": row["status"],
    }
    item = models.Payment.model_validate(found)
    return item.model_dump(mode="json", exclude_none=True)


# The Alembic revisions: beside src/ in the project, wherever the image put them.
MIGRATIONS = Path(
    os.environ.get("MIGRATIONS_DIR") or Path(__file__).resolve().parents[2] / "migrations"
)


TABLES: dict[str, Mapped] = {
    "Payment": Mapped(
        payments_table,
        payments_table.c["id"],
        (),
        payments_rows,
        payments_record,
    ),
}

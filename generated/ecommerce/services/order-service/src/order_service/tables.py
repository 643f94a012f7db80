"""SQLAlchemy tables of order-service: the catalog's `tables`, the outbox, processed events.

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

orders_table = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Uuid(), nullable=False),
    sa.Column("customer_id", sa.Uuid(), nullable=False),
    sa.Column("total", sa.Numeric().with_variant(sa.Text(), "sqlite"), nullable=False),
    sa.Column("currency", sa.Text(), nullable=False),
    sa.Column("status", sa.String(64), nullable=False),
    sa.Column("note", sa.String(500), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint("id", name="pk_orders"),
    sa.CheckConstraint(
        "\"status\" IN ('pending', 'confirmed', 'shipped', 'cancelled')", name="ck_orders_status"
    ),
    sa.Index("ix_orders_customer_id", "customer_id", "id"),
)
order_items_table = sa.Table(
    "order_items",
    metadata,
    sa.Column("order_id", sa.Uuid(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("sku", sa.Text(), nullable=False),
    sa.Column("quantity", sa.BigInteger(), nullable=False),
    sa.Column("unit_price", sa.Numeric().with_variant(sa.Text(), "sqlite"), nullable=False),
    sa.PrimaryKeyConstraint("order_id", "position", name="pk_order_items"),
    sa.CheckConstraint('"quantity" >= 1', name="ck_order_items_quantity_min"),
    sa.ForeignKeyConstraint(
        ["order_id"], ["orders.id"], name="fk_order_items_order_id", ondelete="CASCADE"
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


def orders_rows(record: Record) -> Rows:
    """Order as its orders row and its order_items rows."""
    v = models.Order.model_validate(record).model_dump()
    row = {
        "id": v["id"],
        "customer_id": v["customer_id"],
        "total": v["total"],
        "currency": v["currency"],
        "status": v["status"],
        "note": v["note"],
        "created_at": v["created_at"],
    }
    return row, {
        order_items_table: [
            {
                "order_id": v["id"],
                "position": i,
                "sku": x["sku"],
                "quantity": x["quantity"],
                "unit_price": x["unit_price"],
            }
            for i, x in enumerate(v["items"])
        ],
    }


def orders_record(row: Row, lists: Mapping[sa.Table, Sequence[Row]]) -> Record:
    """The Order record a orders row and its items' rows hold."""
    found = {
        "id": row["id"],
        "customer_id": row["customer_id"],
        "total": _text(row["total"]),
        "currency": row["currency"],
        "status": row["status"],
        "note": row["note"],
        "created_at": row["created_at"],
        "items": [
            {
                "sku": x["sku"],
                "quantity": x["quantity"],
                "unit_price": _text(x["unit_price"]),
            }
            for x in lists.get(order_items_table, ())
        ],
    }
    item = models.Order.model_validate(found)
    return item.model_dump(mode="json", exclude_none=True)


# The Alembic revisions: beside src/ in the project, wherever the image put them.
MIGRATIONS = Path(
    os.environ.get("MIGRATIONS_DIR") or Path(__file__).resolve().parents[2] / "migrations"
)


TABLES: dict[str, Mapped] = {
    "Order": Mapped(
        orders_table,
        orders_table.c["id"],
        ((order_items_table, order_items_table.c["order_id"]),),
        orders_rows,
        orders_record,
    ),
}

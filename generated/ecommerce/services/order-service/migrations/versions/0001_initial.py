"""The tables of order-service as the catalog first described them.

Revision ID: 0001_initial
Written once by archgen (migrations/schema.json records the schema it leaves), never
rewritten: a later change of the catalog's models gets a revision of its own.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("total", sa.Numeric().with_variant(sa.Text(), "sqlite"), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("status", sa.String(64), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        sa.CheckConstraint(
            "\"status\" IN ('pending', 'confirmed', 'shipped', 'cancelled')",
            name="ck_orders_status",
        ),
    )
    op.create_index("ix_orders_customer_id", "orders", ["customer_id", "id"])
    op.create_table(
        "order_items",
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
    op.create_table(
        "archgen_outbox",
        sa.Column("seq", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_archgen_outbox"),
    )
    op.create_table(
        "archgen_outbox_parked",
        sa.Column("seq", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "parked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("seq", name="pk_archgen_outbox_parked"),
    )
    op.create_table(
        "archgen_processed_events",
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_archgen_processed_events"),
    )
    op.create_table(
        "archgen_idempotency_keys",
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_archgen_idempotency_keys"),
    )


def downgrade() -> None:
    op.drop_table("archgen_idempotency_keys")
    op.drop_table("archgen_processed_events")
    op.drop_table("archgen_outbox_parked")
    op.drop_table("archgen_outbox")
    op.drop_table("order_items")
    op.drop_table("orders")

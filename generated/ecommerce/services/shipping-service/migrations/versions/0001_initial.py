"""The tables of shipping-service as the catalog first described them.

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
        "shipments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("carrier", sa.Text(), nullable=False),
        sa.Column("tracking_number", sa.Text(), nullable=False),
        sa.Column("status", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_shipments"),
        sa.CheckConstraint(
            "\"status\" IN ('preparing', 'dispatched', 'delivered')", name="ck_shipments_status"
        ),
    )
    op.create_index("ix_shipments_order_id", "shipments", ["order_id", "id"])
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
    op.drop_table("shipments")

"""The tables of shipping-service as the catalog first described them.

Revision ID: 0001_initial
Managed by archgen: regenerated on every `archgen generate`, do not edit.
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
        "shipment",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("order_id", sa.String(200)),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_shipment_order_id", "shipment", ["order_id"])
    op.create_table(
        "archgen_outbox",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.create_table(
        "archgen_outbox_parked",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column(
            "parked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_table(
        "archgen_processed_events",
        sa.Column("event_id", sa.String(200), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("archgen_processed_events")
    op.drop_table("archgen_outbox_parked")
    op.drop_table("archgen_outbox")
    op.drop_table("shipment")

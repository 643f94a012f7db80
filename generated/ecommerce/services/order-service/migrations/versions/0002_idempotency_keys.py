"""The first result of each create sent with an Idempotency-Key (archgen_idempotency_keys).

Revision ID: 0002_idempotency_keys
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_idempotency_keys"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archgen_idempotency_keys",
        sa.Column("key", sa.String(400), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("archgen_idempotency_keys")

"""SQLAlchemy tables of shipping-service: one per stored model, the outbox, processed events.

A model's whole instance is kept as JSON (`data`); its key and the fields the
service looks instances up by are columns of their own, indexed.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

shipment_table = sa.Table(
    "shipment",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("order_id", sa.String(200), index=True),
    sa.Column("data", sa.JSON, nullable=False),
)

# The transactional outbox: an event is written with the state change it reports,
# in the same transaction, and published by the relay afterwards.
outbox = sa.Table(
    "archgen_outbox",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("message", sa.Text, nullable=False),
)

# Outbox events the broker refused (too large, say): kept with the reason for a person to
# look at, so that the relay goes on with the next.
outbox_parked = sa.Table(
    "archgen_outbox_parked",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column(
        "parked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)

# Event ids already handled: consumers skip redeliveries (at-least-once -> effectively once).
processed_events = sa.Table(
    "archgen_processed_events",
    metadata,
    sa.Column("event_id", sa.String(200), primary_key=True),
)

# Idempotency-Key of creates: the first result under each key, written in the create's
# own transaction (with its outbox row), so a retried create answers it again.
idempotency_keys = sa.Table(
    "archgen_idempotency_keys",
    metadata,
    sa.Column("key", sa.String(400), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("result", sa.JSON, nullable=False),
)

TABLES: dict[str, sa.Table] = {
    "Shipment": shipment_table,
}

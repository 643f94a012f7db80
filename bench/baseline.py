"""The hand-tuned reference the generated order-service is measured against.

    DATABASE_URL=postgresql://postgres@/db?host=SOCKET \
        python -m uvicorn bench.baseline:app --loop uvloop --http httptools --no-access-log

A raw ASGI app (no framework) on uvicorn with uvloop and httptools, an asyncpg pool
and orjson, doing what the generated service's default endpoints do against the same
tables (tables.py of the generated order-service):

- POST /api/v1/orders: check the body, fill the order, INSERT it and its
  `order.created` outbox row (a CloudEvent, as the generated relay reads it) in one
  transaction, 409 when the key is taken; 201 with the order.
- GET /api/v1/orders/{id}: one SELECT; 200 or 404.
- PUT /api/v1/orders/{id}/status: SELECT ... FOR UPDATE, merge, UPDATE, in one
  transaction; 200 or 404.

It is kept as the reference: what the same transactions cost when written by hand.
Checks are the ones that change the outcome (types and bounds of the fields); the
state machine of `status` is the generated one (pending -> confirmed/cancelled, ...).
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson

POOL_SIZE = int(os.environ.get("BASELINE_POOL_SIZE", "10"))
STATUSES = ("pending", "confirmed", "shipped", "cancelled")
# The generated state machine of Order.status: from -> allowed targets.
MOVES = {"pending": {"confirmed", "cancelled"}, "confirmed": {"shipped", "cancelled"}}
DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")

DDL = """
CREATE TABLE IF NOT EXISTS "order" (
    key VARCHAR(200) PRIMARY KEY, customer_id VARCHAR(200), data JSON NOT NULL);
CREATE INDEX IF NOT EXISTS ix_order_customer_id ON "order" (customer_id);
CREATE TABLE IF NOT EXISTS archgen_outbox (seq SERIAL PRIMARY KEY, message TEXT NOT NULL);
"""
INSERT_ORDER = ('INSERT INTO "order" (key, customer_id, data) VALUES ($1, $2, $3) '
                "ON CONFLICT (key) DO NOTHING RETURNING key")
INSERT_OUTBOX = "INSERT INTO archgen_outbox (message) VALUES ($1)"
SELECT_ORDER = 'SELECT data FROM "order" WHERE key = $1'
LOCK_ORDER = 'SELECT data FROM "order" WHERE key = $1 FOR UPDATE'
UPDATE_ORDER = 'UPDATE "order" SET data = $2, customer_id = $3 WHERE key = $1'

JSON_HEADERS = [(b"content-type", b"application/json")]
PREFIX = "/api/v1/orders"


class Invalid(Exception):
    """The body does not fit the model: 422."""


def _uuid(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("not a uuid")
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise Invalid("not a uuid") from exc


def _items(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise Invalid("items: not a list")
    items = []
    for item in value:
        if not isinstance(item, dict):
            raise Invalid("item: not an object")
        sku, quantity, price = item.get("sku"), item.get("quantity"), item.get("unit_price")
        if not isinstance(sku, str) or type(quantity) is not int or not 1 <= quantity < 2**63:
            raise Invalid("item: sku or quantity")
        if not isinstance(price, str) or not DECIMAL.match(price):
            raise Invalid("item: unit_price")
        items.append({"sku": sku, "quantity": quantity, "unit_price": price})
    return items


def new_order(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Invalid("not an object")
    order = {"id": str(uuid.uuid4()), "customer_id": _uuid(body.get("customer_id")),
             "items": _items(body.get("items")), "total": "0", "currency": "EUR",
             "status": "pending"}
    note = body.get("note")
    if note is not None:
        if not isinstance(note, str) or len(note) > 500:
            raise Invalid("note")
        order["note"] = note
    return order


def created_event(order: dict[str, Any]) -> bytes:
    """The outbox row of order.created, in the generated relay's format."""
    payload = orjson.dumps({"order_id": order["id"], "customer_id": order["customer_id"],
                            "total": order["total"], "items": order["items"]}).decode()
    headers = [["ce_specversion", "1.0"], ["ce_id", str(uuid.uuid4())],
               ["ce_source", "order-service"], ["ce_type", "order.created"],
               ["ce_time", datetime.now(UTC).isoformat()],
               ["content-type", "application/json"], ["ce_subject", order["id"]]]
    return orjson.dumps({"topic": "orders", "key": order["id"], "value": payload,
                         "headers": headers})


class Baseline:
    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        status, body = await self.route(scope, receive)
        await send({"type": "http.response.start", "status": status, "headers": JSON_HEADERS})
        await send({"type": "http.response.body", "body": body})

    async def lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                dsn = os.environ["DATABASE_URL"]
                self.pool = await asyncpg.create_pool(dsn, min_size=POOL_SIZE,
                                                      max_size=POOL_SIZE)
                async with self.pool.acquire() as conn:
                    await conn.execute(DDL)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def route(self, scope: dict[str, Any], receive: Any) -> tuple[int, bytes]:
        path, method = scope["path"], scope["method"]
        if path == "/health/ready":
            return 200, b'{"status":"ok"}'
        if not path.startswith(PREFIX):
            return 404, b'{"title":"Not Found"}'
        rest = path[len(PREFIX):]
        try:
            if rest == "" and method == "POST":
                return 201, await self.create(orjson.loads(await _body(receive)))
            parts = rest.split("/")
            if len(parts) == 2 and method == "GET":
                return await self.read(_uuid(parts[1]))
            if len(parts) == 3 and parts[2] == "status" and method == "PUT":
                return await self.update(_uuid(parts[1]), orjson.loads(await _body(receive)))
        except (Invalid, orjson.JSONDecodeError) as exc:
            return 422, orjson.dumps({"title": "Unprocessable Entity", "detail": str(exc)})
        return 404, b'{"title":"Not Found"}'

    async def create(self, body: Any) -> bytes:
        order = new_order(body)
        data = orjson.dumps(order)
        assert self.pool is not None
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.fetchval(INSERT_ORDER, order["id"], order["customer_id"], data.decode())
            await conn.execute(INSERT_OUTBOX, created_event(order).decode())
        return data

    async def read(self, key: str) -> tuple[int, bytes]:
        assert self.pool is not None
        async with self.pool.acquire() as conn:
            found = await conn.fetchval(SELECT_ORDER, key)
        if found is None:
            return 404, b'{"title":"Not Found"}'
        return 200, found.encode()

    async def update(self, key: str, body: Any) -> tuple[int, bytes]:
        if not isinstance(body, dict) or body.get("status") not in STATUSES:
            raise Invalid("status")
        reason = body.get("reason")
        if reason is not None and (not isinstance(reason, str) or len(reason) > 200):
            raise Invalid("reason")
        assert self.pool is not None
        async with self.pool.acquire() as conn, conn.transaction():
            found = await conn.fetchval(LOCK_ORDER, key)
            if found is None:
                return 404, b'{"title":"Not Found"}'
            order = orjson.loads(found)
            old, new = order["status"], body["status"]
            if old != new and new not in MOVES.get(old, ()):
                return 409, b'{"title":"Conflict"}'
            order["status"] = new  # `reason` is not a field of Order: not stored
            data = orjson.dumps(order)
            await conn.execute(UPDATE_ORDER, key, data.decode(), order["customer_id"])
        return 200, data


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


app = Baseline()

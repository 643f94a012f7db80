"""Publishing: CloudEvents (binary mode) around validated payloads, the outbox relay.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, date, datetime
from typing import Any

from .observability import Metrics
from .spec import PUBLISHES, SOURCE, STORED
from .storage import Message, Record

log = logging.getLogger(__name__)


def fill_value(value: Any) -> Any:
    """Fill markers made at run time: a fresh uuid, today, now."""
    if value == "@uuid":
        return str(uuid.uuid4())
    if value == "@now":
        return datetime.now(UTC).isoformat()
    if value == "@today":
        return date.today().isoformat()
    return value


def payload_for(event: str, model: str, record: Record, trigger: Record | None = None) -> Record:
    """The payload of `event` after a change to `record` (a `model`), maybe caused by `trigger`.

    Each payload field comes from the record's field of that name, else the
    record's key for `<model>_id`, else the triggering event's field, else a fill.
    """
    spec = PUBLISHES[event]
    own_id = "".join("_" + c.lower() if c.isupper() else c for c in model).lstrip("_") + "_id"
    key_field = STORED[model].key if model in STORED else "id"
    data: Record = {}
    for name in spec.payload.model_fields:
        if name in record:
            data[name] = record[name]
        elif name == own_id and key_field in record:
            data[name] = record[key_field]
        elif trigger is not None and name in trigger:
            data[name] = trigger[name]
        elif name in spec.fill:
            data[name] = fill_value(spec.fill[name])
    return data


def message(event: str, payload: Record) -> Message:
    """Validate `payload` against the event's schema and wrap it in a CloudEvent."""
    spec = PUBLISHES[event]
    body = spec.payload.model_validate(payload)
    key = str(payload[spec.key]) if spec.key and payload.get(spec.key) is not None else None
    headers = [
        ("ce_specversion", "1.0"),
        ("ce_id", str(uuid.uuid4())),
        ("ce_source", SOURCE),
        ("ce_type", event),
        ("ce_time", datetime.now(UTC).isoformat()),
        ("content-type", "application/json"),
    ]
    if key is not None:
        headers.append(("ce_subject", key))
    return Message(
        spec.topic,
        key.encode() if key is not None else None,
        body.model_dump_json(exclude_none=True).encode(),
        tuple((k, v.encode()) for k, v in headers),
    )


class Publisher:
    """Sends messages with an aiokafka producer; without a broker it keeps nothing."""

    def __init__(self, producer: Any | None) -> None:
        self.producer = producer

    async def send(self, messages: list[Message]) -> None:
        if self.producer is None:
            log.warning("no broker configured: %d events not published", len(messages))
            return
        for m in messages:
            await self.producer.send_and_wait(m.topic, m.value, key=m.key, headers=list(m.headers))


# The broker's refusals of one message (too large, bad record, bad topic): sending it
# again cannot succeed, so the relay parks it and goes on with the next.
REFUSALS = (
    "MessageSizeTooLargeError",
    "RecordTooLargeError",
    "RecordListTooLargeError",
    "CorruptRecordException",
    "InvalidTimestampError",
    "InvalidTopicError",
)


def refused(exc: BaseException) -> bool:
    return exc.__class__.__name__ in REFUSALS


async def relay(
    store: Any, publisher: Publisher, stop: asyncio.Event, metrics: Metrics | None = None
) -> None:
    """Publish the outbox in order; rows leave it once the broker has them, or refused them."""
    delay = 0.05
    while not stop.is_set():
        store.outbox_ready.clear()
        try:
            batch = await store.pending()
            if batch and publisher.producer is not None:
                await publish(store, publisher, batch, metrics)
                delay = 0.05
                continue
        except Exception as exc:  # broker or store down: keep the rows, try again
            log.warning("outbox relay: %s; retrying in %.2fs", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
            continue
        waiter = asyncio.ensure_future(store.outbox_ready.wait())
        stopper = asyncio.ensure_future(stop.wait())
        await asyncio.wait({waiter, stopper}, timeout=1.0, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        stopper.cancel()


async def publish(
    store: Any, publisher: Publisher, batch: list[tuple[int, Message]], metrics: Metrics | None
) -> None:
    """Send a batch one message at a time; what went out leaves the outbox even when a later
    send fails, and a message the broker refuses is parked with the reason."""
    sent: list[int] = []
    try:
        for seq, m in batch:
            try:
                # Bounded: a send to a broker that is down waits its request timeout; a
                # message sent twice is absorbed by the consumers' processed-event ids.
                await asyncio.wait_for(publisher.send([m]), timeout=10)
            except Exception as exc:
                if not refused(exc):
                    raise
                reason = f"{exc.__class__.__name__}: {exc}"[:1000]
                await store.park(seq, reason)
                if metrics is not None:
                    metrics.parked.labels(m.topic).inc()
                log.error(
                    "outbox: parked event %s for %s, the broker refused it: %s",
                    seq,
                    m.topic,
                    reason,
                )
                continue
            sent.append(seq)
    finally:
        if sent:
            await store.done(sent)

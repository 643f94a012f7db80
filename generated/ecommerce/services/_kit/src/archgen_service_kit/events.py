"""Publishing: CloudEvents (binary mode) around validated payloads, the outbox relay.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, date, datetime
from typing import Any

from . import tracing
from .observability import Metrics
from .spec import ServiceSpec, wire_names
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


def payload_for(
    spec: ServiceSpec, event: str, model: str, record: Record, trigger: Record | None = None
) -> Record:
    """The payload of `event` after a change to `record` (a `model`), maybe caused by `trigger`.

    Each payload field comes from the record's field of that name, else the
    record's key for `<model>_id`, else the triggering event's field, else a fill.
    """
    published = spec.publishes[event]
    own_id = "".join("_" + c.lower() if c.isupper() else c for c in model).lstrip("_") + "_id"
    key_field = spec.stored[model].key if model in spec.stored else "id"
    data: Record = {}
    for name in wire_names(published.payload):
        if name in record:
            data[name] = record[name]
        elif name == own_id and key_field in record:
            data[name] = record[key_field]
        elif trigger is not None and name in trigger:
            data[name] = trigger[name]
        elif name in published.fill:
            data[name] = fill_value(published.fill[name])
    return data


def message(spec: ServiceSpec, event: str, payload: Record) -> Message:
    """Validate `payload` against the event's schema and wrap it in a CloudEvent."""
    published = spec.publishes[event]
    body = published.payload.model_validate(payload)
    key = (
        str(payload[published.key])
        if published.key and payload.get(published.key) is not None
        else None
    )
    headers = [
        ("ce_specversion", "1.0"),
        ("ce_id", str(uuid.uuid4())),
        ("ce_source", spec.source),
        ("ce_type", event),
        ("ce_time", datetime.now(UTC).isoformat()),
        ("content-type", "application/json"),
    ]
    if key is not None:
        headers.append(("ce_subject", key))
    headers.extend(tracing.context_headers())  # kept with the outbox row, sent with the event
    return Message(
        published.topic,
        key.encode() if key is not None else None,
        body.model_dump_json(exclude_none=True).encode(),
        tuple((k, v.encode()) for k, v in headers),
    )


class Publisher:
    """Sends messages with an aiokafka producer; without a broker (development mode only)
    it keeps nothing."""

    def __init__(self, producer: Any | None) -> None:
        self.producer = producer

    async def send(self, messages: list[Message]) -> None:
        for error in await self.send_all(messages):
            if error is not None:
                raise error

    async def send_all(self, messages: list[Message]) -> list[Exception | None]:
        """Hand every message to the producer, then wait for all the acknowledgements
        (one round trip per batch, not per message); each message's error, or None."""
        if self.producer is None:
            log.warning("no broker configured: %d events not published", len(messages))
            return [None] * len(messages)
        pending: list[Any] = []
        for m in messages:
            try:
                pending.append(
                    await self.producer.send(m.topic, m.value, key=m.key, headers=list(m.headers))
                )
            except Exception as exc:  # refused before it left (too large, say)
                pending.append(exc)
        futures = [p for p in pending if not isinstance(p, Exception)]
        outcomes = iter(await asyncio.gather(*futures, return_exceptions=True))
        errors: list[Exception | None] = []
        for p in pending:
            if isinstance(p, Exception):
                errors.append(p)
                continue
            outcome = next(outcomes)
            errors.append(outcome if isinstance(outcome, Exception) else None)
        return errors


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
# A batch's sends wait at most this long for the broker; then its rows stay for a retry.
SEND_TIMEOUT_S = 10.0


def refused(exc: BaseException) -> bool:
    return exc.__class__.__name__ in REFUSALS


async def relay(
    store: Any, publisher: Publisher, stop: asyncio.Event, metrics: Metrics | None = None
) -> None:
    """Publish the outbox; rows leave it once the broker has them, or refused them."""
    delay = 0.05
    while not stop.is_set():
        store.outbox_ready.clear()
        try:
            if publisher.producer is not None and await publish(store, publisher, metrics):
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


async def publish(store: Any, publisher: Publisher, metrics: Metrics | None) -> int:
    """Claim a batch of the outbox, send it whole, then await every acknowledgement. What
    went out leaves the outbox even when another send failed (that error is raised after),
    and a message the broker refuses is parked with the reason. The number of rows claimed.
    A message sent twice (a crash between send and delete) is absorbed by the consumers'
    processed-event ids."""
    failure: Exception | None = None
    async with store.claim() as batch:
        if not batch.rows:
            return 0
        # Each send is a span of the trace its event was stored with.
        sends = [tracing.sending(m) for _, m in batch.rows]
        try:
            errors = await asyncio.wait_for(
                publisher.send_all([m for _, m in sends]), timeout=SEND_TIMEOUT_S
            )
        except TimeoutError as exc:
            for span, _ in sends:
                tracing.sent(span, exc)
            raise TimeoutError(f"the broker did not acknowledge in {SEND_TIMEOUT_S}s") from exc
        for (span, _), error in zip(sends, errors, strict=True):
            tracing.sent(span, error)
        for (seq, m), error in zip(batch.rows, errors, strict=True):
            if error is None:
                batch.sent.append(seq)
            elif refused(error):
                reason = f"{error.__class__.__name__}: {error}"[:1000]
                batch.parked.append((seq, reason))
                if metrics is not None:
                    metrics.parked.labels(m.topic).inc()
                log.error(
                    "outbox: parked event %s for %s, the broker refused it: %s",
                    dict(m.headers).get("ce_id", b"").decode(),
                    m.topic,
                    reason,
                )
            else:
                failure = failure or error
    if failure is not None:
        raise failure
    return len(batch.rows)

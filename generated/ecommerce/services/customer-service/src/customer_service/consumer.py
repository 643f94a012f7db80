"""Consuming: a consumer group named after the service, at-least-once, idempotent.

Each message is handled in one unit of work of the store (its event id is
remembered there), retried with exponential backoff, then sent to its topic's
dead-letter topic; the offset is committed only after that.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
from typing import Any

from . import defaults, handlers
from .observability import Metrics
from .spec import CONSUMES, RETRY_ATTEMPTS, RETRY_BASE_MS
from .storage import Record

log = logging.getLogger(__name__)


class Consumer:
    def __init__(self, consumer: Any, store: Any, producer: Any, metrics: Metrics) -> None:
        self.consumer = consumer
        self.store = store
        self.producer = producer
        self.metrics = metrics
        self.joined = False
        self.stopping = asyncio.Event()

    def listener(self) -> Any:
        base = importlib.import_module("aiokafka").ConsumerRebalanceListener
        owner = self

        class Listener(base):  # type: ignore[misc, valid-type]
            async def on_partitions_revoked(self, revoked: Any) -> None:
                return None

            async def on_partitions_assigned(self, assigned: Any) -> None:
                owner.joined = True

        return Listener()

    async def run(self) -> None:
        while not self.stopping.is_set():
            batches = await self.consumer.getmany(timeout_ms=200, max_records=100)
            for tp, messages in batches.items():
                for msg in messages:
                    await self.handle(msg)
                await self.consumer.commit({tp: messages[-1].offset + 1})
                lag = self.consumer.highwater(tp)
                if lag is not None:
                    self.metrics.lag.labels(tp.topic, str(tp.partition)).set(
                        max(0, lag - messages[-1].offset - 1)
                    )

    async def handle(self, msg: Any) -> None:
        headers = {k: v.decode() for k, v in msg.headers or ()}
        event = headers.get("ce_type", "")
        spec = CONSUMES.get(event)
        if spec is None:
            return  # another event on a shared topic
        event_id = headers.get("ce_id") or f"{msg.topic}:{msg.partition}:{msg.offset}"
        started = time.perf_counter()
        error: Exception | None = None
        for attempt in range(1, RETRY_ATTEMPTS + 1):
            try:
                payload: Record = spec.payload.model_validate_json(msg.value).model_dump(
                    mode="json"
                )
                await self.apply(event, event_id, payload)
                self.metrics.handled.labels(event, "ok").inc()
                self.metrics.handling.labels(event).observe(time.perf_counter() - started)
                return
            except Exception as exc:
                error = exc
                log.warning(
                    "%s %s attempt %d/%d failed: %s", event, event_id, attempt, RETRY_ATTEMPTS, exc
                )
                if attempt < RETRY_ATTEMPTS:
                    await asyncio.sleep(RETRY_BASE_MS * 2 ** (attempt - 1) / 1000)
        self.metrics.handled.labels(event, "dead-letter").inc()
        await self.dead_letter(msg, spec.dead_letter, error)

    async def apply(self, event: str, event_id: str, payload: Record) -> None:
        custom = getattr(handlers, "on_" + event.replace(".", "_").replace("-", "_"), None)
        async with self.store.unit() as unit:
            if await unit.seen(event_id):
                return  # a redelivery: handled before
            if custom is not None:
                await custom(unit, payload)
            else:
                await defaults.react(unit, event, payload)
            unit.mark(event_id)

    async def dead_letter(self, msg: Any, topic: str | None, error: Exception | None) -> None:
        if topic is None:
            log.error("dropping %s after %d attempts: %s", msg.offset, RETRY_ATTEMPTS, error)
            return
        headers = [*(msg.headers or ()), ("archgen_error", str(error).encode()[:1000])]
        await self.producer.send_and_wait(topic, msg.value, key=msg.key, headers=headers)

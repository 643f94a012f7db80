"""Consuming: a consumer group named after the service, at-least-once, idempotent.

Each message is handled in one unit of work of the store (its event id is
remembered there), retried with exponential backoff, then sent to its topic's
dead-letter topic; the offset is committed only after that. Offsets are committed
together, once per commit interval (and when partitions go or the service stops),
not after each message: a commit is a request to the broker, and a message handled
but not yet committed when the process dies comes again and is skipped by its
event id. A message that cannot be read at all (a header with no value or not
UTF-8) goes to the dead-letter topic at once. The loop is supervised: whatever ends it is logged,
fails readiness, and the loop restarts (with backoff) from the committed offsets.
When a rebalance takes partitions away, the batch in hand stops after its current
message and what was handled is committed before the partitions go: the new owner
starts after it (the rest of the batch comes again from the committed offsets).
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
from collections.abc import Mapping
from contextlib import suppress
from typing import Any

from . import defaults, tracing
from .contract import ReactionHandler
from .flow import IllegalTransition
from .observability import Metrics
from .spec import ServiceSpec
from .storage import Record

log = logging.getLogger(__name__)
RESTART_FIRST_S = 1.0  # the first wait before a failed loop restarts; doubles up to the last
RESTART_LAST_S = 15.0


def read_headers(msg: Any) -> tuple[dict[str, str], list[str]]:
    """The message's headers as text, and what could not be read (header by header)."""
    headers: dict[str, str] = {}
    problems: list[str] = []
    for key, value in msg.headers or ():
        if value is None:
            problems.append(f"header {key!r} has no value")
            continue
        try:
            headers[key] = bytes(value).decode()
        except UnicodeDecodeError as exc:
            problems.append(f"header {key!r} is not UTF-8 ({exc.reason} at byte {exc.start})")
    return headers, problems


class Consumer:
    def __init__(
        self,
        consumer: Any,
        store: Any,
        producer: Any,
        metrics: Metrics,
        spec: ServiceSpec,
        reactions: Mapping[str, ReactionHandler],
        commit_interval_s: float = 1.0,
    ) -> None:
        self.spec = spec
        self.reactions = reactions  # the team's handlers by event: each replaces a reaction
        # The dead-letter topic of each consumed topic, for messages whose event cannot
        # be read.
        self.dead_letters: dict[str, str] = {
            c.topic: c.dead_letter for c in spec.consumes.values() if c.dead_letter is not None
        }
        self.consumer = consumer
        self.store = store
        self.producer = producer
        self.metrics = metrics
        self.joined = False
        self.failure: str | None = None  # why the loop last ended, until it runs again
        self.stopping = asyncio.Event()
        self.in_flight = asyncio.Lock()  # held while a fetched batch is handled, committed
        self.revoking = False
        self.commit_interval_s = commit_interval_s
        self.handled: dict[Any, int] = {}  # partition -> next offset: handled, not committed
        self.committed_at = time.monotonic()

    def listener(self) -> Any:
        base = importlib.import_module("aiokafka").ConsumerRebalanceListener
        owner = self

        class Listener(base):  # type: ignore[misc, valid-type]
            async def on_partitions_revoked(self, revoked: Any) -> None:
                await owner.revoked()

            async def on_partitions_assigned(self, assigned: Any) -> None:
                owner.joined = True

        return Listener()

    def state(self) -> str:
        """The readiness check's word: ok, joining, or down with the reason."""
        if self.failure is not None:
            return f"down: {self.failure}"
        return "ok" if self.joined else "joining"

    async def supervise(self) -> None:
        """Run the loop until the service stops; restart it, with backoff, whenever it ends."""
        delay = RESTART_FIRST_S
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                if self.failure is not None:
                    await self.rewind()
                await self.run()
            except Exception as exc:
                self.failure = " ".join(f"{exc.__class__.__name__}: {exc}".split())[:300]
                log.exception("consumer loop failed (%s); restarting in %.1fs", self.failure, delay)
            else:
                if self.stopping.is_set():
                    return
                self.failure = "the consumer loop ended"
                log.error("consumer loop ended; restarting in %.1fs", delay)
            if time.monotonic() - started > RESTART_LAST_S * 4:
                delay = RESTART_FIRST_S  # it had run well for a while: a fresh failure
            with suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=delay)
            delay = min(delay * 2, RESTART_LAST_S)

    async def rewind(self) -> None:
        """Back to the committed offsets: what was fetched but not committed comes again
        (handled messages are then skipped by their event ids)."""
        self.handled.clear()  # the failed loop's: those partitions may be another's now
        for tp in self.consumer.assignment():
            committed = await self.consumer.committed(tp)
            if committed is None:
                await self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, committed)

    async def revoked(self) -> None:
        """Partitions are being taken away: wait until the batch in hand has stopped and
        committed what it handled (at most the message being handled is still to finish)."""
        self.revoking = True
        try:
            async with self.in_flight:
                try:
                    await self.commit()
                except Exception as exc:  # they come again to the new owner, who skips them
                    log.warning("commit before the partitions go failed: %s", exc)
        finally:
            self.revoking = False

    async def commit(self) -> None:
        """Commit every partition's handled offset, in one request."""
        offsets, self.handled = self.handled, {}
        self.committed_at = time.monotonic()
        if offsets:
            await self.consumer.commit(offsets)

    async def run(self) -> None:
        while not self.stopping.is_set():
            batches = await self.consumer.getmany(timeout_ms=200, max_records=100)
            async with self.in_flight:
                for tp, messages in batches.items():
                    last = None
                    for msg in messages:
                        if self.revoking:
                            break  # abandoned: fetched again from the committed offset
                        await self.handle(msg)
                        last = msg
                    if last is not None:
                        self.handled[tp] = last.offset + 1
                        lag = self.consumer.highwater(tp)
                        if lag is not None:
                            self.metrics.lag.labels(tp.topic, str(tp.partition)).set(
                                max(0, lag - last.offset - 1)
                            )
                    if self.revoking:
                        break
                if time.monotonic() - self.committed_at >= self.commit_interval_s:
                    await self.commit()
            self.failure = None  # a whole round went well: the loop is back
        async with self.in_flight:
            await self.commit()  # stopping: what was handled is committed before the end

    async def handle(self, msg: Any) -> None:
        with tracing.consuming(msg):  # a span of the trace the event was sent in
            await self.process(msg)

    async def process(self, msg: Any) -> None:
        started = time.perf_counter()
        headers, problems = read_headers(msg)
        event = headers.get("ce_type", "")
        consumed = self.spec.consumes.get(event)
        if consumed is None and "ce_type" in headers:
            return  # another event on a shared topic
        event_id = headers.get("ce_id") or f"{msg.topic}:{msg.partition}:{msg.offset}"
        if consumed is None or problems:
            reason = "; ".join(problems) or "no readable ce_type header"
            await self.reject(msg, event or "unreadable", event_id, reason, started)
            return
        error: Exception | None = None
        attempts = self.spec.retry_attempts
        for attempt in range(1, attempts + 1):
            try:
                payload: Record = consumed.payload.model_validate_json(msg.value).model_dump(
                    mode="json"
                )
                fresh = await self.apply(event, event_id, payload)
                self.done(msg, event, event_id, "ok" if fresh else "duplicate", started)
                return
            except IllegalTransition as exc:
                error = exc  # the same event makes the same transition: retrying cannot help
                break
            except Exception as exc:
                error = exc
                log.warning(
                    "%s %s attempt %d/%d failed: %s", event, event_id, attempt, attempts, exc
                )
                if attempt < attempts:
                    await asyncio.sleep(self.spec.retry_base_ms * 2 ** (attempt - 1) / 1000)
        await self.reject(msg, event, event_id, str(error), started)

    def done(
        self, msg: Any, event: str, event_id: str, outcome: str, started: float, why: str = ""
    ) -> None:
        """Count the event and log its one line: topic, event, id, outcome, time taken."""
        seconds = time.perf_counter() - started
        self.metrics.handled.labels(event, outcome).inc()
        self.metrics.handling.labels(event).observe(seconds)
        tracing.outcome(outcome, why)
        level = logging.INFO if outcome in ("ok", "duplicate") else logging.ERROR
        log.log(
            level,
            "%s %s %s: %s in %.1f ms%s",
            msg.topic,
            event,
            event_id,
            outcome,
            seconds * 1000,
            f" ({why})" if why else "",
        )

    async def reject(
        self, msg: Any, event: str, event_id: str, reason: str, started: float
    ) -> None:
        topic = self.dead_letters.get(msg.topic)
        if topic is None:
            self.done(
                msg,
                event,
                event_id,
                "dropped",
                started,
                f"{msg.topic} has no dead-letter topic: {reason}",
            )
            return
        headers = [*(msg.headers or ()), ("archgen_error", reason.encode()[:1000])]
        await self.producer.send_and_wait(topic, msg.value, key=msg.key, headers=headers)
        self.done(msg, event, event_id, "dead-letter", started, f"to {topic}: {reason}")

    async def apply(self, event: str, event_id: str, payload: Record) -> bool:
        """Handle the event in one unit of work; False when it had been handled before."""
        custom = self.reactions.get(event)
        async with self.store.unit() as unit:
            if await unit.seen(event_id):
                return False  # a redelivery: handled before
            if custom is not None:
                await custom(unit, payload)
            else:
                await defaults.react(self.spec, unit, event, payload)
            unit.mark(event_id)
        return True

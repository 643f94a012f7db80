"""The topics as the dashboard shows them: a consumer outside every group that keeps each
topic's last messages (rings.TopicRing), and the re-drive of a dead-lettered message to the
topic it came from."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

from archgen.runtime.dashboard.rings import TopicRing, message

ERROR_HEADER = "archgen_error"  # the reason a consumer dead-lettered the message
REDRIVEN_HEADER = "archgen_redriven"  # where a re-driven message came from
FETCH_TIMEOUT_MS = 5000
# The watch reads every partition of every topic. tansu reads them all for each fetch and
# sleeps the whole wait, so the wait sets the watch's idle cost (and the broker's): at
# 2 s a message shows on the page within about a second (tansu looks again at half the
# wait), and an idle system pays for a twentieth of the fetches a 100 ms wait made.
WATCH_FETCH_WAIT_MS = 2000


class RedriveError(Exception):
    """The message cannot be re-driven; the text says why in one line."""


class TopicWatch:
    """Follows `topics` from their last `ring.per_topic` messages on; stop() ends it."""

    def __init__(self, bootstrap: str, topics: list[str], ring: TopicRing) -> None:
        self.bootstrap = bootstrap
        self.topics = topics
        self.ring = ring
        self.error = ""  # why the watch stopped, for the page
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _run(self) -> None:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None,
                                    enable_auto_commit=False,
                                    fetch_max_wait_ms=WATCH_FETCH_WAIT_MS)
        try:
            await consumer.start()
            partitions = [TopicPartition(t, p) for t in self.topics
                          for p in sorted(consumer.partitions_for_topic(t) or {0})]
            consumer.assign(partitions)
            ends = await consumer.end_offsets(partitions)
            starts = await consumer.beginning_offsets(partitions)
            for tp in partitions:  # the last messages already there, then what comes
                consumer.seek(tp, max(starts[tp], ends[tp] - self.ring.per_topic))
            async for msg in consumer:
                self.ring.add(message(msg.topic, msg.partition, msg.offset, msg.timestamp,
                                      msg.key, msg.value, msg.headers or ()))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the page says it; the system keeps running
            self.error = f"{type(exc).__name__}: {exc}"[:300]
        finally:
            with contextlib.suppress(Exception):
                await consumer.stop()


async def redrive(bootstrap: str, dead_letters: Mapping[str, str], dlq: str, partition: int,
                  offset: int) -> dict[str, Any]:
    """Publish the message at `dlq`/`partition`/`offset` again to its original topic, with
    its key, value and headers (less the failure reason, plus where it came from)."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

    original = dead_letters.get(dlq)
    if original is None:
        raise RedriveError(f"{dlq!r} is no dead-letter topic of this system")
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(dlq, partition)
        consumer.assign([tp])
        consumer.seek(tp, offset)
        batch = await consumer.getmany(tp, timeout_ms=FETCH_TIMEOUT_MS, max_records=1)
        found = [m for m in batch.get(tp, []) if m.offset == offset]
    finally:
        await consumer.stop()
    if not found:
        raise RedriveError(f"no message at {dlq} partition {partition} offset {offset}")
    msg = found[0]
    headers = [(k, v) for k, v in msg.headers or () if k not in (ERROR_HEADER, REDRIVEN_HEADER)]
    headers.append((REDRIVEN_HEADER, f"{dlq}/{partition}/{offset}".encode()))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        sent = await producer.send_and_wait(original, msg.value, key=msg.key, headers=headers)
    finally:
        await producer.stop()
    return {"topic": original, "partition": sent.partition, "offset": sent.offset}

"""Consumer lag: per consumer group and topic, the offsets each group committed against the
ends of the partitions, read from the broker when the page asks (at most once per
MIN_INTERVAL_S, whatever the number of pages polling). Only the last reading is kept, and
a page gets it at once: a reading asks the broker about fifteen times one after another
(2-3 s on a loaded machine), so a stale one starts the next in the background instead of
making the page wait for it.

tansu answers OffsetFetch for named partitions (not for "all of the group's"), ListOffsets
and DescribeGroups for one group per request: that is all this asks."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping, Sequence
from typing import Any

MIN_INTERVAL_S = 1.0
REQUEST_TIMEOUT_MS = 5000


class LagProbe:
    """Reads the lag of `groups` (group -> the topics it consumes) from `bootstrap`."""

    def __init__(self, bootstrap: str, groups: Mapping[str, Sequence[str]]) -> None:
        self.bootstrap = bootstrap
        self.groups = {g: sorted(set(ts)) for g, ts in sorted(groups.items()) if ts}
        self._admin: Any = None
        self._consumer: Any = None
        self._last: dict[str, Any] = {"groups": [], "read_at": None, "error": ""}
        self._read_at = 0.0  # monotonic; 0: nothing read yet
        self._reading: asyncio.Task[None] | None = None

    async def read(self) -> dict[str, Any]:
        """The last reading, at once; one older than MIN_INTERVAL_S starts the next in the
        background. Only the first asks wait, having nothing to show yet. A broker that
        does not answer keeps the rows of the reading before, with the error."""
        stale = time.monotonic() - self._read_at >= MIN_INTERVAL_S
        if stale and (self._reading is None or self._reading.done()):
            self._reading = asyncio.create_task(self._take())
        if self._read_at == 0.0 and self._reading is not None:
            await asyncio.shield(self._reading)
        return self._last

    async def _take(self) -> None:
        try:
            rows = await self._sample() if self.groups else []
            self._last = {"groups": rows, "read_at": time.time(), "error": ""}
        except Exception as exc:  # the page says it; the next reading connects afresh
            await self.close_clients()
            self._last = {**self._last, "error": f"{type(exc).__name__}: {exc}"[:300]}
        self._read_at = time.monotonic()

    async def close(self) -> None:
        """Stop a reading in flight and close the broker clients."""
        reading, self._reading = self._reading, None
        if reading is not None and not reading.done():
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reading
        await self.close_clients()

    async def close_clients(self) -> None:
        admin, consumer, self._admin, self._consumer = self._admin, self._consumer, None, None
        if admin is not None:
            with contextlib.suppress(Exception):
                await admin.close()
        if consumer is not None:
            with contextlib.suppress(Exception):
                await consumer.stop()

    async def _clients(self) -> tuple[Any, Any]:
        from aiokafka import AIOKafkaConsumer
        from aiokafka.admin import AIOKafkaAdminClient

        if self._admin is None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap,
                                        request_timeout_ms=REQUEST_TIMEOUT_MS)
            await admin.start()
            self._admin = admin
        if self._consumer is None:  # of no group: it only asks where partitions end
            consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None,
                                        enable_auto_commit=False,
                                        request_timeout_ms=REQUEST_TIMEOUT_MS)
            await consumer.start()
            self._consumer = consumer
        return self._admin, self._consumer

    async def _sample(self) -> list[dict[str, Any]]:
        from aiokafka import TopicPartition

        admin, consumer = await self._clients()
        topics = sorted({t for ts in self.groups.values() for t in ts})
        partitions = {d["topic"]: sorted(p["partition"] for p in d.get("partitions", ()))
                      for d in await admin.describe_topics(topics) if d.get("partitions")}
        every = [TopicPartition(t, p) for t in topics for p in partitions.get(t, ())]
        ends = await consumer.end_offsets(every) if every else {}
        starts = await consumer.beginning_offsets(every) if every else {}
        rows = []
        for group, read in self.groups.items():
            tps = [tp for tp in every if tp.topic in read]
            committed = await admin.list_consumer_group_offsets(group, partitions=tps) \
                if tps else {}
            members = await _members(admin, group)
            for topic in read:
                if topic not in partitions:
                    continue  # not on the broker (yet)
                parts = [_partition(tp.partition, committed.get(tp), starts[tp], ends[tp])
                         for tp in tps if tp.topic == topic]
                # Where the group reads from, summed: a partition without a commit counts
                # from its start, so that end - committed is the lag (None: no commit yet).
                begun = any(p["committed"] is not None for p in parts)
                position = sum(p["end"] - p["lag"] for p in parts)
                rows.append({"group": group, "topic": topic, "members": members,
                             "committed": position if begun else None,
                             "end": sum(p["end"] for p in parts),
                             "lag": sum(p["lag"] for p in parts), "partitions": parts})
        return rows


def _partition(partition: int, committed: Any, start: int, end: int) -> dict[str, Any]:
    """One partition's reading. Without a committed offset the group starts from the
    earliest message (the services' auto_offset_reset), so all of it is still to read."""
    offset = committed.offset if committed is not None and committed.offset >= 0 else None
    return {"partition": partition, "committed": offset, "end": end,
            "lag": max(0, end - (start if offset is None else offset))}


async def _members(admin: Any, group: str) -> int | None:
    """How many consumers the group has now; None when the broker does not say."""
    try:
        described = await admin.describe_consumer_groups([group])
    except Exception:  # the lag still reads without it
        return None
    for response in described:
        for found in getattr(response, "groups", ()):
            error, name, _state, _protocol_type, _protocol, members = found[:6]
            if name == group and error == 0:
                return len(members)
    return None

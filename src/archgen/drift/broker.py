"""Reading the broker: topics, consumer groups and what they read, recent messages.

A group's topics are its members' subscriptions when the broker reports them
(Kafka does, in each member's protocol metadata); else the topics it committed
offsets on (tansu, the broker of `archgen up`, reports no member metadata).
Messages are sampled from the end of each partition, without joining a group.
"""

from __future__ import annotations

import asyncio
import json
import struct
from typing import Any

from archgen.drift.observed import Broker, Message

REQUEST_TIMEOUT_MS = 5000
FETCH_BUDGET_S = 10.0


async def read_broker(bootstrap: str, sample: int) -> Broker:
    from aiokafka import TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap,
                                request_timeout_ms=REQUEST_TIMEOUT_MS)
    await admin.start()
    try:
        topics = frozenset(t for t in await admin.list_topics() if not t.startswith("__"))
        partitions = await _partitions(admin, sorted(topics))
        groups: dict[str, frozenset[str]] = {}
        names = sorted({g[0] for g in await admin.list_consumer_groups()})
        for name in names:
            read = _subscriptions(await _describe(admin, name)).get(name)
            if not read:
                tps = [TopicPartition(t, p) for t in sorted(topics) for p in partitions[t]]
                offsets = await admin.list_consumer_group_offsets(name, partitions=tps)
                read = {tp.topic for tp, meta in offsets.items() if meta.offset >= 0}
            groups[name] = frozenset(read)
    finally:
        await admin.close()
    messages = await _sample(bootstrap, partitions, sample) if sample > 0 else ()
    return Broker(topics, groups, tuple(messages))


async def _partitions(admin: Any, topics: list[str]) -> dict[str, list[int]]:
    if not topics:
        return {}
    out: dict[str, list[int]] = {}
    for topic in await admin.describe_topics(topics):
        out[topic["topic"]] = sorted(p["partition"] for p in topic.get("partitions", ()))
    return out


async def _describe(admin: Any, group: str) -> list[Any]:
    """One group per request: tansu answers a request for several with a frame aiokafka
    cannot decode. A group that cannot be described is read from its offsets."""
    try:
        return list(await admin.describe_consumer_groups([group]))
    except Exception:  # the broker's or aiokafka's: the offsets still tell
        return []


def _subscriptions(described: list[Any]) -> dict[str, set[str]]:
    """Group -> the topics its members subscribe to, from their consumer protocol metadata."""
    out: dict[str, set[str]] = {}
    for response in described:
        for group in getattr(response, "groups", ()):
            _error, name, _state, protocol_type, _protocol, members = group[:6]
            if protocol_type != "consumer":
                continue
            for member in members:
                out.setdefault(name, set()).update(member_topics(member[-2]))
    return out


def member_topics(metadata: bytes) -> list[str]:
    """Topics of a ConsumerProtocolMemberMetadata: int16 version, int32 count, strings."""
    try:
        _version, count = struct.unpack_from(">hi", metadata, 0)
        at, topics = 6, []
        for _ in range(max(count, 0)):
            (size,) = struct.unpack_from(">h", metadata, at)
            topics.append(metadata[at + 2:at + 2 + size].decode())
            at += 2 + size
        return topics
    except (struct.error, UnicodeDecodeError):
        return []


async def _sample(bootstrap: str, partitions: dict[str, list[int]], sample: int
                  ) -> list[Message]:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    tps = [TopicPartition(t, p) for t, ps in sorted(partitions.items()) for p in ps]
    if not tps:
        return []
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                request_timeout_ms=REQUEST_TIMEOUT_MS)
    await consumer.start()
    out: list[Message] = []
    try:
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        starts = await consumer.beginning_offsets(tps)
        todo = {tp for tp in tps if ends[tp] > starts[tp]}
        for tp in todo:
            consumer.seek(tp, max(starts[tp], ends[tp] - sample))
        deadline = asyncio.get_running_loop().time() + FETCH_BUDGET_S
        while todo and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(*todo, timeout_ms=500)
            for tp, records in batch.items():
                out.extend(_message(r) for r in records if r.offset < ends[tp])
            todo = {tp for tp in todo if await consumer.position(tp) < ends[tp]}
    finally:
        await consumer.stop()
    return out


def _message(record: Any) -> Message:
    headers = {k: v.decode(errors="replace") for k, v in (record.headers or ())
               if isinstance(v, bytes)}
    try:
        body, decoded = json.loads(record.value or b""), True
    except ValueError:
        body, decoded = (record.value or b"").decode(errors="replace"), False
    return Message(record.topic, record.partition, record.offset, headers.get("ce_type"),
                   headers.get("ce_source"), body, decoded)

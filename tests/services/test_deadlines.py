"""End to end: a reaction's deadline (`within`, `on_timeout`), on real parts.

tests/services/deadline/catalog.yaml: kitchen-service opens a ticket on order.placed
and must see it accepted within 3 s, else it emits ticket.expired. Each test runs on
both stores that keep timers: the relational one (a row of its PostgreSQL database)
and the key-value one (a member of a sorted set in Valkey), so the timer fires after
the service was killed and started again; its events are read by an independent
consumer (no group).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.helpers import read_events
from tests.services.conftest import Broker, System, create_database, create_topics, stop
from tests.services.test_flow import poll

CATALOG = Path(__file__).parent / "deadline" / "catalog.yaml"
SERVICE = "kitchen-service"
WITHIN_S = 3.0

pytestmark = pytest.mark.slow


RELATIONAL = "{type: relational, technology: postgresql, name: kitchen-db, tables: [tickets]}"
KEY_VALUE = "{type: key-value, technology: redis, name: kitchen-cache}"
KITCHEN_DB = 5  # the Valkey database of these tests: no other service's keys


@pytest.fixture(scope="module", params=["relational", "key-value"])
def kitchen(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            broker: Broker) -> Iterator[System]:
    out = tmp_path_factory.mktemp(f"kitchen-{request.param}")
    catalog = out / "catalog.yaml"
    text = CATALOG.read_text(encoding="utf-8")
    assert RELATIONAL in text
    if request.param == "key-value":
        valkey: str = request.getfixturevalue("valkey")
        text = text.replace(RELATIONAL, KEY_VALUE)
        urls = {"REDIS_URL": valkey.rsplit("/", 1)[0] + f"/{KITCHEN_DB}"}
    else:
        postgres: Path = request.getfixturevalue("postgres")
        urls = {"DATABASE_URL": create_database(postgres, "kitchen")}
    catalog.write_text(text, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "archgen", "generate", str(catalog), "-o", str(out),
                    "--only", "services,asyncapi"], check=True, capture_output=True, timeout=300)
    asyncapi = yaml.safe_load((out / "asyncapi.yaml").read_text())
    asyncio.run(create_topics(broker.bootstrap, asyncapi))
    found = System(out, broker, {SERVICE: urls})
    try:
        found.start(SERVICE)
        yield found
    finally:
        found.stop_all()


def _place(bootstrap: str, order_id: str) -> None:
    from aiokafka import AIOKafkaProducer

    async def run() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
        await producer.start()
        try:
            headers = [("ce_specversion", b"1.0"), ("ce_id", str(uuid.uuid4()).encode()),
                       ("ce_source", b"/kitchen/order-service"), ("ce_type", b"order.placed"),
                       ("content-type", b"application/json")]
            await producer.send_and_wait("orders", json.dumps({"order_id": order_id}).encode(),
                                         key=order_id.encode(), headers=headers)
        finally:
            await producer.stop()

    asyncio.run(run())


def _ticket(kitchen: System, order_id: str) -> dict[str, Any] | None:
    got = httpx.get(f"{kitchen.url(SERVICE)}/api/v1/tickets/{order_id}", timeout=10)
    return dict(got.json()) if got.status_code == 200 else None


def _expired(kitchen: System, order_id: str) -> list[Any]:
    events = read_events(kitchen.broker.bootstrap, ["tickets"], until=1000)
    return [m for m in events if json.loads(m.value)["order_id"] == order_id]


def test_a_timer_set_before_a_restart_fires_after_it(kitchen: System) -> None:
    order_id = str(uuid.uuid4())
    _place(kitchen.broker.bootstrap, order_id)
    opened = poll(lambda: _ticket(kitchen, order_id), timeout=30)
    set_at = time.monotonic()
    assert opened["status"] == "waiting"
    kitchen.kill(SERVICE)  # SIGKILL: nothing in memory survives; the stored timer does
    time.sleep(max(0.0, WITHIN_S + 0.5 - (time.monotonic() - set_at)))
    kitchen.start(SERVICE)
    [event] = poll(lambda: _expired(kitchen, order_id), timeout=30)
    headers = {k: bytes(v).decode() for k, v in event.headers}
    assert headers["ce_type"] == "ticket.expired"
    assert json.loads(event.value) == {"order_id": order_id}
    assert time.monotonic() - set_at >= WITHIN_S


def test_an_accepted_ticket_does_not_expire(kitchen: System) -> None:
    order_id = str(uuid.uuid4())
    _place(kitchen.broker.bootstrap, order_id)
    poll(lambda: _ticket(kitchen, order_id), timeout=30)
    accepted = httpx.put(f"{kitchen.url(SERVICE)}/api/v1/tickets/{order_id}/status",
                         json={"status": "accepted"}, timeout=10)
    assert accepted.status_code == 200, accepted.text
    time.sleep(WITHIN_S + 2.5)  # past the deadline and a poll of the timers
    assert _expired(kitchen, order_id) == []


def test_two_replicas_fire_each_timer_once(kitchen: System) -> None:
    """Both replicas poll the one store's timers; each timer goes to one of them (the
    relational store: FOR UPDATE SKIP LOCKED; the key-value store: whose ZREM takes it)."""
    replica, _ = kitchen.start_replica(SERVICE)
    try:
        orders = [str(uuid.uuid4()) for _ in range(6)]
        for order_id in orders:
            _place(kitchen.broker.bootstrap, order_id)
        for order_id in orders:
            poll(lambda o=order_id: _ticket(kitchen, o), timeout=30)
        time.sleep(WITHIN_S + 2.5)
        for order_id in orders:
            assert len(poll(lambda o=order_id: _expired(kitchen, o), timeout=30)) == 1
    finally:
        stop(replica)

"""End to end, when things fail: a killed consumer, a poison message, a callee that is down,
a broker that is down between a state change and its publication (the outbox).

The parts are the session's (conftest.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx
import pytest

from tests.services.conftest import System, free_port, spawn, stop, wait_port
from tests.services.test_flow import new_order, poll, read_events

pytestmark = pytest.mark.slow


def test_consumer_killed_mid_stream_loses_nothing_and_absorbs_duplicates(system: System) -> None:
    order_url = system.url("order-service")
    ids = []
    for i in range(12):
        if i == 4:
            system.kill("payment-service")
        ids.append(httpx.post(order_url + "/api/v1/orders", json=new_order(str(uuid.uuid4())),
                              timeout=10).json()["id"])
    system.start("payment-service")  # same consumer group: resumes at the committed offset

    def all_shipped() -> bool:
        return all(httpx.get(f"{order_url}/api/v1/orders/{i}", timeout=5).json()["status"]
                   == "shipped" for i in ids)

    poll(all_shipped, timeout=60)
    payment_ids: dict[str, set[str]] = defaultdict(set)
    for m in read_events(system.broker.bootstrap, ["payments"], 100_000, timeout=2):
        if m.key and m.key.decode() in ids:
            payment_ids[m.key.decode()].add(json.loads(m.value)["payment_id"])
    assert set(payment_ids) == set(ids)
    assert all(len(p) == 1 for p in payment_ids.values()), payment_ids  # one payment each


def test_poison_message_lands_in_the_dead_letter_topic_after_the_retries(system: System) -> None:
    from aiokafka import AIOKafkaProducer

    event_id = str(uuid.uuid4())

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=system.broker.bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait("orders", b'{"order_id": "not-a-uuid"}', key=b"poison",
                                         headers=[("ce_type", b"order.created"),
                                                  ("ce_id", event_id.encode()),
                                                  ("ce_specversion", b"1.0")])
        finally:
            await producer.stop()

    asyncio.run(send())

    def dead() -> list[object]:
        return [m for m in read_events(system.broker.bootstrap, ["orders.dlq"], 100, timeout=1)
                if dict(m.headers).get("ce_id") == event_id.encode()]

    letters = poll(dead, timeout=60)
    assert b"validation error" in dict(letters[0].headers)["archgen_error"]
    metrics = httpx.get(system.url("payment-service") + "/metrics", timeout=5).text
    assert 'events_handled_total{event="order.created",outcome="dead-letter"}' in metrics


HANDLER = '''
async def get_v1_orders_by_id(runtime, id):
    """Enrich the order with its customer (a team's handler calling an upstream)."""
    return await runtime.clients["customer-service"].get_v1_customers_by_id(id)
'''


def test_a_callee_that_is_down_opens_the_breaker_and_the_caller_answers_a_problem(
        system: System, tmp_path: Path) -> None:
    service = system.out / "services" / "order-service"
    handlers = service / "src" / "order_service" / "handlers.py"
    original = handlers.read_text()
    handlers.write_text(original + HANDLER)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": "src", "LOG_LEVEL": "ERROR",
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/o.db",
           "CUSTOMER_SERVICE_URL": f"http://127.0.0.1:{free_port()}"}  # nothing listens
    proc = spawn([sys.executable, "-m", "uvicorn", "order_service.app:app", "--port", str(port)],
                 cwd=service, env=env)
    try:
        wait_port(port, 60)
        answers = []
        for _ in range(8):  # failure_threshold is 5 (communication.sync.circuit_breaker)
            started = time.monotonic()
            r = httpx.get(f"http://127.0.0.1:{port}/api/v1/orders/{uuid.uuid4()}", timeout=5)
            answers.append((r.status_code, r.headers["content-type"], r.json()["detail"],
                            time.monotonic() - started))
    finally:
        stop(proc)
        handlers.write_text(original)
    assert all(a[:2] == (503, "application/problem+json") for a in answers), answers
    assert "circuit open" in answers[-1][2], answers  # later calls fail fast, no network


def test_outbox_publishes_once_the_broker_returns(system: System) -> None:
    """The broker is frozen (SIGSTOP) between the state change and its publication.

    Frozen rather than killed: tansu keeps topics in memory only, and a restarted
    one would take the relay's retry before the topics exist again.
    """
    order_url = system.url("order-service")
    os.killpg(system.broker.proc.pid, signal.SIGSTOP)
    try:
        created = httpx.post(order_url + "/api/v1/orders", json=new_order(str(uuid.uuid4())),
                             timeout=10)
        assert created.status_code == 201  # the state change does not wait for the broker
        time.sleep(2)  # the relay tries, fails and keeps the event in the outbox
    finally:
        os.killpg(system.broker.proc.pid, signal.SIGCONT)
    order_id = created.json()["id"]

    def confirmed() -> bool:  # order.created went out, the flow went on
        got = httpx.get(f"{order_url}/api/v1/orders/{order_id}", timeout=5).json()
        return bool(got["status"] in ("confirmed", "shipped"))

    assert poll(confirmed, timeout=90)

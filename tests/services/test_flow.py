"""End to end: the e-commerce blueprint's services, generated and run on real parts.

tansu (Kafka protocol), PostgreSQL and Valkey are real servers (conftest.py). No
MongoDB server can run here: the document stores (notification-service) use
mongomock-motor, the same async API in-process (MONGODB_URL=mongomock://).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from tests.services.conftest import System

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = ROOT / "blueprints" / "ecommerce" / "catalog.yaml"
FLOW = ("order-service", "payment-service", "shipping-service", "notification-service")

pytestmark = pytest.mark.slow


def read_events(bootstrap: str, topics: list[str], until: int, timeout: float = 30) -> list[Any]:
    """Every message on `topics` (independent consumer, no group), up to `until` of them."""
    from aiokafka import AIOKafkaConsumer

    async def run() -> list[Any]:
        consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap,
                                    auto_offset_reset="earliest", fetch_max_wait_ms=10)
        await consumer.start()
        got: list[Any] = []
        deadline = time.monotonic() + timeout
        try:
            while len(got) < until and time.monotonic() < deadline:
                for msgs in (await consumer.getmany(timeout_ms=200)).values():
                    got.extend(msgs)
        finally:
            await consumer.stop()
        return got

    return asyncio.run(run())


def poll(fn: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.02)
    raise TimeoutError("condition not met")


def new_order(customer: str) -> dict[str, Any]:
    return {"customer_id": customer, "items": [{"sku": "sku-1", "quantity": 2,
                                                "unit_price": "9.50"}]}


def test_order_flow_runs_by_itself_and_every_event_fits_the_asyncapi(system: System) -> None:
    customer = str(uuid.uuid4())
    order_url = system.url("order-service")
    created = httpx.post(order_url + "/api/v1/orders", json=new_order(customer), timeout=10)
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["status"] == "pending"

    def shipped() -> bool:
        got = httpx.get(f"{order_url}/api/v1/orders/{order['id']}", timeout=5).json()
        return bool(got["status"] == "shipped")

    poll(shipped)
    notifications = poll(lambda: httpx.get(
        f"{system.url('notification-service')}/api/v1/notifications/customer/{customer}",
        timeout=5).json())
    assert notifications[0]["template"] == "order-shipped"
    listed = httpx.get(f"{order_url}/api/v1/orders/customer/{customer}", timeout=5).json()
    assert [o["id"] for o in listed] == [order["id"]]

    asyncapi = yaml.safe_load((system.out / "asyncapi.yaml").read_text())
    messages = [m for m in read_events(system.broker.bootstrap,
                                       ["orders", "payments", "shipments"], 200, timeout=3)
                if m.key and m.key.decode() == order["id"]]
    kinds = sorted(dict(m.headers)["ce_type"].decode() for m in messages)
    assert kinds == ["order.confirmed", "order.created", "order.shipped", "payment.completed",
                     "shipment.dispatched"]
    for m in messages:
        check_against_asyncapi(asyncapi, m)


def check_against_asyncapi(asyncapi: dict[str, Any], message: Any) -> None:
    headers = {k: v.decode() for k, v in message.headers}
    spec = asyncapi["components"]["messages"][headers["ce_type"]]
    envelope = asyncapi["components"]["schemas"]["CloudEventHeaders"]
    jsonschema.validate(headers, envelope)
    for name, schema in spec["headers"]["properties"].items():
        jsonschema.validate(headers[name], schema)
    payload_schema = {**spec["payload"], "components": asyncapi["components"]}
    payload = json.loads(message.value)
    resolver_doc = {"components": asyncapi["components"], **payload_schema}
    jsonschema.validate(payload, _rewrite_refs(resolver_doc))
    assert message.key.decode() == str(payload[asyncapi["channels"][message.topic]
                                               ["x-archgen-partition-key"]])


def _rewrite_refs(schema: Any) -> Any:
    return schema  # refs are '#/components/schemas/...', resolvable inside `resolver_doc`


def test_post_to_consumer_handled_latency(system: System, capsys: pytest.CaptureFixture[str]
                                          ) -> None:
    """POST order -> payment-service handled order.created (its payment.completed's ce_time)."""
    order_url = system.url("order-service")
    sent: dict[str, float] = {}
    for _ in range(30):
        t0 = time.time()
        order = httpx.post(order_url + "/api/v1/orders", json=new_order(str(uuid.uuid4())),
                           timeout=10).json()
        sent[order["id"]] = t0
        time.sleep(0.02)
    handled: dict[str, float] = {}

    def collect() -> bool:
        for m in read_events(system.broker.bootstrap, ["payments"], 10_000, timeout=1):
            if m.key and m.key.decode() in sent:
                ce_time = dict(m.headers)["ce_time"].decode()
                handled[m.key.decode()] = datetime.fromisoformat(ce_time).timestamp()
        return len(handled) == len(sent)

    poll(collect, timeout=60)
    latencies = sorted((handled[k] - sent[k]) * 1000 for k in sent)
    median = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    with capsys.disabled():
        print(f"\nPOST -> consumer handled: median {median:.1f} ms, p99 {p99:.1f} ms "
              f"({len(latencies)} orders)")
    assert all(lat > 0 for lat in latencies)

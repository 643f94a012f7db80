"""End to end: the e-commerce blueprint's services, generated and run on real parts.

tansu (Kafka protocol), PostgreSQL and Valkey are real servers (conftest.py). No
MongoDB server can run here: the document stores (notification-service) use
mongomock-motor, the same async API in-process (MONGODB_URL=mongomock://).
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from tests.helpers import read_events
from tests.services.conftest import System

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = ROOT / "blueprints" / "ecommerce" / "catalog.yaml"
FLOW = ("order-service", "payment-service", "shipping-service", "notification-service")

pytestmark = pytest.mark.slow


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

    def of_this_order() -> list[Any]:
        """Its five events, once all are on the topics (order.shipped leaves through the
        outbox after the status is read as shipped); else [], and poll reads again."""
        found = read_events(system.broker.bootstrap, ["orders", "payments", "shipments"], 6,
                            keep=lambda m: bool(m.key) and m.key.decode() == order["id"])
        return found if len(found) >= 5 else []

    messages = poll(of_this_order)
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
    answered: dict[str, float] = {}
    http = httpx.Client(timeout=10)  # one connection: a new client per call costs ~100 ms
    for _ in range(30):
        t0 = time.time()
        order = http.post(order_url + "/api/v1/orders", json=new_order(str(uuid.uuid4()))).json()
        sent[order["id"]] = t0
        answered[order["id"]] = time.time()
        time.sleep(0.02)
    http.close()
    handled: dict[str, float] = {}
    published: dict[str, float] = {}  # the broker's timestamp of order.created

    def collect() -> bool:
        for m in read_events(system.broker.bootstrap, ["payments", "orders"], 10_000):
            key = m.key.decode() if m.key else ""
            ce_type = dict(m.headers).get("ce_type")
            if key in sent and ce_type == b"payment.completed":
                ce_time = dict(m.headers)["ce_time"].decode()
                handled[key] = datetime.fromisoformat(ce_time).timestamp()
            elif key in sent and ce_type == b"order.created":
                published[key] = m.timestamp / 1000
        return len(handled) == len(sent) == len(published)

    poll(collect, timeout=60)
    with capsys.disabled():
        print()
        for label, start, end in (("POST -> consumer handled", sent, handled),
                                  ("  POST answered", sent, answered),
                                  ("  POST -> published (outbox relay)", sent, published),
                                  ("  published -> handled (consumer)", published, handled)):
            spans = sorted((end[k] - start[k]) * 1000 for k in sent)
            p99 = spans[min(len(spans) - 1, int(len(spans) * 0.99))]
            print(f"{label}: median {statistics.median(spans):.1f} ms, p99 {p99:.1f} ms "
                  f"({len(spans)} orders)")
    assert all(handled[k] > sent[k] for k in sent)


def test_schemathesis_finds_no_5xx_and_no_response_that_breaks_the_schema(
        system: System, tmp_path: Path) -> None:
    """Property-based requests against order-service's own OpenAPI document (as served)."""
    base = system.url("order-service")
    done = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", f"{base}/openapi.json", "--url", base,
         "--max-examples", "20", "--workers", "1", "--seed", "1",
         "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,"
                     "content_type_conformance"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-4000:]


def test_key_value_service_persists_in_valkey(system: System) -> None:
    """inventory-service keeps stock levels in the session's real Valkey (REDIS_URL)."""
    system.start("inventory-service")
    base = system.url("inventory-service") + "/api/v1/inventory"
    level = {"sku": "sku-42", "available": 7, "reserved": 1}
    assert httpx.put(f"{base}/sku-42", json=level, timeout=5).json() == level
    system.kill("inventory-service")
    system.start("inventory-service")  # state outlives the process: it is in Valkey
    assert httpx.get(f"{base}/sku-42", timeout=5).json() == level
    missing = httpx.get(f"{base}/no-such-sku", timeout=5)
    assert (missing.status_code, missing.headers["content-type"]) == (
        404, "application/problem+json")


def test_each_service_logs_one_line_per_event_it_handles(system: System) -> None:
    """The saga is visible in the services' logs: topic, event id, outcome and time."""
    order_url = system.url("order-service")
    order = httpx.post(order_url + "/api/v1/orders", json=new_order(str(uuid.uuid4())),
                       timeout=10).json()
    poll(lambda: httpx.get(f"{order_url}/api/v1/orders/{order['id']}", timeout=5).json()
         ["status"] == "shipped")
    created = next(m for m in read_events(system.broker.bootstrap, ["orders"], 100_000)
                   if m.key and m.key.decode() == order["id"]
                   and dict(m.headers)["ce_type"] == b"order.created")
    event_id = dict(created.headers)["ce_id"].decode()

    def lines() -> list[str]:
        log = (system.out / "payment-service.log").read_text()
        return [json.loads(line)["message"] for line in log.splitlines()
                if line.startswith("{") and event_id in line]

    found = poll(lines, timeout=10)
    assert len(found) == 1, found
    assert re.fullmatch(rf"orders order\.created {event_id}: ok in \d+\.\d ms", found[0]), found

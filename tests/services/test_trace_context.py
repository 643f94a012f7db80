"""Trace context across Kafka, on the blueprint's generated services and real parts (tansu,
PostgreSQL): a POST to order-service and the reactions it sets off in payment-service and
back are one trace. The services export OTLP/HTTP to a receiver started here that decodes
with the dashboard's own decoder."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from archgen.runtime.dashboard import otlp
from tests.helpers import read_events
from tests.services.conftest import Broker, System, create_database, own_broker
from tests.services.test_flow import check_against_asyncapi, new_order, poll

pytestmark = pytest.mark.slow
SERVICES = ("order-service", "payment-service")


class Receiver:
    """An OTLP/HTTP trace receiver on 127.0.0.1: every span it was sent."""

    def __init__(self) -> None:
        self.spans: list[dict[str, Any]] = []
        received = self.spans

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                received.extend(otlp.decode(body, self.headers["content-type"]))
                answer = otlp.empty_response()
                self.send_response(200)
                self.send_header("content-type", otlp.PROTOBUF)
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def trace(self, trace_id: str) -> list[dict[str, Any]]:
        return [s for s in list(self.spans) if s["trace_id"] == trace_id]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def traced(shop: Path, postgres: Path) -> Iterator[tuple[System, Receiver]]:
    """order-service and payment-service with their own databases and their own broker,
    exporting traces. (On the session's broker, the other systems' services also react
    to these events, recording no spans, and their answers race this system's.)"""
    with own_broker() as broker:
        yield from _traced(shop, broker, postgres)


def _traced(shop: Path, broker: Broker, postgres: Path) -> Iterator[tuple[System, Receiver]]:
    receiver = Receiver()
    export = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url, "OTEL_BSP_SCHEDULE_DELAY": "100",
              "OTEL_PYTHON_FASTAPI_EXCLUDED_URLS": "health/,metrics"}
    run = uuid.uuid4().hex[:6]
    urls = {s: {"DATABASE_URL": create_database(postgres, f"traced_{run}_{s.replace('-', '_')}"),
                **export} for s in SERVICES}
    found = System(shop, broker, urls)
    try:
        for service in SERVICES:
            found.start(service)
        yield found, receiver
    finally:
        found.stop_all()
        receiver.close()


def _by_id(spans: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["span_id"]: s for s in spans}


def _chain(span: dict[str, Any], spans: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """`span` and its ancestors, up to the root (as far as they were received)."""
    chain = [span]
    while chain[-1]["parent_span_id"] in spans:
        chain.append(spans[chain[-1]["parent_span_id"]])
    return chain


def test_a_post_and_its_reactions_in_another_service_are_one_trace(
        traced: tuple[System, Receiver]) -> None:
    system, receiver = traced
    created = httpx.post(system.url("order-service") + "/api/v1/orders",
                         json=new_order(str(uuid.uuid4())), timeout=10)
    assert created.status_code == 201, created.text
    order_id = created.json()["id"]
    request = poll(lambda: next((s for s in list(receiver.spans)
                                 if s["service"] == "order-service" and s["kind"] == "server"
                                 and s["name"] == "POST /api/v1/orders"), None))
    trace_id = request["trace_id"]

    def back_through_payment(spans: list[dict[str, Any]]) -> dict[str, Any] | None:
        """order-service's handling of a payment.completed that payment-service sent."""
        index = _by_id(spans)
        return next((s for s in spans if s["service"] == "order-service"
                     and s["kind"] == "consumer"
                     and s["attributes"].get("cloudevents.event_type") == "payment.completed"
                     and any(c["service"] == "payment-service" and c["kind"] == "producer"
                             for c in _chain(s, index))), None)

    def handled_back() -> list[dict[str, Any]] | None:
        spans = receiver.trace(trace_id)
        return spans if back_through_payment(spans) is not None else None

    # Two consumer groups join and two hops run: minutes under a loaded CI, seconds here.
    try:
        spans = poll(handled_back, timeout=120)
    except TimeoutError:
        seen = sorted({(s["service"], s["kind"], s["name"]) for s in receiver.trace(trace_id)})
        pytest.fail(f"the trace did not come back through both services: {seen}")
    index = _by_id(spans)
    back = back_through_payment(spans)
    assert back is not None
    chain = _chain(back, index)
    # order-service handled it as the child of payment-service's send, itself a child of
    # payment-service's handling of order.created, a child of order-service's send, a
    # child of the POST's own span: one trace, parent by parent.
    payment = next(s for s in chain if s["service"] == "payment-service"
                   and s["kind"] == "consumer")
    assert payment["name"] == "process orders"
    assert payment["attributes"]["messaging.system"] == "kafka"
    assert payment["attributes"]["cloudevents.event_type"] == "order.created"
    sender = chain[chain.index(payment) + 1]
    assert sender["service"] == "order-service" and sender["kind"] == "producer"
    assert sender["name"] == "send orders"
    assert request in chain[chain.index(sender):]
    assert all(s["status"] != "error" for s in spans), spans

    # The event on the broker carries the trace in its W3C traceparent header.
    [event] = [m for m in read_events(system.broker.bootstrap, ["orders"], 100_000)
               if order_id.encode() in m.value and dict(m.headers)["ce_type"] == b"order.created"]
    check_against_asyncapi(yaml.safe_load((system.out / "asyncapi.yaml").read_text()), event)
    traceparent = dict(event.headers)["traceparent"].decode()
    assert traceparent.split("-")[1] == trace_id
    assert traceparent.split("-")[2] == sender["span_id"]


def test_an_event_without_a_trace_starts_one(traced: tuple[System, Receiver]) -> None:
    """An event sent with no traceparent (a team's script, say): its handling is the root
    of a new trace, not a child of whatever ran before it."""
    import asyncio
    import json

    from aiokafka import AIOKafkaProducer

    order_id = str(uuid.uuid4())
    body = json.dumps({**new_order(str(uuid.uuid4())), "order_id": order_id,
                       "total": "19.00"}).encode()

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=traced[0].broker.bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait("orders", body, key=order_id.encode(), headers=[
                ("ce_specversion", b"1.0"), ("ce_id", str(uuid.uuid4()).encode()),
                ("ce_type", b"order.created"), ("ce_source", b"/test/script"),
                ("ce_time", b"2026-01-01T00:00:00Z"), ("content-type", b"application/json")])
        finally:
            await producer.stop()

    asyncio.run(send())
    _, receiver = traced
    handled = poll(lambda: next((s for s in list(receiver.spans) if s["kind"] == "consumer"
                                 and s["attributes"].get("messaging.kafka.message.key")
                                 == order_id), None))
    assert handled["service"] == "payment-service"
    assert handled["parent_span_id"] == ""
    # what its reaction publishes goes on in that new trace
    sent = poll(lambda: next((s for s in receiver.trace(handled["trace_id"])
                              if s["kind"] == "producer"), None))
    assert sent["service"] == "payment-service" and sent["name"] == "send payments"

"""The kit's trace context across the broker, in a process of its own per case (a process
has one global tracer provider): with spans recorded (the OpenTelemetry SDK, exporting to
memory) and without (no OTLP endpoint: the context passes on unchanged). The real broker
and services are in tests/services/test_trace_context.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
SENDER = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE}-{SENDER}-01"

CASE = '''
import json, sys
from dataclasses import dataclass
from archgen_service_kit import tracing
from archgen_service_kit.storage import Message

@dataclass
class Record:  # what aiokafka hands the consumer: topic, partition, offset, key, headers
    topic: str
    partition: int
    offset: int
    key: bytes | None
    headers: list

memory = None
if sys.argv[1] == "recording":
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    trace.set_tracer_provider(provider)

headers = [("ce_type", b"order.created"), ("ce_id", b"e-1"), ("traceparent", TRACEPARENT)]
out = {}
with tracing.consuming(Record("orders", 2, 7, b"k-1", headers)):
    out["published_with"] = dict(tracing.context_headers())
    tracing.outcome("dead-letter", "handler failed")
with tracing.consuming(Record("orders", 0, 8, None, [("traceparent", None)])):
    out["unreadable_gives"] = dict(tracing.context_headers())
stored = Message("orders", b"k-1", b"{}", (("ce_id", b"e-2"), ("traceparent", TRACEPARENT)))
span, sent = tracing.sending(stored)
tracing.sent(span, RuntimeError("broker down"))
out["sent_is_stored"] = sent is stored
out["sent_headers"] = [[k, v.decode()] for k, v in sent.headers]
out["spans"] = [{"name": s.name, "kind": s.kind.name,
                 "trace_id": format(s.context.trace_id, "032x"),
                 "span_id": format(s.context.span_id, "016x"),
                 "parent": format(s.parent.span_id, "016x") if s.parent else "",
                 "status": s.status.status_code.name, "attributes": dict(s.attributes)}
                for s in (memory.get_finished_spans() if memory else ())]
print(json.dumps(out))
'''.replace("TRACEPARENT", repr(TRACEPARENT.encode()))


def _run(kit_src: Path, case: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(kit_src)}
    done = subprocess.run([sys.executable, "-c", CASE, case], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout))


def test_a_consumer_span_is_the_child_of_the_sender_and_a_send_the_child_of_the_store(
        kit_src: Path) -> None:
    out = _run(kit_src, "recording")
    consumed, unreadable, send = out["spans"]
    assert consumed["name"] == "process orders" and consumed["kind"] == "CONSUMER"
    assert (consumed["trace_id"], consumed["parent"]) == (TRACE, SENDER)
    assert consumed["attributes"] == {
        "messaging.system": "kafka", "messaging.operation.type": "process",
        "messaging.destination.name": "orders", "messaging.destination.partition.id": "2",
        "messaging.kafka.offset": 7, "cloudevents.event_type": "order.created",
        "cloudevents.event_id": "e-1", "messaging.kafka.message.key": "k-1",
        "archgen.outcome": "dead-letter"}
    assert consumed["status"] == "ERROR"
    # what the handling publishes is the consumer span's child
    assert out["published_with"]["traceparent"] == f"00-{TRACE}-{consumed['span_id']}-01"
    # a traceparent without a value: a trace of its own, not a failure
    assert unreadable["trace_id"] != TRACE and unreadable["parent"] == ""
    assert out["unreadable_gives"]["traceparent"].split("-")[1] == unreadable["trace_id"]
    # the relay's send: a producer span under the stored context, sent as the parent
    assert send["name"] == "send orders" and send["kind"] == "PRODUCER"
    assert (send["trace_id"], send["parent"], send["status"]) == (TRACE, SENDER, "ERROR")
    assert out["sent_headers"] == [["ce_id", "e-2"],
                                   ["traceparent", f"00-{TRACE}-{send['span_id']}-01"]]


def test_without_spans_recorded_the_context_passes_on_unchanged(kit_src: Path) -> None:
    out = _run(kit_src, "off")
    assert out["spans"] == []
    assert out["published_with"] == {"traceparent": TRACEPARENT}
    assert out["unreadable_gives"] == {}
    assert out["sent_is_stored"] is True


APP_CASE = '''
import json
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

memory = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(memory))
trace.set_tracer_provider(provider)  # set by some library of the service, not by the kit

import archgen_service_kit as kit
import archgen_service_kit.app, archgen_service_kit.stores.memory
from fastapi.testclient import TestClient
from tests.kit.test_runtime import Settings, _definition, _spec

definition = _definition(kit, _spec(kit, "order-service", True), kit.stores.memory.BACKEND)
with TestClient(kit.app.create_app(definition, Settings())) as client:
    status = client.get("/orders/x").status_code
print(json.dumps({"status": status, "spans": [s.name for s in memory.get_finished_spans()]}))
'''


def test_the_app_makes_no_spans_of_its_own_without_an_otlp_endpoint(kit_src: Path) -> None:
    """Tracing is the kit's (OTEL_EXPORTER_OTLP_ENDPOINT): a newer FastAPI's own telemetry,
    which traces whenever a global tracer provider is set, stays off."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(kit_src), str(root)))}
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", APP_CASE], env=env, cwd=root,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout) == {"status": 404, "spans": []}

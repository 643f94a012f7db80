"""The dashboard's buffers keep their fixed size however much comes in (ten times the
bound here), and keep the newest."""

from __future__ import annotations

from opentelemetry.exporter.otlp.proto.common._internal.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from archgen.runtime.dashboard import otlp
from archgen.runtime.dashboard.rings import (
    MAX_LINE_CHARS,
    LogRing,
    TopicRing,
    TraceStore,
    level_of,
    message,
)


def test_log_ring_keeps_the_last_lines_of_each_part_only() -> None:
    ring = LogRing(per_part=50)
    for i in range(500):  # 10x the bound, for each of three parts
        for part in ("a", "b", "c"):
            ring.add(part, f"{part} line {i}")
    assert ring.size() == 150
    assert [len(r) for r in ring.parts.values()] == [50, 50, 50]
    assert ring.lines(part="b", limit=1)[0].text == "b line 499"
    assert ring.lines(part="b")[0].text == "b line 450"


def test_a_long_line_is_cut_to_the_bound() -> None:
    ring = LogRing()
    ring.add("a", "x" * (MAX_LINE_CHARS * 10))
    assert len(ring.lines()[0].text) == MAX_LINE_CHARS + 1  # and the ellipsis


def test_log_lines_filter_by_level_text_and_cursor() -> None:
    ring = LogRing()
    ring.add("svc", '{"level": "ERROR", "message": "boom"}')
    ring.add("svc", "INFO: fine")
    ring.add("db", "2026 LOG: WARNING: slow")
    assert [ln.part for ln in ring.lines(level="warning")] == ["svc", "db"]
    assert [ln.text for ln in ring.lines(text="FINE")] == ["INFO: fine"]
    first = ring.lines()[0].seq
    assert len(ring.lines(since=first)) == 2
    assert level_of("plain") == "info"


def _spans(count: int, traces: int) -> bytes:
    """A real OTLP protobuf export: `count` spans spread over `traces` traces, encoded by the
    OpenTelemetry SDK's own OTLP encoder."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "order-service"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    roots = [tracer.start_span(f"root {t}") for t in range(traces)]
    from opentelemetry.trace import set_span_in_context

    for i in range(count - traces):
        tracer.start_span(f"child {i}", context=set_span_in_context(roots[i % traces])).end()
    for root in roots:
        root.end()
    provider.shutdown()
    return bytes(encode_spans(exporter.get_finished_spans()).SerializeToString())


def test_trace_store_keeps_the_last_traces_and_spans_per_trace() -> None:
    store = TraceStore(max_traces=20, max_spans=10)
    store.add(otlp.decode(_spans(200, 200), otlp.PROTOBUF))  # 10x the traces
    assert len(store.traces) == 20
    assert store.span_count() == 20
    assert store.received == 200
    store = TraceStore(max_traces=20, max_spans=10)
    store.add(otlp.decode(_spans(100, 1), otlp.PROTOBUF))  # one trace, 10x its spans
    [trace] = store.traces.values()
    assert len(trace.spans) == 10
    assert trace.dropped == 90


def test_topic_ring_keeps_the_last_messages_of_each_topic() -> None:
    ring = TopicRing(per_topic=5)
    for i in range(50):
        ring.add(message("orders", 0, i, 0, b"k", b"v" * 10_000, [("ce_type", b"x")]))
    assert ring.size() == 5
    assert ring.seen["orders"] == 50
    assert [m.offset for m in ring.recent("orders")] == [49, 48, 47, 46, 45]
    assert len(ring.recent("orders")[0].value) < 10_000


def test_a_body_that_is_no_export_is_refused_in_one_line() -> None:
    import pytest

    with pytest.raises(otlp.OtlpError, match="not an OTLP trace export"):
        otlp.decode(b"\xff\xff\xff not protobuf", otlp.PROTOBUF)
    with pytest.raises(otlp.OtlpError, match="content type"):
        otlp.decode(b"", "text/plain")

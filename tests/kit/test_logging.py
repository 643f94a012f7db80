"""The kit's JSON log lines: logging's own time text, the current span's ids, and one
access line per request from the access middleware (its fields, probes at DEBUG)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry import trace


@pytest.fixture
def obs(kit_src: Path) -> Any:
    import archgen_service_kit.observability

    return archgen_service_kit.observability


@pytest.fixture
def lines(obs: Any) -> Iterator[io.StringIO]:
    """What the kit's formatter writes for the `access` logger, at INFO."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(obs.JsonFormatter("order-service"))
    logger = logging.getLogger("access")
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield out
    logger.removeHandler(handler)
    logger.setLevel(level)
    logger.propagate = propagate


def _record(created: float) -> logging.LogRecord:
    record = logging.LogRecord("access", logging.INFO, __file__, 1, "m", None, None)
    record.created, record.msecs = created, (created - int(created)) * 1000
    return record


def test_the_time_is_logging_s_default_text_also_across_seconds(obs: Any) -> None:
    ours, stdlib = obs.JsonFormatter("s"), logging.Formatter()
    for created in (1_700_000_000.004, 1_700_000_000.999, 1_700_000_001.0, 1_700_000_001.5,
                    1_700_000_000.25, 1_800_000_000.123):  # forwards, back, far ahead
        record = _record(created)
        assert ours.formatTime(record) == stdlib.formatTime(record)
    record = _record(1_700_000_000.5)
    assert ours.formatTime(record, "%H") == stdlib.formatTime(record, "%H")


def test_a_line_written_under_a_span_carries_its_ids(obs: Any, lines: io.StringIO) -> None:
    context = trace.SpanContext(int("4bf92f3577b34da6a3ce929d0e0e4736", 16),
                                int("00f067aa0ba902b7", 16), is_remote=False,
                                trace_flags=trace.TraceFlags(1))
    with trace.use_span(trace.NonRecordingSpan(context)):
        logging.getLogger("access").info("inside")
    logging.getLogger("access").info("outside")
    inside, outside = (json.loads(line) for line in lines.getvalue().splitlines())
    assert (inside["trace_id"], inside["span_id"]) == ("4bf92f3577b34da6a3ce929d0e0e4736",
                                                       "00f067aa0ba902b7")
    assert "trace_id" not in outside and outside["service"] == "order-service"


async def _serve(app: Any, path: str, headers: list[tuple[bytes, bytes]]) -> list[Any]:
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "headers": headers,
             "route": type("Route", (), {"path": path.replace("42", "{id}")})()}
    await app(scope, receive, send)
    return sent


async def _ok(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def test_one_access_line_per_request_and_probes_only_at_debug(
        obs: Any, lines: io.StringIO) -> None:
    app = obs.AccessMiddleware(_ok, obs.Metrics(), quiet=frozenset({"/health/live"}))
    sent = asyncio.run(_serve(app, "/api/v1/orders/42", [(b"x-request-id", b"req-1")]))
    asyncio.run(_serve(app, "/health/live", []))
    assert (b"x-request-id", b"req-1") in sent[0]["headers"]
    (line,) = (json.loads(text) for text in lines.getvalue().splitlines())
    assert line["message"].startswith("GET /api/v1/orders/{id} 200 ")
    assert (line["http_method"], line["http_route"], line["http_status"], line["request_id"],
            line["logger"], line["level"]) == (
        "GET", "/api/v1/orders/{id}", 200, "req-1", "access", "INFO")
    assert isinstance(line["duration_ms"], float)

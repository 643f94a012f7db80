"""The dashboard's bounded memory: its window is configurable and kept, and under steady
load of the e-commerce blueprint (bench/soak.py's run, the code path of
`python -m bench.soak`) the receiver never holds more than its window, the memory of
`archgen up` plateaus, the page keeps answering quickly and every part stays ready.

CI runs a short soak (SHORT_S of load); `pytest --soak` runs the 30 minutes."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from bench import soak
from tests.runtime.conftest import UpProcess
from tests.runtime.test_detach import _state, archgen

pytestmark = pytest.mark.slow
SHORT_S = 75.0
FULL_S = 30 * 60.0
RATE = 5.0  # orders per second: the 2-core machine carries the saga at it with room


def _stats(url: str) -> dict[str, object]:
    answer = httpx.get(f"{url}/api/stats", timeout=10)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_small_window_from_the_environment_and_the_command_line_is_kept(
        minimal_system: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from opentelemetry.exporter.otlp.proto.common._internal.trace_encoder import encode_spans
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    monkeypatch.setenv("ARCHGEN_DASHBOARD_TRACES", "7")
    # --detach: the option must reach the supervisor that runs in the background too
    started = archgen(minimal_system, "up", "catalog.yaml", "-o", "out", "--detach",
                      "--dashboard-log-lines", "3")
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        url = str(_state(minimal_system)["dashboard"])
        memory = InMemorySpanExporter()
        provider = TracerProvider(resource=Resource.create({"service.name": "load"}))
        provider.add_span_processor(SimpleSpanProcessor(memory))
        for i in range(40):
            provider.get_tracer("test").start_span(f"request {i}").end()
        body = encode_spans(memory.get_finished_spans()).SerializeToString()
        answer = httpx.post(f"{url}/v1/traces", content=body, timeout=30,
                            headers={"content-type": "application/x-protobuf"})
        assert answer.status_code == 200
        stats = _stats(url)
        assert stats["bounds"] == {"log_lines_per_part": 3, "max_traces": 7,
                                   "max_spans_per_trace": 500, "messages_per_topic": 50}
        assert stats["traces"] == 7 and stats["spans"] == 7
        assert stats["spans_received"] == 40
        traces = httpx.get(f"{url}/api/traces", timeout=10).json()
        assert [t["root"] for t in traces["traces"]] == [f"load: request {i}"
                                                         for i in range(39, 32, -1)]
        logs = httpx.get(f"{url}/api/logs", timeout=10).json()
        assert logs["per_part"] == 3
        per_part: dict[str, int] = {}
        for line in logs["lines"]:
            per_part[line["part"]] = per_part.get(line["part"], 0) + 1
        assert per_part and max(per_part.values()) <= 3, per_part
        assert max(line["seq"] for line in logs["lines"]) > 3  # more were logged than kept
    finally:
        stopped = archgen(minimal_system, "down", "-o", "out")
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr


def test_a_window_of_zero_is_refused_in_one_line(minimal_system: Path) -> None:
    up = UpProcess(minimal_system, "--dashboard-traces", "0")
    assert up.proc.wait(60) == 2
    said = up.output()
    assert "invalid value for '--dashboard-traces'" in said, said
    assert "greater than or equal to 1" in said
    assert "Traceback" not in said


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_the_dashboard_under_steady_load_stays_within_its_window(
        request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """A small window (50 traces, 200 lines per part) that the load fills many times over:
    every sample holds at most the window, RSS does not grow from the middle to the last
    third, every answer comes in under soak.ANSWER_LIMIT_S, the backlog drains, every part
    is ready (in the page too), and nothing else `soak.judge` checks failed."""
    full = bool(request.config.getoption("--soak"))
    report = soak.run(FULL_S if full else SHORT_S, RATE, 30.0 if full else 10.0, tmp_path,
                      ["--dashboard-traces=50", "--dashboard-log-lines=200"])
    soak.write(report, tmp_path)
    load = report.load_samples()
    assert len(load) >= 6, soak.markdown(report)
    assert report.bounds["max_traces"] == 50 and report.bounds["log_lines_per_part"] == 200
    assert max(s.held["traces"] for s in report.samples) == 50  # filled, and not past it
    assert all(s.held["spans"] <= report.window["spans"] for s in report.samples)
    assert all(s.held["log_lines"] <= 200 * s.held["log_streams"] for s in report.samples)
    assert load[-1].held["spans_received"] > 3 * load[-1].held["spans"]  # pushed through
    growth = soak.plateau_growth(report)
    assert growth is not None and growth <= soak.PLATEAU_MB, soak.markdown(report)
    assert max(s.rss_mb for s in report.samples) <= soak.memory_bound(report)
    assert all(ms <= soak.ANSWER_LIMIT_S * 1000 for s in report.samples
               for ms in s.answer_ms.values()), soak.markdown(report)
    assert report.parts and all(p["state"] == "ready" for p in report.parts)
    assert report.probes >= 5 and not report.unfinished and report.lag_left == 0
    if soak.chromium() is not None:
        assert report.page_status == f"{len(report.parts)} of {len(report.parts)} parts ready"
        assert Path(report.screenshot).read_bytes()[:4] == b"\x89PNG"
    assert report.problems == [], soak.markdown(report)

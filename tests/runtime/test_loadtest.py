"""The wrk load test: its Lua script, its result line, and one short real run."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from archgen.runtime.loadtest import LoadError, Result, Target, lua_string, parse, run_wrk, shape
from archgen.runtime.parts import Service
from archgen.runtime.ports import free_port
from archgen.runtime.supervisor import Supervisor
from tests.runtime.standin import APP

TARGET = Target("order-service", "POST", "/api/v1/orders", "POST /api/v1/orders", 500.0, 200.0,
                '{"note": "a \\"quoted\\" word"}')


def test_lua_strings_escape_quotes_and_backslashes() -> None:
    assert lua_string('a "b" \\c\n') == '"a \\"b\\" \\\\c\\n"'


def test_shape_covers_a_quarter_second_of_requests() -> None:
    assert shape(500) == (125, 2)
    assert shape(1) == (2, 2)
    assert shape(100000) == (256, 2)


def test_result_line_is_parsed_and_judged() -> None:
    out = ('Running 10s test\nARCHGEN {"requests":5000,"duration_us":10000000,"connect":0,'
           '"read":0,"write":0,"status":10,"timeout":0,"p50":4000,"p95":150000,"p99":250000,'
           '"codes":{"201":4990,"504":4,"429":6}}\n')
    result = parse(out, TARGET)
    assert result == Result("order-service", "POST /api/v1/orders", 500.0, 500.0, 5000, 10,
                            0.002, 4.0, 150.0, 250.0, 200.0, {"201": 4990, "429": 6, "504": 4})
    assert result.passed
    assert result.error_codes() == "429 x6, 504 x4"
    slow = parse(out.replace('"p95":150000', '"p95":250000'), TARGET)
    assert not slow.passed


def test_no_result_line_is_one_line_error() -> None:
    with pytest.raises(LoadError, match="wrk gave no result for POST /api/v1/orders: boom"):
        parse("", TARGET, "unable to connect\nboom\n")


def test_only_localhost_is_loaded() -> None:
    with pytest.raises(LoadError, match=r"targets 127\.0\.0\.1 only"):
        run_wrk("http://example.com", TARGET, None, 1)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is missing (apt-get install wrk)")
def test_a_short_real_run(tmp_path: Path) -> None:
    package = tmp_path / "svc" / "src" / "svc_app"
    package.mkdir(parents=True)
    (package / "app.py").write_text(APP, encoding="utf-8")
    service = Service("svc", free_port(), package="svc_app", folder=tmp_path / "svc")
    target = Target("svc", "GET", "/health/live", "GET /health/live", 20.0, 1000.0, None)

    async def scenario() -> Result:
        supervisor = Supervisor(tmp_path, lambda name, line: None)
        try:
            await supervisor.start([[service]])
            return await asyncio.to_thread(run_wrk, service.url, target, "t0ken", 2)
        finally:
            await supervisor.stop()

    result = asyncio.run(scenario())
    assert 0 < result.requests <= 20 * 2 * 1.5 + 2  # paced, and bounded in count
    assert result.errors == 0
    assert set(result.codes) == {"200"} and result.codes["200"] == result.requests
    assert 0 < result.p50_ms <= result.p95_ms <= result.p99_ms

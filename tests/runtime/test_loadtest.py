"""The wrk load test: its Lua script, its result line, and one short real run."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from archgen.catalog import load_catalog
from archgen.commands.loadtest import _exit_code
from archgen.exit_codes import EXIT_ERROR, EXIT_FINDINGS
from archgen.model.resolved import ResolvedCatalog
from archgen.runtime.loadtargets import plan_targets
from archgen.runtime.loadtest import (
    LoadError,
    Result,
    Skipped,
    Target,
    lua_string,
    parse,
    print_table,
    run_wrk,
    shape,
)
from archgen.runtime.parts import Service
from archgen.runtime.ports import free_port
from archgen.runtime.supervisor import Supervisor
from tests.helpers import run_archgen
from tests.runtime.conftest import ROOT, UpProcess
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


# ---------------------------------------------------------------- set-up, not the system
FIXTURES = Path(__file__).parent / "fixtures"
LONG = "GET /api/v1/stationfoodservice/stationfoodstores/{stationFoodStoreId}"


def _catalog(name: str) -> ResolvedCatalog:
    loaded = load_catalog(FIXTURES / name)
    assert loaded.catalog is not None
    return loaded.catalog


def test_endpoints_whose_ids_cannot_be_had_are_skipped_with_a_reason() -> None:
    """station-service reads stations by id but nothing creates one: no `dev` id is sent."""
    targets, skipped = plan_targets(_catalog("open_gateway.yaml"), {}, None, None)
    assert [t.path for t in targets] == ["/api/v1/auth/hello", "/api/v1/stations"]
    assert skipped == [Skipped("station-service", "GET /api/v1/stations/{stationId}",
                               "no value for {stationId}: station-service has no POST that "
                               "creates a resource")]


def test_ids_come_from_the_post_and_a_failed_post_is_the_reason() -> None:
    catalog = _catalog("manual_status.yaml")
    made = {"order-service": ("POST /api/v1/orders", 201, {"id": "o1", "customer_id": "c1"})}
    targets, skipped = plan_targets(catalog, made, "order-service", None)
    assert [t.path for t in targets] == ["/api/v1/orders", "/api/v1/orders/o1",
                                         "/api/v1/orders/o1/status"]
    assert skipped == []
    refused = {"order-service": ("POST /api/v1/orders", 422, {})}
    targets, skipped = plan_targets(catalog, refused, "order-service", None)
    assert [t.path for t in targets] == ["/api/v1/orders"]
    assert {s.reason for s in skipped} == {
        "no value for {id}: POST /api/v1/orders answered 422"}


def _storm(codes: dict[str, int], route: str = "GET /api/v1/stations/{id}") -> Result:
    n = sum(codes.values())
    bad = sum(v for k, v in codes.items() if not k.startswith("2"))
    return Result("station-service", route, 20.0, 20.0, n, bad, bad / n, 2.0, 3.0, 4.0, 200.0,
                  codes)


def test_a_4xx_storm_is_a_set_up_problem_not_a_missed_sla() -> None:
    storm = _storm({"422": 200})
    assert storm.verdict == "set-up" and not storm.passed
    assert storm.setup_problem is not None
    assert storm.setup_problem.startswith("100% of answers were 422 (the path values or the "
                                          "body do not validate): a set-up problem")
    assert _exit_code([storm]) == EXIT_ERROR
    slow = _storm({"200": 150, "503": 50})
    assert slow.verdict == "missed" and _exit_code([storm, slow]) == EXIT_FINDINGS
    assert _storm({"200": 199, "404": 1}).verdict == "pass"
    assert _storm({"200": 100, "429": 100}).verdict == "missed"  # the tier: measured, not set-up


def test_the_table_in_a_pipe_is_whole(capsys: pytest.CaptureFixture[str]) -> None:
    """Not a terminal (a pipe, a CI log): no header or route is cut to `targ…`."""
    print_table([_storm({"422": 200}, LONG), _storm({"200": 200}, "GET /api/v1/stations")])
    out = capsys.readouterr().out
    assert "…" not in out
    for text in ("target/s", "achieved/s", "SLA p95 ms", LONG, "100.0% (422 x200)", "SET-UP"):
        assert text in out, out
    assert f"station-service {LONG}: 100% of answers were 422" in out


def test_skipped_endpoints_are_listed_under_the_table(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    print_table([], [Skipped("station-service", "GET /api/v1/stations/{stationId}", "why")])
    out = capsys.readouterr().out
    assert "skipped station-service GET /api/v1/stations/{stationId}: why" in out


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is missing (apt-get install wrk)")
def test_loadtest_on_a_system_without_posts_skips_what_it_cannot_call(tmp_path: Path) -> None:
    """The real services and gateway of a catalog with GET-by-id but no POST, output piped."""
    shutil.copy(FIXTURES / "open_gateway.yaml", tmp_path / "catalog.yaml")
    up = UpProcess(tmp_path, "--embedded", "sqlite", "--quiet")
    try:
        up.state()
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        done = subprocess.run(
            [sys.executable, "-m", "archgen", "loadtest", "catalog.yaml", "-o", "out",
             "--service", "station-service", "--duration", "2s", "--json", "load.json"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    finally:
        up.stop()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "…" not in done.stdout
    assert ("skipped station-service GET /api/v1/stations/{stationId}: no value for "
            "{stationId}: station-service has no POST that creates a resource") in done.stdout
    report = json.loads((tmp_path / "load.json").read_text(encoding="utf-8"))
    assert [r["route"] for r in report["results"]] == ["GET /api/v1/stations"]
    assert report["results"][0]["verdict"] == "pass"
    assert [s["route"] for s in report["skipped"]] == ["GET /api/v1/stations/{stationId}"]


def test_loadtest_without_a_running_system_says_to_start_one(tmp_path: Path) -> None:
    catalog = ROOT / "blueprints" / "ecommerce" / "catalog.yaml"
    result = run_archgen("loadtest", str(catalog), "-o", str(tmp_path), "--duration", "1s")
    assert result.code == 2, result
    assert f"no system with a gateway is running from {tmp_path}" in result.err
    assert f"start `archgen up {catalog}` first" in result.err

"""The benchmark's parsers and catalog edits (no timings here: benchmarks are not tests)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archgen.catalog import load_catalog_text
from archgen.findings import Severity
from bench.common import Context, Section, command_env, tree_facts
from bench.generation import changed_paths, one_service_change, summary_counts
from bench.jhipster import JDL, service_folders
from bench.report import merge_previous, read_previous
from bench.running import parse_wrk, percentile
from bench.synth import make_catalog

DATA = Path(__file__).parent / "data"


def test_parse_wrk_reads_throughput_percentiles_and_errors() -> None:
    result = parse_wrk((DATA / "wrk-latency.txt").read_text(encoding="utf-8"))
    assert result is not None
    assert result.rps == 1630.06
    assert result.p50_ms == 2.52
    assert result.p99_ms == 20.51
    assert result.requests == 3268
    assert result.non_2xx == 3268


def test_parse_wrk_converts_units_and_refuses_output_without_results() -> None:
    text = ("  Latency Distribution\n     50%  850.00us\n     75%    1.00ms\n"
            "     90%    1.20s\n     99%    2.50s\n  10 requests in 1.00s, 1KB read\n"
            "Requests/sec:     10.00\n")
    result = parse_wrk(text)
    assert result is not None
    assert result.p50_ms == 0.85
    assert result.p99_ms == 2500.0
    assert result.non_2xx == 0
    assert parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n") is None


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([7.0], 99) == 7.0


def test_summary_counts_and_changed_paths_read_generates_output() -> None:
    out = ("update openapi/order-service.yaml\ncreate docs/x.md\n"
           "1 created, 1 updated, 12 unchanged in /tmp/out.\n")
    assert summary_counts(out) == {"created": 1, "updated": 1, "unchanged": 12}
    assert changed_paths(out) == ["openapi/order-service.yaml", "docs/x.md"]
    assert summary_counts("40 unchanged in out.\n") == {"unchanged": 40}


def test_one_service_change_changes_one_service_and_stays_valid() -> None:
    text = make_catalog(20, 0)
    changed, service = one_service_change(text)
    assert changed != text
    before, after = (load_catalog_text(t).catalog for t in (text, changed))
    assert before is not None and after is not None
    assert [f for f in load_catalog_text(changed).findings
            if f.severity is Severity.ERROR] == []
    differing = [n for n in before.services
                 if before.services[n] != after.services[n]]
    assert differing == [service]


def test_service_folders_are_top_level_folders_with_a_build_file(tmp_path: Path) -> None:
    for folder in ("gateway", "orders", "orders/nested", "docs"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    (tmp_path / "gateway" / "pom.xml").write_text("<project/>\n", encoding="utf-8")
    (tmp_path / "orders" / "pyproject.toml").write_text("[project]\n", encoding="utf-8")
    (tmp_path / "orders" / "nested" / "package.json").write_text("{}\n", encoding="utf-8")
    assert service_folders(tmp_path) == ["gateway", "orders"]
    assert tree_facts(tmp_path) == (3, 3, 24)
    assert tree_facts(tmp_path, skip=("pom.xml",)) == (2, 2, 13)


def test_the_jdl_models_the_blueprints_six_services_a_gateway_and_kubernetes() -> None:
    text = JDL.read_text(encoding="utf-8")
    assert text.count("applicationType microservice") == 6
    assert "applicationType gateway" in text
    assert "deploymentType kubernetes" in text
    assert text.count("messageBroker kafka") == 7


def test_a_partial_run_keeps_the_earlier_sections_and_goals_dated(tmp_path: Path) -> None:
    earlier = tmp_path / "B.md"
    earlier.write_text(
        "# Benchmarks\n\nRun 2026-11-24 13:49 UTC, 13.7 min, with:\n\n## Machine\n\n| a | b |\n"
        "\n## Goals\n\n| goal | target | measured |  |\n|---|---|---|---|\n"
        "| cold start | <= 0.10 s | 0.037 s | met |\n| diagrams | <= 3 s | 11.9 s | **missed** |\n"
        "\n## Cold start\n\ntable A\n\n## Diagrams\n\ntable B\n\n## What this shows\n\nnotes\n",
        encoding="utf-8")
    previous = read_previous(earlier)
    assert previous is not None
    assert previous.run == "2026-11-24 13:49 UTC"
    assert [s.title for s in previous.sections] == ["Cold start", "Diagrams"]
    ctx = Context(quick=True, sizes=(100,), tools={})
    ctx.goal("diagrams", "<= 3 s", "2.0 s", True)
    merged = merge_previous(ctx, [Section("diagrams", "Diagrams", "table C")], previous)
    assert [s.title for s in merged] == ["Cold start", "Diagrams"]
    assert merged[0].body.endswith("table A") and "2026-11-24" in merged[0].body
    assert merged[1].body == "table C"
    assert [(g.what, g.met) for g in ctx.goals] == [("cold start", True), ("diagrams", True)]
    assert ctx.goals[0].measured == "0.037 s (run of 2026-11-24 13:49 UTC)"


def test_sections_and_goals_kept_twice_keep_their_first_date(tmp_path: Path) -> None:
    earlier = tmp_path / "B.md"
    earlier.write_text(
        "Run 2026-11-30 07:00 UTC, 1 min, with:\n\n## Goals\n\n| goal | target | measured |  |\n"
        "|---|---|---|---|\n"
        "| cold start | <= 0.10 s | 0.037 s (run of 2026-11-24 13:49 UTC) | met |\n\n"
        "## Cold start\n\n*Kept from the run of 2026-11-24 13:49 UTC (not re-measured by "
        "this run).*\n\ntable A\n", encoding="utf-8")
    previous = read_previous(earlier)
    assert previous is not None
    ctx = Context(quick=True, sizes=(100,), tools={})
    merged = merge_previous(ctx, [], previous)
    assert merged[0].body.count("Kept from") == 1 and "2026-11-24" in merged[0].body
    assert ctx.goals[0].measured == "0.037 s (run of 2026-11-24 13:49 UTC)"


def test_commands_run_from_bytecode_as_installed_ones_do(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    env = command_env({"PYTHONPATH": "src"})
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["PYTHONPATH"] == "src" and env["PATH"] == os.environ["PATH"]

"""`archgen diagram`: writes through the writer, filters views, reports bad input."""

from __future__ import annotations

import json
from pathlib import Path

from archgen.cli import run
from archgen.generators.diagrams.generator import build_views, render_files
from archgen.generators.diagrams.sequences import derive_sequences
from tests.diagrams.helpers import ecommerce
from tests.helpers import ECOMMERCE, run_archgen


def test_diagram_writes_every_view_in_the_chosen_formats(tmp_path: Path) -> None:
    out = tmp_path / "d"
    code = run(["diagram", str(ECOMMERCE), "-o", str(out), "--format", "mermaid,dot"])
    assert code == 0
    names = sorted(p.name for p in out.iterdir()
                   if not p.name.startswith(".") and p.name != "flows")
    assert len(names) == 2 * 9 and "service-order-service.mmd" in names
    # DOT has no sequence form: the flows are there as Mermaid only.
    flows = sorted(p.name for p in (out / "flows").iterdir())
    assert flows == [f"{f.name}.mmd" for f in derive_sequences(ecommerce())]
    manifest = json.loads((out / ".archgen-manifest.json").read_text())
    assert manifest["files"]["system.mmd"]["generator"] == "diagrams"


def test_service_option_draws_only_that_service(tmp_path: Path) -> None:
    result = run_archgen("diagram", str(ECOMMERCE), "-o", str(tmp_path), "--view", "service",
                         "--service", "payment-service", "--format", "svg")
    assert result.code == 0, result.err
    assert sorted(p.name for p in tmp_path.glob("*.svg")) == ["service-payment-service.svg"]
    assert "Start with" in result.out


def test_partial_runs_do_not_delete_other_views(tmp_path: Path) -> None:
    run_archgen("diagram", str(ECOMMERCE), "-o", str(tmp_path), "--format", "dot")
    run_archgen("diagram", str(ECOMMERCE), "-o", str(tmp_path), "--view", "system",
                "--format", "dot")
    assert (tmp_path / "events.dot").exists()


def test_user_files_are_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "system.dot").write_text("mine\n")
    result = run_archgen("diagram", str(ECOMMERCE), "-o", str(tmp_path), "--view", "system",
                         "--format", "dot")
    assert result.code == 1
    assert (tmp_path / "system.dot").read_text() == "mine\n"


def test_bad_format_view_or_service_is_a_usage_error(tmp_path: Path) -> None:
    for args in (["--format", "gif"], ["--view", "galaxy"], ["--service", "nope"]):
        result = run_archgen("diagram", str(ECOMMERCE), "-o", str(tmp_path), *args)
        assert result.code == 2, args
        assert "choose from" in result.err


def test_a_broken_catalog_is_reported_not_drawn(tmp_path: Path) -> None:
    bad = tmp_path / "catalog.yaml"
    bad.write_text("archgen: 1\nsystem: {name: Not_A_Label}\nservices: {}\n")
    result = run_archgen("diagram", str(bad), "-o", str(tmp_path / "out"))
    assert result.code == 1
    assert "Nothing written" in result.out
    assert not (tmp_path / "out").exists()


def test_progress_reports_every_rendered_view() -> None:
    seen: list[str] = []
    views = build_views(ecommerce(), ["system", "context", "events"])
    render_files(views, ["svg"], progress=seen.append)
    assert sorted(seen) == ["context", "events", "system"]


def test_progress_bar_only_for_many_views() -> None:
    from archgen.commands.diagram import progress_bar

    with progress_bar(2) as advance:
        assert advance is None
    with progress_bar(5) as advance:
        assert advance is not None
        for name in "abcde":
            advance(name)


def test_large_catalogs_say_which_views_to_open(tmp_path: Path) -> None:
    from bench.synth import write_catalog

    catalog = write_catalog(100, tmp_path / "catalog.yaml")
    result = run_archgen("diagram", str(catalog), "-o", str(tmp_path / "out"), "--view",
                         "system,context", "--format", "mermaid")
    assert result.code == 0, result.err
    assert result.out.count("note: ") == 2
    assert "context-<name>" in result.out

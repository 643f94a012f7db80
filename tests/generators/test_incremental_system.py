"""Planning the system-wide outputs on their own inputs.

The gateway config, AsyncAPI, compose, Helm, mesh, the SLO rules, every diagram
view and the docs page read every service. Each is planned as a unit fingerprinted
on what it is made from (generators/inputs.py: the built data, the view, the page's
contents), so a change that does not show in them renders none of them, and runs no
graphviz; a change that does show renders exactly the outputs it feeds.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from archgen.generation import plan_incremental
from archgen.generators import GENERATORS
from archgen.pipeline import prepare
from archgen.writer.paths import CACHE
from bench.synth import write_catalog
from tests.generators.test_incremental import bump_max_length, callers_of, tree
from tests.helpers import run_archgen

TODAY = date(2026, 12, 7)
KINDS = list(GENERATORS)  # every kind, diagrams and docs included


def generate(catalog: Path, out: Path) -> str:
    """Run from the catalog's folder, named `catalog.yaml` as every run here names it:
    the docs list the findings by file, so a run naming it otherwise changes them."""
    run = run_archgen("generate", catalog.name, "-o", str(out), cwd=catalog.parent)
    assert run.code == 0, run.out + run.err
    return run.out


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """An 8-service catalog and its generated folder, every kind (copied by each test)."""
    folder = tmp_path_factory.mktemp("system")
    catalog = write_catalog(8, folder / "catalog.yaml", seed=5)
    data = yaml.safe_load(catalog.read_text(encoding="utf-8"))
    catalog.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    generate(catalog, folder / "out")
    return data, folder / "out"


def prepared(tmp_path: Path, base: tuple[dict[str, Any], Path],
             change: Callable[[dict[str, Any]], None]) -> tuple[Path, Path]:
    data, out = base
    changed = copy.deepcopy(data)
    change(changed)
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    shutil.copytree(out, tmp_path / "out")
    return catalog, tmp_path / "out"


def rendered(catalog: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The paths an incremental run would render (not carry) into `out`."""
    monkeypatch.chdir(catalog.parent)
    run = prepare(Path(catalog.name), TODAY)
    assert run is not None
    return {f.path for f in plan_incremental(run.context, KINDS, out).files}


def test_a_one_service_change_renders_only_that_service_and_its_callers(
        tmp_path: Path, base: tuple[dict[str, Any], Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A `max_length` shows in the service, its OpenAPI document and its callers'
    clients; no system-wide output is rendered and graphviz does not run."""
    from archgen.generators.diagrams import render

    drawn: list[str] = []
    real = render.run_graphviz
    monkeypatch.setattr(render, "run_graphviz",
                        lambda source, formats: drawn.append(source) or real(source, formats))
    catalog, out = prepared(tmp_path, base, bump_max_length)
    paths = rendered(catalog, out, monkeypatch)
    allowed = {"order-service"} | callers_of(base[0], "order-service")
    assert "openapi/order-service.yaml" in paths
    outside = {p for p in paths
               if not (p.startswith("services/") and p.split("/")[1] in allowed)
               and p != "openapi/order-service.yaml"}
    assert outside == set()
    assert drawn == []


def _public_endpoint(data: dict[str, Any]) -> None:
    data["services"]["order-service"]["port"] = 8123


def test_a_change_that_shows_in_the_system_renders_what_it_feeds(
        tmp_path: Path, base: tuple[dict[str, Any], Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A new port reaches compose, Helm and the service's own files, and not the
    gateway, AsyncAPI, the SLO rules or the views, which do not show it."""
    catalog, out = prepared(tmp_path, base, _public_endpoint)
    paths = rendered(catalog, out, monkeypatch)
    assert "deploy/compose/compose.yaml" in paths
    assert any(p.startswith("deploy/helm/") for p in paths)
    assert not any(p.startswith(("diagrams/", "deploy/gateway/", "deploy/observability/"))
                   or p == "asyncapi.yaml" for p in paths), sorted(paths)


def _new_service(data: dict[str, Any]) -> None:
    services = data["services"]
    services["zeta-service"] = {**services["order-service"], "publishes": {}}


@pytest.mark.parametrize("change", [bump_max_length, _public_endpoint, _new_service])
def test_an_incremental_run_of_every_kind_makes_the_tree_a_full_run_makes(
        tmp_path: Path, base: tuple[dict[str, Any], Path],
        change: Callable[[dict[str, Any]], None]) -> None:
    """The reference: the same folder without its cache, where every unit is rendered
    (images included: they are byte-stable for the same view)."""
    catalog, out = prepared(tmp_path, base, change)
    full = tmp_path / "full"
    shutil.copytree(out, full)
    (full / CACHE).unlink()
    generate(catalog, out)
    generate(catalog, full)
    assert tree(out) == tree(full)


_FINGERPRINTS = """
import json, sys
from datetime import date
from pathlib import Path
from archgen.generators import GENERATORS
from archgen.output import PlannedPerUnit
from archgen.pipeline import prepare
run = prepare(Path(sys.argv[1]), date(2026, 12, 7))
print(json.dumps({u.key: u.inputs for g in GENERATORS.values() if isinstance(g, PlannedPerUnit)
                  for u in g.units(run.context)}))
"""


def test_fingerprints_are_the_same_in_every_process(
        tmp_path: Path, base: tuple[dict[str, Any], Path]) -> None:
    """Python salts its string hashes per process (set order changes with it): a
    fingerprint that saw that order would render every unit again on the next run."""
    catalog, _ = prepared(tmp_path, base, lambda data: None)
    seen = []
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "-c", _FINGERPRINTS, str(catalog)], env=env,
                              capture_output=True, text=True, check=True)
        seen.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert all(None not in found.values() for found in seen)
    assert seen[0] == seen[1] == seen[2]
    assert {"docs/:", "gateway:", "diagrams/system"} <= set(seen[0])


def test_each_overview_is_laid_out_once_for_diagrams_and_docs(
        tmp_path: Path, base: tuple[dict[str, Any], Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """diagrams/ and the docs page draw the same overview views: graphviz lays each
    DOT source out once per run, and the page embeds the same SVG bytes."""
    from archgen.generation import plan_outputs
    from archgen.generators.diagrams import render

    drawn: list[str] = []
    real = render.run_graphviz
    monkeypatch.setattr(render, "run_graphviz",
                        lambda source, formats: drawn.append(source) or real(source, formats))
    catalog, _ = prepared(tmp_path, base, lambda data: None)
    monkeypatch.chdir(catalog.parent)
    run = prepare(Path(catalog.name), TODAY)
    assert run is not None
    files = {f.path: f.data for f in plan_outputs(run.context, ["diagrams", "docs"])}
    assert len(drawn) == len(set(drawn))
    page = files["docs/index.html"]
    assert "diagrams/system.svg" in files and b"<svg" in page

"""Overviews of big systems are drawn in seconds: a big catalog never fails a run.

The system view of 500 services (301 bounded contexts, 544 calls between them across
52 pinned columns) took dot 58 s of CPU, and that of 2,000 services ran past graphviz's
120 s limit on a busy machine, failing `generate`. Such views are placed here and only
drawn by graphviz.
"""

from __future__ import annotations

import resource
from functools import cache
from pathlib import Path

import pytest

from archgen.generators.diagrams.generator import build_views
from archgen.generators.diagrams.model import View
from archgen.generators.diagrams.render import dot_source, is_placed
from tests.diagrams.helpers import synthetic
from tests.helpers import run_archgen


@cache
def _system_view(services: int) -> View:
    return build_views(synthetic(services), ["system"])[0]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test_200_services_keep_dots_own_layout() -> None:
    view = _system_view(200)
    assert not is_placed(view)
    assert "rank=same" in dot_source(view) and "pos=" not in dot_source(view)


@pytest.mark.slow
def test_the_system_view_of_500_services_is_placed_on_a_grid() -> None:
    view = _system_view(500)
    assert is_placed(view)
    source = dot_source(view)
    assert source.count("pos=") == len(view.nodes)
    assert "rank=same" not in source and "layout=neato" in source


@pytest.mark.slow
def test_500_services_system_view_is_drawn_in_seconds(tmp_path: Path) -> None:
    from bench.synth import write_catalog

    catalog = tmp_path / "catalog.yaml"
    write_catalog(500, catalog, 0)
    before = _children_cpu()
    result = run_archgen("diagram", str(catalog), "-o", str(tmp_path / "out"),
                         "--view", "system", "--format", "png,svg")
    graphviz_cpu = _children_cpu() - before
    assert result.code == 0, result.err
    png, svg = (tmp_path / "out" / "system.png"), (tmp_path / "out" / "system.svg")
    assert png.read_bytes().startswith(b"\x89PNG")
    text = svg.read_text()
    # Every bounded context is in the drawing, by name.
    assert text.count('class="node"') == len(_system_view(500).nodes)
    assert graphviz_cpu < 10, f"graphviz took {graphviz_cpu:.1f} s of CPU"

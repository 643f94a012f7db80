"""What a catalog says never becomes code, a local file or a stopped run in a diagram.

Each test reproduced its class before the fix: a `<...>` bounded context made a
graphviz HTML label (a `javascript:` link, an embedded local PNG), control
characters broke the SVG, a 60-character cut merged two services, a topic
named `none` merged with "(no topic)", and past 30 services a dependency
target was drawn outside its bounded-context cluster.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from archgen.catalog import load_catalog_text
from archgen.generators.diagrams import DiagramsGenerator, render
from archgen.generators.diagrams.contexts import context_slug
from archgen.generators.diagrams.generator import render_files
from archgen.generators.diagrams.model import ident
from archgen.generators.diagrams.views import NO_CONTEXT, service_view, system_view
from archgen.model.resolved import ResolvedCatalog
from tests.helpers import ctx_of

SVG = "{http://www.w3.org/2000/svg}"


def _many_services(context: str, n: int = 32, extra: str = "") -> str:
    lines = ["archgen: 1", "system: {name: big}", "services:"]
    for i in range(n):
        ctx = context if i == 0 else f"ctx-{i % 3}"
        lines.append(f"  s{i:02d}-service:")
        lines.append(f"    bounded_context: {ctx!r}")
        if i == 0:
            lines.append("    depends_on: [s31-service]")
    return "\n".join(lines) + "\n" + extra


def _load(text: str) -> ResolvedCatalog:
    result = load_catalog_text(text, "c.yaml")
    assert result.catalog is not None, result.findings
    return result.catalog


def _svg(catalog: ResolvedCatalog) -> bytes:
    files = render_files([system_view(catalog)], ["svg"])
    return next(f.content for f in files if f.path.endswith(".svg"))  # type: ignore[return-value]


def test_cluster_label_shaped_like_html_stays_text(tmp_path: Path) -> None:
    png = tmp_path / "secret.png"
    png.write_bytes(Path(__file__).with_name("__init__.py").read_bytes())
    label = f'<<TABLE><TR><TD HREF="javascript:alert(1)"><IMG SRC="{png}"/></TD></TR></TABLE>>'
    svg = _svg(_load(_many_services(label)))
    root = ET.fromstring(svg)
    links = [a.get("{http://www.w3.org/1999/xlink}href") or "" for a in root.iter(f"{SVG}a")]
    assert not any(link.startswith("javascript:") for link in links)
    images = [i.get("{http://www.w3.org/1999/xlink}href") or "" for i in root.iter(f"{SVG}image")]
    assert not any(str(png) in i for i in images)
    texts = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "TABLE" in texts  # drawn as the words it is


def test_broken_html_label_or_missing_image_does_not_stop_the_run() -> None:
    svg = _svg(_load(_many_services('<<IMG SRC="/nonexistent/x.png"/>')))
    ET.fromstring(svg)


def test_control_characters_leave_a_well_formed_svg() -> None:
    svg = _svg(_load(_many_services("bell\x07 esc\x1b[31m nul-free", n=3)))
    ET.fromstring(svg)


def test_a_call_into_another_context_joins_the_two_context_nodes() -> None:
    view = system_view(_load(_many_services("first")))
    # s00 (context `first`) calls s31 (31 % 3: context `ctx-1`).
    calls = {(e.source, e.target): e.label for e in view.edges}
    assert calls[(ident("ctx", "first"), ident("ctx", "ctx-1"))] == "1 call"


def test_identifiers_cut_to_60_characters_stay_distinct() -> None:
    stem = "a" * 60
    assert ident("svc", stem + "-x") != ident("svc", stem + "-y")


def test_a_topic_named_none_is_not_the_no_topic_node() -> None:
    catalog = _load("""
archgen: 1
system: {name: t}
services:
  a-service:
    publishes: {x.happened: {when: now}, y.happened: {when: now}}
event_bus:
  technology: kafka
  topics:
    none: {events: [x.happened]}
""")
    view = service_view(catalog, "a-service")
    topics = [n for n in view.nodes if n.kind.value == "topic"]
    assert len(topics) == 2, topics


def test_a_diagram_that_cannot_be_drawn_is_reported_and_the_rest_written(
        monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = _load(_many_services("ok", n=2))
    generator = DiagramsGenerator(formats=("svg", "mermaid"))
    # A missing graphviz binary: the one real way to make every drawing fail here.
    monkeypatch.setattr(render, "DOT_COMMAND", "/nonexistent/dot")
    ctx = ctx_of(catalog)
    files = generator.plan(ctx)  # type: ignore[arg-type]
    assert any(f.path.endswith(".mmd") for f in files)
    assert not any(f.path.endswith(".svg") for f in files)
    assert ctx.problems and "graphviz" in ctx.problems[0]  # type: ignore[attr-defined]


def test_generate_writes_the_specs_when_no_diagram_can_be_drawn(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from archgen.commands.generate import generate
    from tests.helpers import MINIMAL

    monkeypatch.setattr(render, "DOT_COMMAND", "/nonexistent/dot")
    code = generate(MINIMAL, tmp_path, None, False, False, False)
    assert code == 1
    assert (tmp_path / "openapi" / "notes-service.yaml").exists()
    assert (tmp_path / "diagrams" / "system.mmd").exists()
    assert (tmp_path / "docs" / "architecture.md").exists()
    assert not (tmp_path / "diagrams" / "system.svg").exists()
    err = capsys.readouterr().err
    assert "diagrams/system.png, diagrams/system.svg not drawn: graphviz" in err
    assert "index.html not drawn" in err


def test_a_view_too_dense_to_lay_out_is_reported_at_once_not_timed_out() -> None:
    lines = ["archgen: 1", "system: {name: dense}", "services:"]
    for i in range(40):
        others = ", ".join(f"s{j:02d}-service" for j in range(40) if j != i)
        lines += [f"  s{i:02d}-service:", f"    depends_on: [{others}]"]
    generator = DiagramsGenerator(formats=("svg", "dot"))
    ctx = ctx_of(_load("\n".join(lines) + "\n"))
    files = generator.plan(ctx)  # type: ignore[arg-type]
    problems = ctx.problems  # type: ignore[attr-defined]
    # Past 25 services the system view is one node per context; the context's own view
    # holds the 40 services and their 1,560 calls.
    dense = f"diagrams/context-{context_slug(NO_CONTEXT)}"
    assert any(f.path == f"{dense}.dot" for f in files)
    assert not any(f.path == f"{dense}.svg" for f in files)
    assert any(re.search(rf"{dense}\.svg not drawn: 15\d\d edges among 40 nodes", p)
               for p in problems), problems


def test_docs_writes_both_documents_when_a_diagram_cannot_be_drawn(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from archgen.commands.docs import docs
    from tests.helpers import MINIMAL

    monkeypatch.setattr(render, "DOT_COMMAND", "/nonexistent/dot")
    assert docs(MINIMAL, tmp_path) == 1
    assert "This diagram could not be drawn" in (tmp_path / "index.html").read_text()
    assert (tmp_path / "architecture.md").exists()
    assert "the system diagram of index.html not drawn: graphviz" in capsys.readouterr().err

"""`archgen generate` diagrams: every view drawn for small systems, the overviews for big ones."""

from __future__ import annotations

from archgen.generators.diagrams import DiagramsGenerator
from archgen.generators.diagrams.contexts import context_slug
from archgen.generators.diagrams.sequences import derive_sequences
from archgen.generators.diagrams.views import CLUSTER_THRESHOLD
from tests.diagrams.helpers import ecommerce, synthetic
from tests.helpers import ctx_of


def _by_extension(paths: list[str], prefix: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in paths:
        stem, ext = path.removeprefix(prefix).rsplit(".", 1)
        found.setdefault(ext, set()).add(stem)
    return found


def _flows(paths: list[str]) -> tuple[list[str], dict[str, set[str]]]:
    """The paths outside diagrams/flows/, and the flows' names by extension."""
    flows = [p for p in paths if p.startswith("diagrams/flows/")]
    return [p for p in paths if p not in flows], _by_extension(flows, "diagrams/flows/")


def test_small_system_gets_every_view_in_every_format() -> None:
    catalog = ecommerce()
    paths, flows = _flows([f.path for f in DiagramsGenerator().plan(ctx_of(catalog))])
    found = _by_extension(paths, "diagrams/")
    views = {"system", "context", "events", *(f"service-{n}" for n in catalog.services)}
    assert all(found[ext] == views for ext in ("png", "svg", "mmd", "puml", "dot")), found
    names = {f.name for f in derive_sequences(catalog)}
    assert flows == {"svg": names, "mmd": names, "puml": names}


def test_big_system_draws_images_of_the_overviews_only() -> None:
    catalog = synthetic(CLUSTER_THRESHOLD + 5)
    files = DiagramsGenerator(formats=("svg", "mermaid")).plan(ctx_of(catalog))
    paths, flows = _flows([f.path for f in files])
    found = _by_extension(paths, "diagrams/")
    assert flows["svg"] == flows["mmd"] == {f.name for f in derive_sequences(catalog)}
    contexts = {f"context-{context_slug(s.bounded_context or '')}"
                for s in catalog.services.values()}
    # Each context's event view is text: images of them all took a minute at 200 services.
    events = {f"events-{context_slug(s.bounded_context or '')}"
              for s in catalog.services.values() if s.publishes or s.consumes}
    assert found["svg"] == {"system", "context", "events", *contexts}
    assert found["mmd"] == {"system", "context", "events", *contexts, *events,
                            *(f"service-{n}" for n in catalog.services)}
    assert [f.path for f in files] == sorted(f.path for f in files)


def test_big_system_draws_the_overviews_and_each_context_as_svg_and_no_png() -> None:
    # Rasterizing was most of graphviz's time: a context's PNG four fifths of it (7.4 s of
    # CPU for the 126 contexts of 200 services, 1.3 s as SVG alone), the system view's 2.3
    # of 3.9 s; the docs page shows and links the SVG.
    catalog = synthetic(CLUSTER_THRESHOLD + 5)
    files = DiagramsGenerator(formats=("png", "svg")).plan(ctx_of(catalog))
    found = _by_extension(_flows([f.path for f in files])[0], "diagrams/")
    contexts = {f"context-{context_slug(s.bounded_context or '')}"
                for s in catalog.services.values()}
    assert "png" not in found
    assert found["svg"] == {"system", "context", "events", *contexts}

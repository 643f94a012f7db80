"""`archgen generate` diagrams: every view drawn for small systems, the overviews for big ones."""

from __future__ import annotations

from archgen.generators.diagrams import DiagramsGenerator
from archgen.generators.diagrams.contexts import context_slug
from archgen.generators.diagrams.views import CLUSTER_THRESHOLD
from tests.diagrams.helpers import ecommerce, synthetic
from tests.helpers import ctx_of


def _by_extension(paths: list[str], prefix: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in paths:
        stem, ext = path.removeprefix(prefix).rsplit(".", 1)
        found.setdefault(ext, set()).add(stem)
    return found


def test_small_system_gets_every_view_in_every_format() -> None:
    catalog = ecommerce()
    paths = [f.path for f in DiagramsGenerator().plan(ctx_of(catalog))]
    found = _by_extension(paths, "diagrams/")
    views = {"system", "context", "events", *(f"service-{n}" for n in catalog.services)}
    assert all(found[ext] == views for ext in ("png", "svg", "mmd", "puml", "dot")), found


def test_big_system_draws_images_of_the_overviews_only() -> None:
    catalog = synthetic(CLUSTER_THRESHOLD + 5)
    files = DiagramsGenerator(formats=("svg", "mermaid")).plan(ctx_of(catalog))
    found = _by_extension([f.path for f in files], "diagrams/")
    contexts = {f"context-{context_slug(s.bounded_context or '')}"
                for s in catalog.services.values()}
    assert found["svg"] == {"system", "context", "events", *contexts}
    assert found["mmd"] == {"system", "context", "events", *contexts,
                            *(f"service-{n}" for n in catalog.services)}
    assert [f.path for f in files] == sorted(f.path for f in files)

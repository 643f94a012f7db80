"""index.html: one static file, no network, escaped text, the diagrams inline."""

from __future__ import annotations

import re

import pytest

from archgen.generators.docs import DocsGenerator
from archgen.model.resolved import ResolvedCatalog
from tests.diagrams.helpers import ecommerce, hostile
from tests.helpers import ctx_of


def _html(catalog: ResolvedCatalog) -> str:
    files = DocsGenerator(prefix="").plan(ctx_of(catalog))
    return str(next(f.content for f in files if f.path == "index.html"))


def test_the_page_loads_nothing_from_anywhere() -> None:
    html = _html(ecommerce())
    assert re.search(r"default-src 'none'; img-src data:;", html)
    assert not re.search(r'\b(src|href)="(https?:)?//', html)
    assert not re.search(r"<link\b|<script src", html)
    assert 'xlink:href="/' not in html


def test_the_three_diagrams_are_inline_svg_with_their_icons() -> None:
    html = _html(ecommerce())
    for name in ("system", "context", "events"):
        figure = html.split(f'id="diagram-{name}"', 1)[1].split("</figure>", 1)[0]
        assert "<svg" in figure and "<?xml" not in figure and "<!DOCTYPE" not in figure
    assert "data:image/png;base64," in html


def test_the_service_table_lists_every_service() -> None:
    html = _html(ecommerce())
    rows = re.findall(r'<tr data-service="([a-z-]+)">', html)
    assert rows == sorted(ecommerce().services)


def test_the_script_is_allowed_by_hash_only() -> None:
    html = _html(ecommerce())
    assert "'unsafe-inline'" not in html.split("script-src", 1)[1].split('"', 1)[0]
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", html)


def test_hostile_names_are_escaped() -> None:
    html = _html(hostile())
    body = html.split("</style>", 1)[1]
    assert body.count("<script>") == 1  # only the page's own
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_ids_are_unique_across_the_inline_drawings() -> None:
    html = _html(ecommerce())
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert 'id="d-system-graph0"' in html and 'id="d-context-graph0"' in html
    used = set(re.findall(r'href="#([^"]+)"', html))
    assert used <= set(ids), used - set(ids)  # every reference still points somewhere


def test_each_icon_is_embedded_once() -> None:
    html = _html(ecommerce())
    uris = re.findall(r'xlink:href="(data:image/png;base64,[^"]+)"', html)
    assert uris and len(uris) == len(set(uris))
    assert html.count("<use xlink:href=\"#archgen-icon-") > len(uris)


def test_a_legend_explains_edge_styles_and_labels() -> None:
    html = _html(ecommerce())
    legend = html.split('<div class="legend">', 1)[1].split("</div>", 1)[0]
    assert legend.count("<svg") == 4
    assert "http 150 ms x3" in legend and "timeout per call" in legend
    assert 'stroke-dasharray="8 5"' in legend  # events are dashed, as in the drawings


def test_every_service_links_its_own_view() -> None:
    catalog = ecommerce()
    html = _html(catalog)
    for name in catalog.services:
        assert html.count(f'href="../diagrams/service-{name}.svg"') == 2  # table and details


def test_a_drawing_too_large_to_embed_is_linked(monkeypatch: pytest.MonkeyPatch) -> None:
    import archgen.generators.docs.page

    monkeypatch.setattr(archgen.generators.docs.page, "INLINE_LIMIT", 1000)
    html = _html(ecommerce())
    figure = html.split('id="diagram-system"', 1)[1].split("</figure>", 1)[0]
    assert "<svg" not in figure and "too large to embed" in figure
    assert 'href="../diagrams/system.svg"' in figure
    assert "archgen-icon-" not in html  # no icon kept for drawings that are not there


def test_a_large_drawing_waits_in_a_template_until_scrolled_to(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import archgen.generators.docs.page

    monkeypatch.setattr(archgen.generators.docs.page, "LAZY_FROM", 1000)
    html = _html(ecommerce())
    figure = html.split('id="diagram-context"', 1)[1].split("</figure>", 1)[0]
    assert '<div class="canvas" data-lazy><template><svg' in figure


def test_the_page_says_when_the_event_flow_draws_bounded_contexts() -> None:
    from archgen.generators.docs.explore import explorer_context
    from archgen.generators.docs.inline_svg import IconStore
    from archgen.generators.docs.render import render
    from tests.diagrams.helpers import synthetic

    def text(catalog: ResolvedCatalog) -> str:
        return render("explore.html.jinja", explorer_context(catalog, [], IconStore()))

    assert "lanes of the bus" in text(synthetic(40))
    assert "events-&lt;context&gt;" in text(synthetic(40))
    assert "lanes of the bus" not in text(ecommerce())

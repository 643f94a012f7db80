"""index.html: one static file, no network, escaped text, the diagrams inline."""

from __future__ import annotations

import re

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

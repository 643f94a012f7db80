"""index.html keeps to a byte budget by measuring what it inlines, whatever the catalog's shape.

The blueprint's page is small, so these tests lower the budget to the blueprint's
scale; tests/docs/test_budget_at_scale.py holds the real 15 MB at 2,000 services.
"""

from __future__ import annotations

import re

import pytest

from archgen.generators.docs import DocsGenerator, budget
from tests.diagrams.helpers import ecommerce
from tests.helpers import ctx_of


def page() -> str:
    files = DocsGenerator(prefix="").plan(ctx_of(ecommerce()))
    return str(next(f.content for f in files if f.path == "index.html"))


def inline_drawings(html: str) -> list[str]:
    return [name for name in ("system", "context", "events")
            if "<svg" in html.split(f'id="diagram-{name}"', 1)[1].split("</figure>", 1)[0]]


def sizes() -> tuple[int, int]:
    """The page's size with everything inlined, and with no drawing inlined."""
    whole = page()
    bare = re.sub(r'<div class="canvas">.*?</div>', "", whole, flags=re.DOTALL)
    bare = re.sub(r'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink=[^>]*aria-hidden="true">'
                  r"<defs>.*?</defs></svg>", "", bare, flags=re.DOTALL)
    return budget.size(whole), budget.size(bare)


def test_a_roomy_budget_inlines_every_drawing() -> None:
    assert inline_drawings(page()) == ["system", "context", "events"]


def test_drawings_that_would_pass_the_budget_are_linked(
        monkeypatch: pytest.MonkeyPatch) -> None:
    whole, bare = sizes()
    for limit in range(bare + 20_000, whole, max(1, (whole - bare) // 7)):
        monkeypatch.setattr(budget, "PAGE_BUDGET", limit)
        html = page()
        assert budget.size(html) <= limit, limit
        linked = [n for n in ("system", "context", "events") if n not in inline_drawings(html)]
        assert linked or 'href="architecture.md"' in html, limit  # something gave way
        for name in linked:
            figure = html.split(f'id="diagram-{name}"', 1)[1].split("</figure>", 1)[0]
            assert "too large to embed in this page" in figure
            assert f'href="../diagrams/{name}.svg"' in figure


def test_the_drawings_come_before_the_service_details(monkeypatch: pytest.MonkeyPatch) -> None:
    """Just short of room for everything: the details (all in architecture.md) give way."""
    whole, _ = sizes()
    limit = whole + budget._SLACK - 5_000
    monkeypatch.setattr(budget, "PAGE_BUDGET", limit)
    html = page()
    assert budget.size(html) <= limit
    assert inline_drawings(html) == ["system", "context", "events"]
    services = html.split('id="services-detail"', 1)[1].split("</section>", 1)[0]
    assert "<details" not in services and 'href="architecture.md"' in services


def test_when_the_text_alone_is_over_the_service_details_point_to_the_markdown(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _, bare = sizes()
    monkeypatch.setattr(budget, "PAGE_BUDGET", bare - 1_000)
    html = page()
    assert budget.size(html) <= bare - 1_000
    assert inline_drawings(html) == []
    assert "<details" not in html
    services = html.split('id="services-detail"', 1)[1].split("</section>", 1)[0]
    assert 'href="architecture.md"' in services
    for name in ecommerce().services:  # every service keeps its heading and its anchor
        assert f'<h4 id="service-{name}">Service: {name} ' in services
    assert 'data-service="order-service"' in html  # the catalog table is still there


def test_parts_give_way_in_order_until_the_page_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "PAGE_BUDGET", 1)  # nothing fits: every bulky part goes
    html = page()
    for what in ("The details of the 6 services", "The table of the 6 data stores",
                 "The table of the 5 topics", "The table of the 6 services"):
        assert f"{what} would take this page past its 1e-06 MB" in html, what
    assert "<tr data-service" not in html and "<details" not in html
    assert "No findings: every rule passed." in html  # nothing to point at: said as it is

"""The HTML page in headless Chromium: no console errors, diagrams drawn, the filter works.

Slow (starts Chromium three times); skipped where Chromium is not installed.
Set ARCHGEN_SCREENSHOT_DIR to keep the screenshot for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from archgen.generators.diagrams.sequences import derive_sequences
from archgen.generators.docs import DocsGenerator
from tests.diagrams.helpers import ecommerce
from tests.docs.helpers import chromium, load, png_colors, with_script
from tests.helpers import ctx_of

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(chromium() is None, reason="chromium is not installed")]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docs")
    for file in DocsGenerator(prefix="").plan(ctx_of(ecommerce())):
        (folder / file.path).write_text(str(file.content), encoding="utf-8")
    return folder / "index.html"


def test_loads_without_console_errors_and_draws_the_diagrams(page: Path,
                                                             tmp_path: Path) -> None:
    loaded = load(page, tmp_path / "profile")
    assert 'data-ready="true"' in loaded.dom, "the page's script did not run"
    assert loaded.console_lines() == []
    flows = len(derive_sequences(ecommerce()))
    assert f'data-diagrams-drawn="{3 + flows}"' in loaded.dom  # the views, then the flows


def test_the_url_hash_filters_the_service_table(page: Path, tmp_path: Path) -> None:
    loaded = load(page, tmp_path / "profile", "#filter=Payments")
    shown = re.findall(r'<tr data-service="([a-z-]+)">', loaded.dom)
    hidden = re.findall(r'<tr data-service="([a-z-]+)" hidden="">', loaded.dom)
    assert shown == ["payment-service"]
    assert len(hidden) == len(ecommerce().services) - 1
    assert "1 of 6 services" in loaded.dom


def test_the_console_check_does_catch_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><html><body><script>console.error('boom');"
                      "undefinedFunction();</script></body></html>")
    loaded = load(broken, tmp_path / "profile")
    assert any("boom" in line for line in loaded.console_lines())
    assert any("undefinedFunction" in line for line in loaded.console_lines())


def test_screenshot(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "index.png"
    load(page, tmp_path / "profile", screenshot=shot)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 50_000  # not a blank page
    keep = os.environ.get("ARCHGEN_SCREENSHOT_DIR")
    if keep:
        shutil.copy(shot, Path(keep) / "index.png")


# Colours only the flows' drawings use: a note, a failure branch's background.
NOTE_FILL, FAILURE_FILL = (0xFE, 0xF9, 0xC3), (0xFE, 0xF2, 0xF2)
# Headless Chromium screenshots the top of the page only (scrolling leaves it blank):
# the page is shown from the chosen figure on, everything before it hidden.
SHOW_ONLY = ("document.querySelectorAll('header, nav, main > :not(#overview), "
             "#overview > :not(#diagrams), #diagrams > :not(#%s)')"
             ".forEach(function (e) { e.style.display = 'none'; });")


def test_the_page_shows_the_order_flow_with_its_failure_branch(page: Path,
                                                                tmp_path: Path) -> None:
    counts = {}
    for figure in ("flow-order-service-post-v1-orders", "diagram-system"):
        shot = tmp_path / f"{figure}.png"
        shown = with_script(page, SHOW_ONLY % figure, tmp_path / f"{figure}.html")
        load(shown, tmp_path / "profile", screenshot=shot, height=1300)
        counts[figure] = png_colors(shot)
        keep = os.environ.get("ARCHGEN_SCREENSHOT_DIR")
        if keep:
            shutil.copy(shot, Path(keep) / shot.name)
    flow = counts["flow-order-service-post-v1-orders"]
    # Eleven notes and the failure branch's tint, drawn at the page's width.
    assert flow[NOTE_FILL] > 20_000 and flow[FAILURE_FILL] > 100_000, flow.most_common(6)
    # The control: the system view, shown the same way, has neither colour.
    assert counts["diagram-system"][NOTE_FILL] == counts["diagram-system"][FAILURE_FILL] == 0


def test_hostile_catalog_text_runs_no_script(tmp_path: Path) -> None:
    from tests.diagrams.helpers import hostile

    page = tmp_path / "index.html"
    files = DocsGenerator(prefix="").plan(ctx_of(hostile()))
    html = next(f for f in files if f.path == "index.html")
    page.write_text(str(html.content), encoding="utf-8")
    loaded = load(page, tmp_path / "profile")
    assert 'data-ready="true"' in loaded.dom
    # An injected <script> would be refused by the CSP, and Chromium would log it.
    assert loaded.console_lines() == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in loaded.dom

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

from archgen.generators.docs import DocsGenerator
from tests.diagrams.helpers import ecommerce
from tests.docs.helpers import chromium, load
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
    assert 'data-diagrams-drawn="3"' in loaded.dom


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

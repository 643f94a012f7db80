"""The page's explorer in headless Chromium: focus, search, drill-down, pan and zoom.

Interactions are driven by a script the test adds to a copy of the page (its hash
added to the page's CSP, as the page's own script's is): it clicks or types with
real DOM events, then Chromium dumps the DOM. Screenshots at 1400 px wide of the
blueprint, Train-Ticket (45 services) and 200 synthetic services are kept in
ARCHGEN_SCREENSHOT_DIR when it is set.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from archgen.generators.docs import DocsGenerator
from archgen.model.resolved import ResolvedCatalog
from tests.diagrams.helpers import ecommerce, synthetic, train_ticket
from tests.docs.helpers import chromium, load
from tests.docs.helpers import with_script as _with_script
from tests.helpers import ctx_of

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(chromium() is None, reason="chromium is not installed")]


def _page(folder: Path, catalog: ResolvedCatalog) -> Path:
    for file in DocsGenerator(prefix="").plan(ctx_of(catalog)):
        (folder / file.path).write_text(str(file.content), encoding="utf-8")
    return folder / "index.html"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _page(tmp_path_factory.mktemp("shop"), ecommerce())


@pytest.fixture(scope="module")
def trains(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _page(tmp_path_factory.mktemp("trains"), train_ticket())


def _model(dom: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="explore-model">(.*?)</script>', dom,
                      re.S)
    assert match is not None
    data: dict[str, object] = json.loads(match.group(1))
    return data


def _classes(dom: str, figure: str) -> dict[str, str]:
    """node id (its <title>) -> class attribute, for the nodes of one drawing."""
    return {html.unescape(title): cls for cls, title in re.findall(
        rf'<g id="d-{figure}-[^"]*" class="(node[^"]*)">\s*<title>([^<]*)</title>', dom)}


def _neighbours(model: dict[str, object], service: str) -> set[str]:
    svc = model["services"][service]  # type: ignore[index]
    ids = {c[1] for c in svc["calls"] + svc["callers"]}
    if svc["store"]:
        ids.add(svc["store"][0])
    if svc["routed"]:
        ids.add("gateway")
    return ids | set(svc["topics"])


CLICK = """
var node = Array.prototype.find.call(document.querySelectorAll("#diagram-system g.node"),
  function (g) { return g.querySelector("title").textContent === "%s"; });
node.dispatchEvent(new MouseEvent("click", {bubbles: true}));
"""


def test_clicking_a_service_highlights_its_neighbours_and_dims_the_rest(
        shop: Path, tmp_path: Path) -> None:
    page = _with_script(shop, CLICK % "svc_order_service", tmp_path / "click.html")
    loaded = load(page, tmp_path / "profile")
    assert loaded.console_lines() == []
    assert 'data-focus="order-service"' in loaded.dom
    neighbours = _neighbours(_model(loaded.dom), "order-service")
    classes = _classes(loaded.dom, "system")
    assert classes["svc_order_service"] == "node x-focus"
    shown = {n for n, c in classes.items() if c == "node x-hl"}
    dimmed = {n for n, c in classes.items() if c == "node x-dim"}
    assert shown == neighbours & set(classes)
    assert {"svc_payment_service", "svc_shipping_service", "db_orders_db"} <= shown
    assert dimmed == set(classes) - neighbours - {"svc_order_service"}
    assert "svc_notification_service" in dimmed or "svc_notification_service" in shown
    # Its topics light up in the event flow, the other topics are dimmed.
    events = _classes(loaded.dom, "events")
    assert events["topic_orders"] == "node x-hl"
    assert events["topic_inventory"] in ("node x-hl", "node x-dim")


def test_a_service_link_opens_its_focus_with_budgets(shop: Path, tmp_path: Path) -> None:
    loaded = load(shop, tmp_path / "profile", "#service=payment-service")
    assert loaded.console_lines() == []
    classes = _classes(loaded.dom, "system")
    assert classes["svc_payment_service"] == "node x-focus"
    focus = re.search(r'<aside id="explore-focus"[^>]*>(.*?)</aside>', loaded.dom, re.S)
    assert focus is not None and "hidden" not in focus.group(0).split(">")[0]
    assert "Called by" in focus.group(1)
    assert re.search(r"order-service</a><span[^>]*> \(http 60 ms x3 &lt;= \d+ ms\)",
                     focus.group(1)), focus.group(1)


def test_search_finds_services_endpoints_and_events(shop: Path, tmp_path: Path) -> None:
    script = """
var box = document.getElementById("explore-search");
box.value = "payment"; box.dispatchEvent(new Event("input"));
document.documentElement.setAttribute("data-hits-1",
  document.getElementById("explore-results").textContent);
box.value = "POST /api/v1/orders"; box.dispatchEvent(new Event("input"));
"""
    loaded = load(_with_script(shop, script, tmp_path / "search.html"), tmp_path / "profile")
    first = re.search(r'data-hits-1="([^"]*)"', loaded.dom)
    assert first is not None
    assert "payment-service" in first.group(1) and "payment.completed" in first.group(1)
    results = re.search(r'<ul id="explore-results">(.*?)</ul>', loaded.dom, re.S)
    assert results is not None
    assert 'href="#service=order-service"' in results.group(1)
    assert "endpoint of order-service" in results.group(1)


def test_zoom_buttons_change_the_drawing_s_view_box(shop: Path, tmp_path: Path) -> None:
    script = """
var svg = document.querySelector("#diagram-system svg");
var before = svg.getAttribute("viewBox");
document.querySelector('#diagram-system button[data-zoom="+"]').click();
document.documentElement.setAttribute("data-zoomed",
  String(svg.getAttribute("viewBox") !== before));
"""
    loaded = load(_with_script(shop, script, tmp_path / "zoom.html"), tmp_path / "profile")
    assert 'data-zoomed="true"' in loaded.dom


def test_a_context_node_drills_down_to_its_services(trains: Path, tmp_path: Path) -> None:
    loaded = load(trains, tmp_path / "probe")
    booking = next(k for k, v in _model(loaded.dom)["contexts"].items()  # type: ignore[union-attr]
                   if v["name"] == "Booking")
    page = _with_script(trains, CLICK % booking, tmp_path / "drill.html")
    loaded = load(page, tmp_path / "profile")
    assert loaded.console_lines() == []
    assert 'data-context="booking"' in loaded.dom
    drill = re.search(r'<figure id="explore-context"[^>]*>(.*?)</figure>', loaded.dom, re.S)
    assert drill is not None and "hidden" not in drill.group(0).split(">")[0]
    assert "<title>svc_ts_preserve_service</title>" in drill.group(1)
    assert "Booking (7 services)" in drill.group(1)


def _screenshot(make: Callable[[], ResolvedCatalog], name: str, folder: Path,
                fragment: str = "") -> Path:
    page = _page(folder, make())
    shot = folder / f"{name}.png"
    load(page, folder / "profile", fragment, screenshot=shot, height=2200)
    keep = os.environ.get("ARCHGEN_SCREENSHOT_DIR")
    if keep:
        shutil.copy(shot, Path(keep) / f"explore-{name}.png")
    return shot


@pytest.mark.parametrize(("name", "make", "fragment"), [
    ("ecommerce", ecommerce, "#service=order-service"),
    ("train-ticket", train_ticket, "#service=ts-preserve-service"),
    ("synthetic-200", lambda: synthetic(200), ""),
])
def test_screenshot_at_1400_px(name: str, make: Callable[[], ResolvedCatalog], fragment: str,
                               tmp_path: Path) -> None:
    data = _screenshot(make, name, tmp_path, fragment).read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 50_000  # not a blank page


def test_every_icon_a_context_drawing_uses_is_on_the_page(trains: Path) -> None:
    text = trains.read_text(encoding="utf-8")
    used = set(re.findall(r'<use xlink:href="#(archgen-icon-\d+)"', text))
    defined = set(re.findall(r'<image id="(archgen-icon-\d+)"', text))
    assert used and used <= defined, used - defined

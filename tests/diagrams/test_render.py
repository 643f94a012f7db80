"""PNG and SVG through the `diagrams` package: real images, self-contained SVGs."""

from __future__ import annotations

import re

from archgen.generators.diagrams.generator import build_views, render_files
from archgen.generators.diagrams.icons import icon_class_path
from archgen.generators.diagrams.render import dot_source, render_view
from tests.diagrams.helpers import ecommerce, hostile


def test_png_and_svg_are_images_and_marked_not_reproducible() -> None:
    files = render_files(build_views(ecommerce(), ["system"]), ["png", "svg"])
    by_path = {f.path: f for f in files}
    png = by_path["system.png"].content
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = by_path["system.svg"].content
    assert isinstance(svg, bytes) and b"<svg" in svg
    assert not any(f.reproducible for f in files)


def test_svg_embeds_icons_instead_of_pointing_into_the_python_install() -> None:
    svg = render_view(build_views(ecommerce(), ["system"])[0], ["svg"])["svg"].decode()
    hrefs = re.findall(r'xlink:href="([^"]*)"', svg)
    assert hrefs, "the system view has icons"
    assert all(h.startswith("data:image/png;base64,") for h in hrefs)
    assert "site-packages" not in svg and "/resources/" not in svg


def test_fitting_icons_for_the_blueprint_technologies() -> None:
    source = "".join(dot_source(v) for v in build_views(ecommerce(), ["system", "events"]))
    for icon in ("kong.png", "fastapi.png", "kafka.png", "postgresql.png", "mongodb.png",
                 "redis.png", "prometheus.png"):
        assert icon in source, icon


def test_unknown_technologies_fall_back_to_plain_shapes() -> None:
    views = build_views(ecommerce(), ["context"])
    assert all(icon_class_path(n) is None for n in views[0].nodes)


def test_hostile_labels_render_as_text_not_markup() -> None:
    for view in build_views(hostile(), ["system", "events"]):
        svg = render_view(view, ["svg"])["svg"].decode()
        assert "<script>" not in svg
        # The hostile service's description is a label in both views, escaped.
        assert "&lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in svg, view.name


def test_svg_viewbox_matches_its_size_so_browsers_do_not_crop() -> None:
    svg = render_view(build_views(ecommerce(), ["events"])[0], ["svg"])["svg"].decode()
    match = re.search(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt" '
                      r'viewBox="0\.00 0\.00 ([0-9.]+) ([0-9.]+)"', svg)
    assert match is not None
    assert match.group(1) == match.group(3) and match.group(2) == match.group(4)

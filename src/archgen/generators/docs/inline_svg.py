"""Graphviz SVGs made fit to sit side by side inside one HTML page.

- ids are unique on the page: graphviz numbers every drawing from `graph0`, `node1`;
  each diagram's ids (and the references to them) get the diagram's name as prefix;
- each icon is embedded once: graphviz SVGs repeat an icon's data URI at every node
  that shows it (at 2,000 services that is most of a 35 MB drawing); the page holds
  each icon once in a hidden `<defs>` and the drawings `<use>` it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SVG_START = re.compile(r"<svg\b")
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^)"]+)')
_IMAGE = re.compile(
    r'<image xlink:href="(data:[^"]+)" width="([^"]+)" height="([^"]+)" '
    r'preserveAspectRatio="([^"]+)" x="([^"]+)" y="([^"]+)"/>')


@dataclass
class IconStore:
    """The icons of every diagram on the page, each once, keyed by image and size."""

    ids: dict[tuple[str, str, str, str], str] = field(default_factory=dict)

    def use(self, match: re.Match[str]) -> str:
        href, width, height, aspect, x, y = match.groups()
        key = (href, width, height, aspect)
        icon = self.ids.setdefault(key, f"archgen-icon-{len(self.ids) + 1}")
        return f'<use xlink:href="#{icon}" x="{x}" y="{y}"/>'

    def defs(self) -> str:
        """One hidden SVG holding every icon; empty when no diagram has one."""
        if not self.ids:
            return ""
        images = "".join(
            f'<image id="{icon}" xlink:href="{href}" width="{w}" height="{h}" '
            f'preserveAspectRatio="{aspect}"/>'
            for (href, w, h, aspect), icon in self.ids.items())
        return ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
                ' width="0" height="0" style="position:absolute" aria-hidden="true">'
                f"<defs>{images}</defs></svg>")


def inline_svg(svg: bytes, prefix: str, icons: IconStore) -> str:
    """`svg` as an element of an HTML page: no XML prologue, ids under `prefix`, shared icons."""
    text = svg.decode("utf-8")
    match = _SVG_START.search(text)
    if match is None:
        return ""
    text = text[match.start():]
    text = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = _REF.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", text)
    return _IMAGE.sub(icons.use, text)


def size_of(svg: str) -> tuple[float, float]:
    """The drawing's width and height in pt (0, 0 when graphviz gave none)."""
    found = re.search(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', svg)
    return (float(found.group(1)), float(found.group(2))) if found else (0.0, 0.0)

"""What index.html adds to the document: the drawings, their legend, links to the views.

The page stays one static file that loads nothing. Drawings fit the page width and
open to full size on request (templates/docs/viewer.js); a drawing too big to embed
usefully, or one the page's byte budget has no room for (budget.py), is linked instead
of inlined, so the page stays usable at thousands of services.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from archgen.errors import ArchgenError
from archgen.generators.diagrams.dot import EDGE_COLOR, EDGE_STYLE
from archgen.generators.diagrams.model import Style, View
from archgen.generators.diagrams.render import render_view
from archgen.generators.diagrams.views import CLUSTER_THRESHOLD
from archgen.generators.docs.inline_svg import IconStore, inline_svg

# Beyond this an inline drawing costs seconds of layout and tens of MB of memory on
# every page load, for a picture too dense to read at page width anyway.
INLINE_LIMIT = 8_000_000
# Drawings past this size wait in a <template> until scrolled near (viewer.js): the page
# opens at once and lays out only what is looked at.
LAZY_FROM = 1_000_000
# Where `archgen generate` (generated/<name>/{docs,diagrams}) and the default folders
# of `archgen docs` and `archgen diagram` (docs/, diagrams/) put the drawings.
DIAGRAMS_HREF = "../diagrams/"


@dataclass(frozen=True, slots=True)
class PageDiagram:
    name: str
    title: str
    svg: Markup | None  # None: not embedded; `href` opens it
    href: str
    megabytes: float
    lazy: bool = False


@dataclass(frozen=True, slots=True)
class Drawing:
    """One view as graphviz drew it (or why it could not), before the page decides
    whether to inline it."""

    name: str
    title: str
    raw: bytes | None  # graphviz's SVG; None when it could not draw the view
    note: Markup | None = None  # what the page says instead, when not drawn
    embeddable: bool = False  # within INLINE_LIMIT once its icons are shared

    @property
    def href(self) -> str:
        return f"{DIAGRAMS_HREF}{self.name}.svg"

    def inline(self, icons: IconStore) -> str | None:
        """The drawing as page markup sharing `icons`; None when it must be linked."""
        if self.raw is None or not self.embeddable:
            return None
        return inline_svg(self.raw, f"d-{self.name}", icons)

    def on_page(self, svg: str | None) -> PageDiagram:
        """The figure: the drawing inline (`svg`), the note, or a link."""
        if self.raw is None:
            return PageDiagram(self.name, self.title, self.note, self.href, 0.0)
        megabytes = round(len(self.raw) / 1_000_000, 1)
        if svg is None:
            return PageDiagram(self.name, self.title, None, self.href, megabytes)
        return PageDiagram(self.name, self.title, Markup(svg), self.href, megabytes,
                           len(svg) >= LAZY_FROM)


@dataclass(frozen=True, slots=True)
class LegendEntry:
    dash: str  # an SVG stroke-dasharray, "" for a solid line
    color: str
    meaning: str


_DASH = {"solid": "", "dashed": "8 5", "dotted": "2 4"}
_MEANING = {
    Style.SYNC: "synchronous call (from caller to callee). A label such as `http 150 ms x3` "
                "reads: protocol, timeout per call, attempts in all (first try and retries); "
                "service views add `<= 550 ms`, the longest the caller can wait (every "
                "attempt and backoff). In the bounded-context system view, `4 calls` counts "
                "the calls between two contexts.",
    Style.ASYNC: "events (from producer to topic or bus to consumer), labelled with the "
                 "event names, or `N events` when there are more than four.",
    Style.DATA: "a service's own data store.",
    Style.DLQ: "failed events to a dead-letter topic.",
}


def drawings(views: Sequence[View], problems: list[str] | None = None) -> list[Drawing]:
    """Each view drawn by graphviz; a view it cannot draw is said on the page and
    appended to `problems` (one failed drawing must not stop the document); without a
    `problems` list the error propagates."""
    out = []
    for view in views:
        try:
            raw = render_view(view, ["svg"])["svg"]
        except ArchgenError as exc:
            if problems is None:
                raise
            problems.append(f"the {view.name} diagram of index.html not drawn: {exc.message}")
            note = Markup("<p>This diagram could not be drawn: {}</p>").format(exc.message)
            out.append(Drawing(view.name, view.title, None, note))
            continue
        size = len(inline_svg(raw, f"d-{view.name}", IconStore()))
        out.append(Drawing(view.name, view.title, raw, embeddable=size <= INLINE_LIMIT))
    return out


def legend() -> list[LegendEntry]:
    """The edge styles of every drawing, from the same tables the drawings use."""
    return [LegendEntry(_DASH[EDGE_STYLE[style]], EDGE_COLOR[style], meaning)
            for style, meaning in _MEANING.items()]


def service_view_href(name: str, services: int) -> tuple[str, str]:
    """The link to a service's own view, and what it is: SVG, or Mermaid text past
    CLUSTER_THRESHOLD services (where `archgen generate` draws no per-service images)."""
    if services <= CLUSTER_THRESHOLD:
        return f"{DIAGRAMS_HREF}service-{name}.svg", "SVG"
    return f"{DIAGRAMS_HREF}service-{name}.mmd", "Mermaid"

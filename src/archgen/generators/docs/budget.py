"""index.html's byte budget: what the page inlines is decided by measured size.

A browser must open the page (one file that loads nothing) whatever the
catalog's shape: long descriptions, many endpoints or huge drawings. The page
is rendered and measured: first without drawings; while that is over budget
the parts that grow with the catalog (and that architecture.md holds in full)
give way to a pointer there, one after another; then each drawing is inlined
in order while the page stays within budget, and linked otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from archgen.generators.docs.inline_svg import IconStore
from archgen.generators.docs.page import Drawing, PageDiagram

PAGE_BUDGET = 15_000_000  # bytes of the whole page, UTF-8
# Room for the few hundred bytes of markup around a drawing that the estimate leaves out.
_SLACK = 16_000
# What grows with the catalog, in the order it gives way (the template names them).
BULKY = ("service-details", "findings", "events", "data", "catalog")

Render = Callable[[Sequence[PageDiagram], IconStore, frozenset[str]], str]


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def fit(render: Render, drawings: Sequence[Drawing], budget: int | None = None) -> str:
    """The page from `render(diagrams, icons, linked parts)`, at most `budget` bytes
    (PAGE_BUDGET by default) whenever the page without drawings and bulky parts fits."""
    budget = PAGE_BUDGET if budget is None else budget
    unlinked = [d.on_page(None) for d in drawings]
    linked: list[str] = []
    text = render(unlinked, IconStore(), frozenset())
    for part in BULKY:
        if size(text) <= budget:
            break
        linked.append(part)
        text = render(unlinked, IconStore(), frozenset(linked))
    inlined = _inlined(drawings, size(text), budget)
    while True:
        icons = IconStore()
        diagrams = [d.on_page(d.inline(icons) if d.name in inlined else None) for d in drawings]
        text = render(diagrams, icons, frozenset(linked))
        if size(text) <= budget or not inlined:
            return text
        inlined.pop()  # the estimate was short: the last drawing taken is linked instead


def _inlined(drawings: Sequence[Drawing], used: int, budget: int) -> list[str]:
    """The names of the drawings that fit, in page order, given `used` bytes without them."""
    icons = IconStore()
    names = []
    for drawing in drawings:
        trial = IconStore(dict(icons.ids))
        svg = drawing.inline(trial)
        if svg is None:
            continue
        extra = size(svg) + size(trial.defs()) - size(icons.defs())
        if used + extra + _SLACK <= budget:
            names.append(drawing.name)
            icons, used = trial, used + extra
    return names

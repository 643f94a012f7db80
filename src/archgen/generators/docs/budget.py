"""index.html's byte budget: what the page inlines is decided by measured size.

A browser must open the page (one file that loads nothing) whatever the
catalog's shape: long descriptions, many endpoints or huge drawings. The page
is rendered and measured, drawings first: while the text and the drawings
small enough to embed (page.INLINE_LIMIT) do not fit together, the parts of the
text that grow with the catalog (and that architecture.md holds in full) give
way to a pointer there, one after another; each drawing is then inlined in
order while the page stays within budget, and linked otherwise. A drawing
repeats what ../diagrams/ has, the details what architecture.md has: the page
keeps the picture, the Markdown keeps every word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from archgen.generators.docs.inline_svg import IconStore
from archgen.generators.docs.page import Drawing, PageDiagram

PAGE_BUDGET = 15_000_000  # bytes of the whole page, UTF-8
# Room for the few hundred bytes of markup around a drawing that the estimate leaves out.
_SLACK = 16_000
# What grows with the catalog, in the order it gives way (the template names them).
BULKY = ("service-details", "flows", "findings", "events", "data", "catalog")

Render = Callable[[Sequence[PageDiagram], IconStore, frozenset[str]], str]


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def fit(render: Render, drawings: Sequence[Drawing], budget: int | None = None) -> str:
    """The page from `render(diagrams, icons, linked parts)`, at most `budget` bytes
    (PAGE_BUDGET by default) whenever the page without drawings and bulky parts fits."""
    budget = PAGE_BUDGET if budget is None else budget
    unlinked = [d.on_page(None) for d in drawings]
    wanted = sum(1 for d in drawings if d.embeddable)
    choice: tuple[frozenset[str], list[str]] | None = None
    for count in range(len(BULKY) + 1):
        parts = frozenset(BULKY[:count])
        used = size(render(unlinked, IconStore(), parts))
        if used > budget:
            continue
        fitting = _inlined(drawings, used, budget)
        if choice is None or len(fitting) > len(choice[1]):
            choice = (parts, fitting)
        if len(fitting) == wanted:
            break
    linked, inlined = choice if choice is not None else (frozenset(BULKY), [])
    while True:
        icons = IconStore()
        diagrams = [d.on_page(d.inline(icons) if d.name in inlined else None) for d in drawings]
        text = render(diagrams, icons, linked)
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

"""A flow's sequence diagram drawn as SVG, in Python: the page shows it without a script.

Graphviz has no sequence layout, and the page loads nothing (no Mermaid in the browser),
so the layout is done here: one column per participant, one row per message or note,
`alt`/`opt` frames around their branches. Columns are spaced so that every message
label fits between the lifelines it joins. Text widths are estimated (no font metrics
here), generously, so labels do not overlap in common sans-serif fonts. The SVG has no
ids (arrowheads are drawn as paths), so many of them can sit on one page, and it is
byte-identical across runs.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from archgen.escaping import xml_text
from archgen.generators.diagrams.sequences import Block, Message, Note, SequenceFlow, Step

FONT = 12
CHAR_W = 7.0  # estimated advance of one character at FONT px
NOTE_CHARS = 40  # a note wraps past this many characters a line
LINE_H = 15
HEAD_H = 36
GAP = 24  # the least space between two participant boxes
MARGIN = 12
FRAME_PAD = 10

_FILL = {"client": ("#f5f5f5", "#555555"), "gateway": ("#fde2c8", "#b35c00"),
         "service": ("#dbeafe", "#1d4ed8"), "bus": ("#ede9fe", "#6d28d9")}
_LINE = {"call": ("#1f2937", ""), "reply": ("#1f2937", "6 4"), "event": ("#6d28d9", "")}
_FAILURE_FILL = "#fef2f2"


def text_width(text: str) -> float:
    return len(text) * CHAR_W


def note_lines(text: str) -> list[str]:
    return textwrap.wrap(text, NOTE_CHARS, break_long_words=True) or [""]


def note_width(text: str) -> float:
    return max(text_width(line) for line in note_lines(text)) + 16


@dataclass
class _Canvas:
    below: list[str] = field(default_factory=list)  # frame fills, under the lifelines
    above: list[str] = field(default_factory=list)
    left: float = 0.0
    right: float = 0.0

    def widen(self, lo: float, hi: float) -> None:
        self.left, self.right = min(self.left, lo), max(self.right, hi)


def render(flow: SequenceFlow) -> str:
    index = {p.id: i for i, p in enumerate(flow.participants)}
    widths = [max(90.0, text_width(p.label) + 20) for p in flow.participants]
    xs = _columns(flow, index, widths)
    canvas = _Canvas(left=xs[0] - widths[0] / 2, right=xs[-1] + widths[-1] / 2)
    top = MARGIN + 22  # the title above the boxes
    y = _steps(flow.steps, xs, index, top + HEAD_H + 14, canvas)
    bottom = y + 10
    parts: list[str] = []
    for x in xs:
        parts.append(f'<line x1="{x:g}" y1="{top + HEAD_H:g}" x2="{x:g}" y2="{bottom:g}" '
                     'stroke="#94a3b8" stroke-dasharray="4 4"/>')
    for i, p in enumerate(flow.participants):
        for box_y in (top, bottom):
            parts.append(_box(xs[i], box_y, widths[i], p.label, p.kind))
    left, right = canvas.left - MARGIN, canvas.right + MARGIN
    width, height = right - left, bottom + HEAD_H + MARGIN
    title = xml_text(flow.title)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{left:g} 0 {width:g} '
            f'{height:g}" width="{width:g}" height="{height:g}" role="img" '
            f'aria-label="{title}" font-family="Helvetica, Arial, sans-serif" '
            f'font-size="{FONT}">')
    body = [head, f"<title>{title}</title>",
            f'<rect x="{left:g}" y="0" width="{width:g}" height="{height:g}" fill="#ffffff"/>',
            f'<text x="{left + MARGIN:g}" y="{MARGIN + 12:g}" font-weight="bold">'
            f"{title}</text>", *canvas.below, *parts, *canvas.above, "</svg>"]
    return "\n".join(body) + "\n"


def _columns(flow: SequenceFlow, index: dict[str, int], widths: list[float]) -> list[float]:
    """Each participant's x: apart enough for its box, and for every label between two."""
    n = len(widths)
    need: dict[tuple[int, int], float] = {}

    def want(i: int, j: int, d: float) -> None:
        if 0 <= i < j < n:
            need[(i, j)] = max(need.get((i, j), 0.0), d)

    for i in range(n - 1):
        want(i, i + 1, (widths[i] + widths[i + 1]) / 2 + GAP)
    for step in _flat(flow.steps):
        if isinstance(step, Message):
            a, b = sorted((index[step.source], index[step.target]))
            want(a, b, text_width(step.text) + 30)
        else:
            half = note_width(step.text) / 2 + 12
            p = index[step.over]
            want(p - 1, p, half + 20)
            want(p, p + 1, half + 20)
    xs = [widths[0] / 2]
    for j in range(1, n):
        xs.append(max(xs[i] + d for (i, jj), d in need.items() if jj == j))
    return xs


def _flat(steps: tuple[Step, ...]) -> list[Message | Note]:
    out: list[Message | Note] = []
    for step in steps:
        if isinstance(step, Block):
            for branch in step.branches:
                out.extend(_flat(branch.steps))
        else:
            out.append(step)
    return out


def _steps(steps: tuple[Step, ...], xs: list[float], index: dict[str, int], y: float,
           canvas: _Canvas, failure: bool = False) -> float:
    for step in steps:
        if isinstance(step, Message):
            y = _message(step, xs[index[step.source]], xs[index[step.target]], y, canvas)
        elif isinstance(step, Note):
            y = _note(step, xs[index[step.over]], y, canvas)
        else:
            y = _block(step, xs, index, y, canvas)
    return y


def _message(step: Message, x1: float, x2: float, y: float, canvas: _Canvas) -> float:
    color, dash = _LINE[step.style]
    line_y = y + 16
    mid = (x1 + x2) / 2
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    canvas.above.append(f'<text x="{mid:g}" y="{y + 10:g}" text-anchor="middle" '
                        f'fill="{color}">{xml_text(step.text)}</text>')
    canvas.above.append(f'<line x1="{x1:g}" y1="{line_y:g}" x2="{x2:g}" y2="{line_y:g}" '
                        f'stroke="{color}" stroke-width="1.4"{dash_attr}/>')
    back = 9 if x2 > x1 else -9
    head = f"M{x2 - back:g} {line_y - 4:g} L{x2:g} {line_y:g} L{x2 - back:g} {line_y + 4:g}"
    if step.style == "call":
        canvas.above.append(f'<path d="{head} Z" fill="{color}"/>')
    else:
        canvas.above.append(f'<path d="{head}" fill="none" stroke="{color}" '
                            'stroke-width="1.4"/>')
    return y + 28


def _note(step: Note, x: float, y: float, canvas: _Canvas) -> float:
    lines = note_lines(step.text)
    width = note_width(step.text)
    height = len(lines) * LINE_H + 8
    left = x - width / 2
    canvas.widen(left, left + width)
    canvas.above.append(f'<rect x="{left:g}" y="{y + 2:g}" width="{width:g}" '
                        f'height="{height:g}" fill="#fef9c3" stroke="#ca8a04"/>')
    for i, line in enumerate(lines):
        canvas.above.append(f'<text x="{left + 8:g}" y="{y + 2 + 15 + i * LINE_H:g}" '
                            f'fill="#1f2937">{xml_text(line)}</text>')
    return y + height + 8


def _extent(block: Block, xs: list[float], index: dict[str, int]) -> tuple[float, float]:
    """The horizontal span of a block's contents, frames inside it included."""
    lo, hi = float("inf"), float("-inf")
    for branch in block.branches:
        for step in branch.steps:
            if isinstance(step, Message):
                points = [xs[index[step.source]], xs[index[step.target]]]
            elif isinstance(step, Note):
                half = note_width(step.text) / 2
                points = [xs[index[step.over]] - half, xs[index[step.over]] + half]
            else:
                points = list(_extent(step, xs, index))
            lo, hi = min(lo, *points), max(hi, *points)
    if lo > hi:  # an empty block: nothing to span
        lo = hi = xs[0]
    left = lo - FRAME_PAD
    labels = max(text_width(_label(block, i)) for i in range(len(block.branches)))
    return left, max(hi + FRAME_PAD, left + labels + 56)


def _label(block: Block, i: int) -> str:
    return f"[{block.branches[i].label}]"


def _block(block: Block, xs: list[float], index: dict[str, int], y: float,
           canvas: _Canvas) -> float:
    left, right = _extent(block, xs, index)
    canvas.widen(left, right)
    top = y
    for i, branch in enumerate(block.branches):
        start = y
        if i:
            canvas.above.append(f'<line x1="{left:g}" y1="{y:g}" x2="{right:g}" y2="{y:g}" '
                                'stroke="#64748b" stroke-dasharray="5 3"/>')
        label_x = left + 48
        canvas.above.append(f'<text x="{label_x:g}" y="{y + 15:g}" font-style="italic" '
                            f'fill="#334155">{xml_text(_label(block, i))}</text>')
        y = _steps(branch.steps, xs, index, y + 22, canvas)
        if "failure" in branch.label:
            canvas.below.append(f'<rect x="{left:g}" y="{start:g}" width="{right - left:g}" '
                                f'height="{y - start:g}" fill="{_FAILURE_FILL}"/>')
    y += 6
    canvas.above.append(f'<rect x="{left:g}" y="{top:g}" width="{right - left:g}" '
                        f'height="{y - top:g}" fill="none" stroke="#64748b"/>')
    canvas.above.append(f'<path d="M{left:g} {top:g} H{left + 40:g} V{top + 12:g} '
                        f'L{left + 34:g} {top + 19:g} H{left:g} Z" fill="#e2e8f0" '
                        'stroke="#64748b"/>')
    canvas.above.append(f'<text x="{left + 6:g}" y="{top + 14:g}" font-weight="bold" '
                        f'fill="#334155">{block.kind}</text>')
    return y + 4


def _box(x: float, y: float, width: float, label: str, kind: str) -> str:
    fill, stroke = _FILL[kind]
    return (f'<rect x="{x - width / 2:g}" y="{y:g}" width="{width:g}" height="{HEAD_H:g}" '
            f'rx="4" fill="{fill}" stroke="{stroke}"/>'
            f'<text x="{x:g}" y="{y + HEAD_H / 2 + 4:g}" text-anchor="middle" '
            f'fill="#1f2937">{xml_text(label)}</text>')

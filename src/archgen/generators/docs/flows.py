"""The flows' sequence diagrams in the documents: Mermaid in architecture.md, SVG on the page.

The page shows the drawings seq_svg.py makes (no script, no fetch: the page loads
nothing). A catalog with many flows shows the FLOWS_SHOWN longest, in name order, and
says where the others are (diagrams/flows/ has every one).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from archgen.generators.diagrams import seq_svg, seq_text
from archgen.generators.diagrams.seq_files import FLOWS_FOLDER
from archgen.generators.diagrams.sequences import Block, SequenceFlow, Step, derive_sequences
from archgen.generators.docs.page import DIAGRAMS_HREF
from archgen.model.resolved import ResolvedCatalog

FLOWS_SHOWN = 12


@dataclass(frozen=True, slots=True)
class DocFlow:
    name: str
    title: str
    mermaid: str
    svg: Markup
    href: str


@dataclass(frozen=True, slots=True)
class DocFlows:
    shown: tuple[DocFlow, ...]
    total: int
    folder: str = f"{DIAGRAMS_HREF}{FLOWS_FOLDER}"


def doc_flows(catalog: ResolvedCatalog) -> DocFlows:
    flows = derive_sequences(catalog)
    longest = sorted(flows, key=lambda f: (-_size(f.steps), f.name))[:FLOWS_SHOWN]
    shown = tuple(_doc_flow(f) for f in sorted(longest, key=lambda f: f.name))
    return DocFlows(shown, len(flows))


def _doc_flow(flow: SequenceFlow) -> DocFlow:
    # seq_svg escapes every text it draws and writes no ids: safe to inline as it is.
    return DocFlow(flow.name, flow.title, seq_text.mermaid(flow), Markup(seq_svg.render(flow)),
                   f"{DIAGRAMS_HREF}{FLOWS_FOLDER}{flow.name}.svg")


def _size(steps: tuple[Step, ...]) -> int:
    return sum(sum(_size(b.steps) for b in s.branches) if isinstance(s, Block) else 1
               for s in steps)

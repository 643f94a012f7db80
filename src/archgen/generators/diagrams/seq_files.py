"""The flows' sequence diagrams as files: diagrams/flows/<flow>.mmd, .puml and .svg.

All three are drawn here (the SVG by seq_svg.py, not graphviz), so every one is
byte-identical across runs. PNG and DOT have no sequence form: asked for only those,
no flow file is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from archgen.generators.diagrams import seq_svg, seq_text
from archgen.generators.diagrams.sequences import SequenceFlow, derive_sequences
from archgen.model.resolved import ResolvedCatalog
from archgen.output import OutputFile

FLOWS_FOLDER = "flows/"
FLOWS_VIEW = "flows"  # `archgen diagram --view flows`
FLOW_FORMATS: dict[str, tuple[str, Callable[[SequenceFlow], str]]] = {
    "mermaid": ("mmd", seq_text.mermaid),
    "plantuml": ("puml", seq_text.plantuml),
    "svg": ("svg", seq_svg.render),
}


def flow_files(catalog: ResolvedCatalog, formats: Iterable[str], prefix: str = "",
               generator: str = "diagrams") -> list[OutputFile]:
    """Every flow in each of `formats` that has a sequence form, sorted by path."""
    wanted = [f for f in dict.fromkeys(formats) if f in FLOW_FORMATS]
    return drawn_flows(derive_sequences(catalog) if wanted else [], wanted, prefix, generator)


def drawn_flows(flows: Iterable[SequenceFlow], formats: Iterable[str], prefix: str = "",
                generator: str = "diagrams") -> list[OutputFile]:
    """These derived flows in each of `formats` that has a sequence form, sorted by path."""
    wanted = [f for f in dict.fromkeys(formats) if f in FLOW_FORMATS]
    files = []
    for flow in flows if wanted else ():
        for fmt in wanted:
            ext, render = FLOW_FORMATS[fmt]
            files.append(OutputFile(f"{prefix}{FLOWS_FOLDER}{flow.name}.{ext}", render(flow),
                                    generator))
    return sorted(files, key=lambda f: f.path)

"""Mermaid flowcharts of a View."""

from __future__ import annotations

from archgen.generators.diagrams import escape
from archgen.generators.diagrams.model import Kind, Node, Style, View

# Shapes say what a node is without icons: stores are cylinders, topics queues.
_SHAPES = {
    Kind.CLIENT: ('(["', '"])'), Kind.GATEWAY: ('{{"', '"}}'), Kind.STORE: ('[("', '")]'),
    Kind.BUS: ('[["', '"]]'), Kind.TOPIC: ('[/"', '"/]'), Kind.DLQ: ('[/"', '"/]'),
    Kind.CONTEXT: ('("', '")'), Kind.EXTERNAL: ('["', '"]'),
}
_ARROWS = {Style.SYNC: "-->", Style.ASYNC: "-.->", Style.DATA: "---", Style.DLQ: "-.->",
           Style.LAYOUT: "~~~"}


def render(view: View) -> str:
    lines = ["---", f'title: "{escape.mermaid(view.title)}"', "---",
             f"flowchart {view.direction}"]
    grouped = {c.id: [n for n in view.nodes if n.cluster == c.id] for c in view.clusters}
    for node in view.nodes:
        if not node.cluster:
            lines.append("    " + _node(node))
    for cluster in view.clusters:
        lines.append(f'    subgraph {cluster.id}["{escape.mermaid(cluster.label)}"]')
        lines.extend("        " + _node(n) for n in grouped[cluster.id])
        lines.append("    end")
    for edge in view.edges:
        arrow = _ARROWS[edge.style]
        label = f'|"{escape.mermaid(edge.label)}"|' if edge.label else ""
        lines.append(f"    {edge.source} {arrow}{label} {edge.target}")
    for kind in sorted({n.kind for n in view.nodes}):
        ids = ",".join(n.id for n in view.nodes if n.kind is kind)
        lines.append(f"    class {ids} {kind.value}")
    lines.extend(_CLASS_DEFS)
    return "\n".join(lines) + "\n"


def _node(node: Node) -> str:
    text = node.label
    if node.tech:
        text += f"\n[{node.tech}]"
    if node.detail:
        text += f"\n{node.detail}"
    opening, closing = _SHAPES.get(node.kind, ('["', '"]'))
    return f"{node.id}{opening}{escape.mermaid(text)}{closing}"


_CLASS_DEFS = (
    "    classDef client fill:#f5f5f5,stroke:#555",
    "    classDef gateway fill:#fde2c8,stroke:#b35c00",
    "    classDef service fill:#dbeafe,stroke:#1d4ed8",
    "    classDef external fill:#fff,stroke:#999,stroke-dasharray:4 2",
    "    classDef store fill:#dcfce7,stroke:#15803d",
    "    classDef bus fill:#ede9fe,stroke:#6d28d9",
    "    classDef topic fill:#ede9fe,stroke:#6d28d9",
    "    classDef dlq fill:#fee2e2,stroke:#b91c1c",
    "    classDef context fill:#e0f2fe,stroke:#0369a1",
    "    classDef infra fill:#f1f5f9,stroke:#475569",
)

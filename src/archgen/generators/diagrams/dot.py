"""Graphviz DOT of a View, plain (no icons): the text format to diff and post-process."""

from __future__ import annotations

from archgen.generators.diagrams import escape
from archgen.generators.diagrams.model import Kind, Node, Style, View
from archgen.generators.diagrams.ranks import RANKED_NODESEP

_SHAPES = {
    Kind.CLIENT: "oval", Kind.GATEWAY: "hexagon", Kind.SERVICE: "box",
    Kind.EXTERNAL: "box", Kind.STORE: "cylinder", Kind.BUS: "cds", Kind.TOPIC: "cds",
    Kind.DLQ: "cds", Kind.CONTEXT: "box", Kind.INFRA: "component",
}
FILL = {
    Kind.CLIENT: "#f5f5f5", Kind.GATEWAY: "#fde2c8", Kind.SERVICE: "#dbeafe",
    Kind.EXTERNAL: "#ffffff", Kind.STORE: "#dcfce7", Kind.BUS: "#ede9fe",
    Kind.TOPIC: "#ede9fe", Kind.DLQ: "#fee2e2", Kind.CONTEXT: "#e0f2fe", Kind.INFRA: "#f1f5f9",
}
EDGE_STYLE = {Style.SYNC: "solid", Style.ASYNC: "dashed", Style.DATA: "dotted",
              Style.DLQ: "dashed", Style.LAYOUT: "invis"}
EDGE_COLOR = {Style.SYNC: "#1f2937", Style.ASYNC: "#6d28d9", Style.DATA: "#15803d",
              Style.DLQ: "#b91c1c", Style.LAYOUT: "#ffffff"}


def node_text(node: Node) -> str:
    text = node.label
    if node.tech:
        text += f"\n[{node.tech}]"
    if node.detail:
        text += f"\n{node.detail}"
    return text


def render(view: View) -> str:
    lines = [f'digraph "{escape.dot(view.name)}" {{',
             f'  graph [label="{escape.dot(view.title)}", labelloc=t, rankdir={view.direction}, '
             'fontname="Helvetica", fontsize=16, '
             f'nodesep={RANKED_NODESEP if view.ranks else "0.5"}, ranksep=0.9];',
             '  node [fontname="Helvetica", fontsize=11, style="filled,rounded"];',
             '  edge [fontname="Helvetica", fontsize=9];']
    for node in view.nodes:
        if not node.cluster:
            lines.append("  " + _node(node))
    for cluster in view.clusters:
        lines.append(f'  subgraph "cluster_{cluster.id}" {{')
        lines.append(f'    label="{escape.dot(cluster.label)}"; style="rounded"; '
                     'color="#94a3b8";')
        lines.extend("    " + _node(n) for n in view.nodes if n.cluster == cluster.id)
        lines.append("  }")
    for edge in view.edges:
        rank = "" if edge.ranked else ", constraint=false"
        lines.append(f'  "{edge.source}" -> "{edge.target}" [label="{escape.dot(edge.label)}", '
                     f'style={EDGE_STYLE[edge.style]}, color="{EDGE_COLOR[edge.style]}"{rank}];')
    lines.extend("  " + line for line in view.rank_lines())
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node(node: Node) -> str:
    return (f'"{node.id}" [label="{escape.dot(node_text(node))}", shape={_SHAPES[node.kind]}, '
            f'fillcolor="{FILL[node.kind]}"];')

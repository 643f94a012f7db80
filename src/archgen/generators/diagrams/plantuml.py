"""PlantUML C4 (container level) of a View, using the C4-PlantUML standard library.

`!include <C4/C4_Container>` resolves inside PlantUML itself: no network needed.
"""

from __future__ import annotations

from archgen.generators.diagrams import escape
from archgen.generators.diagrams.model import Kind, Node, Style, View

_MACROS = {
    Kind.CLIENT: "Person", Kind.GATEWAY: "Container", Kind.SERVICE: "Container",
    Kind.EXTERNAL: "Container_Ext", Kind.STORE: "ContainerDb", Kind.BUS: "ContainerQueue",
    Kind.TOPIC: "ContainerQueue", Kind.DLQ: "ContainerQueue", Kind.CONTEXT: "System",
    Kind.INFRA: "Container",
}
_RELS = {Style.SYNC: "Rel", Style.ASYNC: "Rel", Style.DATA: "Rel", Style.DLQ: "Rel",
         Style.LAYOUT: "Lay_R"}
_TECH = {Style.SYNC: "sync", Style.ASYNC: "async", Style.DATA: "reads/writes",
         Style.DLQ: "dead letters", Style.LAYOUT: ""}


def render(view: View) -> str:
    lines = [f"@startuml {view.name}", "!include <C4/C4_Container>", "",
             f'title "{escape.plantuml(view.title)}"',
             "LAYOUT_LEFT_RIGHT()" if view.direction == "LR" else "LAYOUT_TOP_DOWN()", ""]
    for node in view.nodes:
        if not node.cluster:
            lines.append(_node(node))
    for cluster in view.clusters:
        lines.append(f'Boundary({cluster.id}, "{escape.plantuml(cluster.label)}") {{')
        lines.extend("  " + _node(n) for n in view.nodes if n.cluster == cluster.id)
        lines.append("}")
    lines.append("")
    for edge in view.edges:
        if edge.style is Style.LAYOUT:
            lines.append(f"Lay_R({edge.source}, {edge.target})")
            continue
        lines.append(f'{_RELS[edge.style]}({edge.source}, {edge.target}, '
                     f'"{escape.plantuml(edge.label)}", "{_TECH[edge.style]}")')
    if view.notes:
        lines.extend(["", "legend right", *(escape.plantuml(n) for n in view.notes),
                      "endlegend"])
    lines.extend(["", "SHOW_LEGEND()", "@enduml"])
    return "\n".join(lines) + "\n"


def _node(node: Node) -> str:
    macro = _MACROS[node.kind]
    label = escape.plantuml(node.label)
    descr = escape.plantuml(node.detail)
    if macro in ("Person", "System"):
        return f'{macro}({node.id}, "{label}", "{descr}")'
    return f'{macro}({node.id}, "{label}", "{escape.plantuml(node.tech)}", "{descr}")'

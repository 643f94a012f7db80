"""A flow's sequence diagram as Mermaid (`sequenceDiagram`) and PlantUML text.

Participant ids are made of [A-Za-z0-9_] (sequences._pid); every text a catalog wrote
(routes, events, actions, conditions) goes through the language's escaping, so it
cannot end a message or a block early.
"""

from __future__ import annotations

from archgen.generators.diagrams import escape
from archgen.generators.diagrams.sequences import Block, Message, Note, SequenceFlow, Step

_MERMAID_ARROWS = {"call": "->>", "reply": "-->>", "event": "-)"}
_MERMAID_KINDS = {"client": "actor", "gateway": "participant", "service": "participant",
                  "bus": "participant"}
_PLANTUML_ARROWS = {"call": "->", "reply": "-->", "event": "->>"}
_PLANTUML_KINDS = {"client": "actor", "gateway": "boundary", "service": "participant",
                   "bus": "queue"}
_INDENT = "    "


def mermaid(flow: SequenceFlow) -> str:
    lines = ["sequenceDiagram", f"{_INDENT}title {escape.mermaid(flow.title)}"]
    for p in flow.participants:
        lines.append(f"{_INDENT}{_MERMAID_KINDS[p.kind]} {p.id} as {escape.mermaid(p.label)}")
    _mermaid_steps(flow.steps, 1, lines)
    return "\n".join(lines) + "\n"


def _mermaid_steps(steps: tuple[Step, ...], depth: int, lines: list[str]) -> None:
    pad = _INDENT * depth
    for step in steps:
        if isinstance(step, Message):
            arrow = _MERMAID_ARROWS[step.style]
            lines.append(f"{pad}{step.source}{arrow}{step.target}: "
                         f"{escape.mermaid(step.text)}")
        elif isinstance(step, Note):
            lines.append(f"{pad}Note over {step.over}: {escape.mermaid(step.text)}")
        else:
            _mermaid_block(step, depth, lines)


def _mermaid_block(block: Block, depth: int, lines: list[str]) -> None:
    pad = _INDENT * depth
    for i, branch in enumerate(block.branches):
        keyword = block.kind if i == 0 else "else"
        lines.append(f"{pad}{keyword} {escape.mermaid(branch.label)}")
        _mermaid_steps(branch.steps, depth + 1, lines)
    lines.append(f"{pad}end")


def plantuml(flow: SequenceFlow) -> str:
    lines = [f"@startuml {flow.name}", f"title {escape.plantuml(flow.title)}",
             ""]
    for p in flow.participants:
        lines.append(f'{_PLANTUML_KINDS[p.kind]} "{escape.plantuml(p.label)}" as {p.id}')
    lines.append("")
    _plantuml_steps(flow.steps, 0, lines)
    lines.append("@enduml")
    return "\n".join(lines) + "\n"


def _plantuml_steps(steps: tuple[Step, ...], depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    for step in steps:
        if isinstance(step, Message):
            arrow = _PLANTUML_ARROWS[step.style]
            lines.append(f"{pad}{step.source} {arrow} {step.target} : "
                         f"{escape.plantuml(step.text)}")
        elif isinstance(step, Note):
            lines.append(f"{pad}note over {step.over} : {escape.plantuml(step.text)}")
        else:
            for i, branch in enumerate(step.branches):
                keyword = step.kind if i == 0 else "else"
                lines.append(f"{pad}{keyword} {escape.plantuml(branch.label)}")
                _plantuml_steps(branch.steps, depth + 1, lines)
            lines.append(f"{pad}end")

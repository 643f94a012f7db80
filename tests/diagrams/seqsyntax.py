"""Structural syntax checks of Mermaid `sequenceDiagram` and PlantUML sequence text.

Neither a Mermaid parser nor a PlantUML jar is available to the test suite (node_modules
has no mermaid package; there is no Java here), so these check the grammar the
generated text uses, line by line, as the two languages read it: every line one of the
statement forms, participants declared before they are used, blocks balanced, `else`
only inside `alt`, and no character in a text that would end the statement early
(Mermaid: `;` and `#` outside entity codes; PlantUML: a line starting with `!` or `@`).
Each returns the problems found, one line each; [] means the text is well formed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_ENTITY = re.compile(r"#\d+;")
_MERMAID_DECL = re.compile(rf"(participant|actor) ({_ID}) as (.+)")
_MERMAID_MSG = re.compile(rf"({_ID})(->>|-->>|-\)|->|-->|-x|--x)({_ID}): (.*)")
_MERMAID_NOTE = re.compile(rf"Note (?:over|left of|right of) ({_ID}(?:,{_ID})?): (.*)")
_MERMAID_BLOCK = re.compile(r"(alt|opt|loop|else|par|critical) (.+)")


def _undeclared(names: Iterable[str], declared: set[str], where: str) -> list[str]:
    return [f"{where}: {who} is not a declared participant" for who in names
            if who not in declared]


def _opens(stack: list[str], kind: str, where: str) -> list[str]:
    """A block statement (both languages): `else` goes on inside an `alt`, any other
    kind opens a block that an `end` closes."""
    if kind != "else":
        stack.append(kind)
        return []
    return [] if stack and stack[-1] == "alt" else [f"{where}: else outside an alt"]


def _closes(stack: list[str], where: str) -> list[str]:
    if not stack:
        return [f"{where}: end without a block"]
    stack.pop()
    return []


def _mermaid_text(text: str) -> list[str]:
    bare = _ENTITY.sub("", text)
    bad = sorted({c for c in bare if c in ";#\n\r"})
    return [f"text {text!r} holds {''.join(bad)!r}"] if bad else []


def mermaid_problems(source: str) -> list[str]:
    lines = source.splitlines()
    problems: list[str] = []
    if not lines or lines[0] != "sequenceDiagram":
        return ["the first line is not `sequenceDiagram`"]
    declared: set[str] = set()
    stack: list[str] = []
    for n, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        where = f"line {n}"
        if not line:
            continue
        if line.startswith("title "):
            problems += [f"{where}: {p}" for p in _mermaid_text(line[6:])]
        elif m := _MERMAID_DECL.fullmatch(line):
            if m.group(2) in declared:
                problems.append(f"{where}: {m.group(2)} declared twice")
            declared.add(m.group(2))
            problems += [f"{where}: {p}" for p in _mermaid_text(m.group(3))]
        elif m := _MERMAID_MSG.fullmatch(line):
            problems += _undeclared((m.group(1), m.group(3)), declared, where)
            problems += [f"{where}: {p}" for p in _mermaid_text(m.group(4))]
        elif m := _MERMAID_NOTE.fullmatch(line):
            problems += _undeclared(m.group(1).split(","), declared, where)
            problems += [f"{where}: {p}" for p in _mermaid_text(m.group(2))]
        elif m := _MERMAID_BLOCK.fullmatch(line):
            problems += _opens(stack, m.group(1), where)
            problems += [f"{where}: {p}" for p in _mermaid_text(m.group(2))]
        elif line == "end":
            problems += _closes(stack, where)
        else:
            problems.append(f"{where}: not a sequence diagram statement: {line!r}")
    problems += [f"{kind} never ends" for kind in stack]
    return problems


_PUML_DECL = re.compile(rf'(actor|participant|boundary|control|entity|queue|database) '
                        rf'"([^"]*)" as ({_ID})')
_PUML_MSG = re.compile(rf"({_ID}) (->|-->|->>|-->>) ({_ID}) : (.*)")
_PUML_NOTE = re.compile(rf"note over ({_ID}) : (.*)")
_PUML_BLOCK = re.compile(r"(alt|opt|loop|else|group) (.+)")


def _puml_text(text: str) -> list[str]:
    problems = []
    if '"' in text:
        problems.append(f"text {text!r} holds a quote")
    for marker in ("--", "__", "**", "//", "~~", "\n"):
        if marker in text:
            problems.append(f"text {text!r} holds {marker!r}")
    return problems


def plantuml_problems(source: str) -> list[str]:
    lines = source.splitlines()
    problems: list[str] = []
    if not lines or not lines[0].startswith("@startuml"):
        return ["the first line is not `@startuml`"]
    if lines[-1] != "@enduml" or sum(1 for x in lines if x.strip() == "@enduml") != 1:
        problems.append("the diagram does not end with exactly one `@enduml`")
    declared: set[str] = set()
    stack: list[str] = []
    for n, raw in enumerate(lines[1:-1], start=2):
        line = raw.strip()
        where = f"line {n}"
        if not line:
            continue
        if line.startswith(("!", "@")):
            problems.append(f"{where}: a preprocessor or diagram line: {line!r}")
        elif line.startswith("title "):
            problems += [f"{where}: {p}" for p in _puml_text(line[6:])]
        elif m := _PUML_DECL.fullmatch(line):
            declared.add(m.group(3))
            problems += [f"{where}: {p}" for p in _puml_text(m.group(2))]
        elif m := _PUML_MSG.fullmatch(line):
            problems += _undeclared((m.group(1), m.group(3)), declared, where)
            problems += [f"{where}: {p}" for p in _puml_text(m.group(4))]
        elif m := _PUML_NOTE.fullmatch(line):
            problems += _undeclared((m.group(1),), declared, where)
            problems += [f"{where}: {p}" for p in _puml_text(m.group(2))]
        elif m := _PUML_BLOCK.fullmatch(line):
            problems += _opens(stack, m.group(1), where)
            problems += [f"{where}: {p}" for p in _puml_text(m.group(2))]
        elif line == "end":
            problems += _closes(stack, where)
        else:
            problems.append(f"{where}: not a sequence diagram statement: {line!r}")
    problems += [f"{kind} never ends" for kind in stack]
    return problems

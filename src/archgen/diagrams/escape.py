"""Quoting of user text (names, labels) for each diagram language.

Every label passes through here: a bounded context called `"]; click A call
evil()` must stay a label in Mermaid, PlantUML and DOT.
"""

from __future__ import annotations

import re

_MERMAID_SAFE = re.compile(r"[A-Za-z0-9 .,:/()\[\]+=?@_-]")
_PLANTUML_SAFE = re.compile(r"[A-Za-z0-9 .,:()+=?]")
_PLANTUML_SINGLE = re.compile(r"[-_/]")  # creole markup only when doubled: --, __, //


def mermaid(text: str) -> str:
    """A Mermaid label body (inside double quotes): entity codes for everything unusual."""
    lines = text.split("\n")
    return "<br/>".join("".join(c if _MERMAID_SAFE.fullmatch(c) else f"#{ord(c)};"
                                for c in line) for line in lines)


def plantuml(text: str) -> str:
    """A PlantUML string argument: numeric entities stop creole, preprocessor and quotes."""
    out: list[str] = []
    for line in text.split("\n"):
        chars: list[str] = []
        for i, c in enumerate(line):
            doubled = (i + 1 < len(line) and line[i + 1] == c) or (i > 0 and line[i - 1] == c)
            safe = _PLANTUML_SAFE.fullmatch(c) or (_PLANTUML_SINGLE.fullmatch(c) and not doubled)
            chars.append(c if safe else f"&#{ord(c)};")
        out.append("".join(chars))
    return "\\n".join(out)


def dot(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as centred breaks."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return escaped.replace("\r", "").replace("\n", "\\n")

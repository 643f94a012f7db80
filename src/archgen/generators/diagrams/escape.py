"""Quoting of user text (names, labels) for each diagram language: archgen.escaping's.

Every label passes through here: a bounded context called `"]; click A call
evil()` must stay a label in Mermaid, PlantUML and DOT. The functions live in
archgen.escaping (one place per language); these names keep the diagram code short.
"""

from __future__ import annotations

from archgen.escaping import dot_label as dot
from archgen.escaping import mermaid_label as mermaid
from archgen.escaping import plantuml_label as plantuml

__all__ = ["dot", "mermaid", "plantuml"]

"""The `diagrams` registry entry: every view in every format under diagrams/."""

from __future__ import annotations

from archgen.diagrams.generator import FORMATS, build_views, render_files
from archgen.generators.base import OutputFile
from archgen.model.resolved import ResolvedCatalog


class DiagramsGenerator:
    name = "diagrams"
    description = "architecture diagrams: system, context map, event flow, one per service"

    def __init__(self, formats: tuple[str, ...] = FORMATS, prefix: str = "diagrams/") -> None:
        self.formats = formats
        self.prefix = prefix

    def plan(self, catalog: ResolvedCatalog) -> list[OutputFile]:
        return render_files(build_views(catalog), self.formats, self.prefix)

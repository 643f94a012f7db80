"""The exports (`archgen export backstage|structurizr`) as generators over the same contract.

They are not `generate` kinds (they describe the catalog for other tools, and a
team chooses where to put them), so they have a registry of their own, EXPORTS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from archgen.model.resolved import ResolvedCatalog
from archgen.output import GenerationContext, Generator, OutputFile


@dataclass  # not frozen: the Generator protocol's attributes are plain ones
class ExportGenerator:
    name: str
    description: str
    filename: str
    render: Callable[[ResolvedCatalog], str]

    def plan(self, ctx: GenerationContext) -> list[OutputFile]:
        return [OutputFile(self.filename, self.render(ctx.catalog), self.name)]


def _backstage(catalog: ResolvedCatalog) -> str:
    from archgen.generators.exports.backstage import render

    return render(catalog)


def _structurizr(catalog: ResolvedCatalog) -> str:
    from archgen.generators.exports.structurizr import render

    return render(catalog)


EXPORTS: dict[str, Generator] = {
    "backstage": ExportGenerator("export-backstage", "Backstage entities (catalog-info.yaml)",
                                 "catalog-info.yaml", _backstage),
    "structurizr": ExportGenerator("export-structurizr", "a Structurizr DSL workspace",
                                   "workspace.dsl", _structurizr),
}

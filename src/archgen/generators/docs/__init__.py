"""The `docs` registry entry: docs/architecture.md and docs/index.html."""

from __future__ import annotations

import functools

from archgen.generators.diagrams.contexts import context_views
from archgen.generators.diagrams.generator import build_views
from archgen.generators.docs.checklist import tick_checklist
from archgen.generators.docs.explore import model_json
from archgen.generators.docs.generator import (
    DOC_VIEWS,
    DocumentFacts,
    document_context,
    html_document,
    markdown_document,
)
from archgen.generators.inputs import built
from archgen.output import GenerationContext, OutputFile, Unit


class DocsGenerator:
    """The architecture document, its checklist ticked from the validator's findings.

    The findings and the rules come in the context (`generate` and `docs` both
    run the validator first); the documents show paths, not line numbers.
    """

    name = "docs"
    description = "architecture document: Markdown and a static HTML page"

    def __init__(self, prefix: str = "docs/") -> None:
        self.prefix = prefix

    def plan(self, ctx: GenerationContext) -> list[OutputFile]:
        return [f for unit in self.units(ctx) for f in unit.render()]

    def units(self, ctx: GenerationContext) -> list[Unit]:
        """One unit, fingerprinted on all the page is made of: the document's contents,
        the views it draws and the explorer's model (a change that shows on neither
        runs no graphviz for the page)."""
        catalog = ctx.catalog
        ordered = sorted(ctx.findings, key=lambda f: (f.location.path, f.code, f.message))
        context = document_context(catalog, tick_checklist(ordered, ctx.rules), ordered)
        inputs = built(self.prefix, context, build_views(catalog, DOC_VIEWS),
                       context_views(catalog), str(model_json(catalog)),
                       sorted(catalog.services))
        return [Unit(f"{self.prefix}:", inputs,
                     functools.partial(self._render, ctx, context))]

    def _render(self, ctx: GenerationContext, context: DocumentFacts) -> list[OutputFile]:
        catalog = ctx.catalog
        page = html_document(catalog, context, ctx.problems)
        return [
            OutputFile(f"{self.prefix}architecture.md", markdown_document(catalog, context),
                       self.name),
            # Embeds graphviz SVG: as reproducible as the diagrams' SVGs are.
            OutputFile(f"{self.prefix}index.html", page, self.name,
                       reproducible=False),
        ]

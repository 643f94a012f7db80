"""The `docs` registry entry: docs/architecture.md and docs/index.html."""

from __future__ import annotations

from archgen.generators.docs.checklist import tick_checklist
from archgen.generators.docs.generator import document_context, html_document, markdown_document
from archgen.output import GenerationContext, OutputFile


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
        catalog = ctx.catalog
        ordered = sorted(ctx.findings, key=lambda f: (f.location.path, f.code, f.message))
        context = document_context(catalog, tick_checklist(ordered, ctx.rules), ordered)
        page = html_document(catalog, context, ctx.problems)
        return [
            OutputFile(f"{self.prefix}architecture.md", markdown_document(catalog, context),
                       self.name),
            # Embeds graphviz SVG: as reproducible as the diagrams' SVGs are.
            OutputFile(f"{self.prefix}index.html", page, self.name,
                       reproducible=False),
        ]

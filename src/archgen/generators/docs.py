"""The `docs` registry entry: docs/architecture.md and docs/index.html."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from archgen.docs.checklist import ChecklistRule, tick_checklist
from archgen.docs.generator import document_context, html_document, markdown_document
from archgen.findings import Finding
from archgen.generators.base import OutputFile
from archgen.model.resolved import ResolvedCatalog


class DocsGenerator:
    """The architecture document; `findings` and `rules` come from the validator.

    Without them (as `archgen generate` calls it) the rules run on the resolved
    catalog alone; the documents show paths, not line numbers, so both agree.
    """

    name = "docs"
    description = "architecture document: Markdown and a static HTML page"

    def __init__(self, findings: Sequence[Finding] | None = None,
                 rules: Mapping[str, ChecklistRule] | None = None, prefix: str = "docs/") -> None:
        self.findings = findings
        self.rules = rules
        self.prefix = prefix
        self.problems: list[str] = []  # of the last plan(): diagrams not drawn on the page

    def plan(self, catalog: ResolvedCatalog) -> list[OutputFile]:
        findings, rules = self.findings, self.rules
        if findings is None or rules is None:
            from archgen.docs.results import rule_results

            findings, rules = rule_results(catalog)
        ordered = sorted(findings, key=lambda f: (f.location.path, f.code, f.message))
        context = document_context(catalog, tick_checklist(ordered, rules), ordered)
        self.problems = []
        page = html_document(catalog, context, self.problems)
        return [
            OutputFile(f"{self.prefix}architecture.md", markdown_document(catalog, context),
                       self.name),
            # Embeds graphviz SVG: as reproducible as the diagrams' SVGs are.
            OutputFile(f"{self.prefix}index.html", page, self.name,
                       reproducible=False),
        ]

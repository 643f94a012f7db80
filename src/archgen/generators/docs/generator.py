"""The architecture document's contents: architecture.md and index.html from the catalog,
the diagrams and the rule results."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from archgen.findings import Finding
from archgen.generators.diagrams.generator import build_views
from archgen.generators.diagrams.mermaid import render as mermaid
from archgen.generators.docs import budget
from archgen.generators.docs.checklist import ChecklistItem
from archgen.generators.docs.explore import context_drawings, explorer_context
from archgen.generators.docs.facts import join, primary_technology, service_doc, store_technology
from archgen.generators.docs.flows import doc_flows
from archgen.generators.docs.inline_svg import IconStore
from archgen.generators.docs.page import PageDiagram, drawings, legend, service_view_href
from archgen.generators.docs.render import render
from archgen.generators.docs.sections import (
    communication_facts,
    event_bus_facts,
    gateway_facts,
    infrastructure_facts,
    mesh_facts,
    store_rows,
    topic_rows,
)
from archgen.model.resolved import ResolvedCatalog
from archgen.resources import data_dir

DOC_VIEWS = ("system", "context", "events")


def document_context(catalog: ResolvedCatalog, checklist: Sequence[ChecklistItem],
                     findings: Sequence[Finding]) -> dict[str, Any]:
    """Everything both documents show; the templates only lay it out."""
    services = [catalog.services[n] for n in sorted(catalog.services)]
    return {
        "system": catalog.system,
        "title": catalog.system.title or catalog.system.name,
        "gateway": gateway_facts(catalog), "mesh": mesh_facts(catalog),
        "services": [service_doc(catalog, s) for s in services],
        "catalog_rows": [(s.name, s.bounded_context or "", primary_technology(s),
                          store_technology(s.data_store), s.spec.team or "")
                         for s in services],
        "stores": store_rows(catalog), "topics": topic_rows(catalog),
        "bus": event_bus_facts(catalog), "infrastructure": infrastructure_facts(catalog),
        "communication": communication_facts(catalog),
        "checklist": checklist, "findings": findings, "join": join,
        "flows": doc_flows(catalog),
    }


def markdown_document(catalog: ResolvedCatalog, context: Mapping[str, Any]) -> str:
    views = build_views(catalog, DOC_VIEWS)
    diagrams = [(v.title, mermaid(v)) for v in views]
    return render("architecture.md.jinja", diagrams=diagrams, **context)


def html_document(catalog: ResolvedCatalog, context: Mapping[str, Any],
                  problems: list[str] | None = None) -> str:
    """The page, within its byte budget (budget.py); a diagram graphviz cannot draw is
    said on it (and in `problems`)."""
    drawn = drawings(build_views(catalog, DOC_VIEWS), problems)
    folder = data_dir("templates") / "docs"
    script = "\n".join((folder / name).read_text(encoding="utf-8")
                       for name in ("filter.js", "viewer.js", "explore.js"))
    # The page's CSP allows exactly this script, by hash: nothing else may run.
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    views = {s.name: service_view_href(s.name, len(catalog.services))
             for s in catalog.services.values()}
    contexts = context_drawings(catalog, problems)

    def page(diagrams: Sequence[PageDiagram], icons: IconStore, linked: frozenset[str]) -> str:
        # Before icons.defs(): the context drawings add icons the overviews may not have.
        explorer = explorer_context(catalog, contexts, icons)
        return render("index.html.jinja", diagrams=diagrams, icons=Markup(icons.defs()),
                      legend=legend(), service_views=views, script=Markup(script),
                      script_hash=f"sha256-{digest}", linked=linked,
                      budget_mb=f"{budget.PAGE_BUDGET / 1_000_000:g}", **explorer, **context)

    return budget.fit(page, drawn)

"""The architecture document's contents: architecture.md and index.html from the catalog,
the diagrams and the rule results."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from archgen.findings import Finding
from archgen.generators.diagrams.generator import build_views
from archgen.generators.diagrams.mermaid import render as mermaid
from archgen.generators.docs import budget
from archgen.generators.docs.checklist import ChecklistItem
from archgen.generators.docs.explore import context_drawings, explorer_context
from archgen.generators.docs.facts import (
    ServiceDoc,
    primary_technology,
    service_doc,
    store_technology,
)
from archgen.generators.docs.flows import DocFlows, doc_flows
from archgen.generators.docs.inline_svg import IconStore
from archgen.generators.docs.page import (
    LegendEntry,
    PageDiagram,
    drawings,
    legend,
    service_view_href,
)
from archgen.generators.docs.render import render
from archgen.generators.docs.sections import (
    StoreRow,
    TopicRow,
    communication_facts,
    event_bus_facts,
    gateway_facts,
    infrastructure_facts,
    mesh_facts,
    store_rows,
    topic_rows,
)
from archgen.model import catalog as raw
from archgen.model.resolved import ResolvedCatalog
from archgen.resources import data_dir

DOC_VIEWS = ("system", "context", "events")


@dataclass(frozen=True)
class DocumentFacts:
    """Everything both documents show; the templates only lay it out."""

    system: raw.System
    title: str
    gateway: Mapping[str, str]  # label -> text, a facts table
    mesh: Mapping[str, str]
    services: tuple[ServiceDoc, ...]
    # (service, bounded context, technology, store, team), one row each
    catalog_rows: tuple[tuple[str, str, str, str, str], ...]
    stores: tuple[StoreRow, ...]
    topics: tuple[TopicRow, ...]
    bus: Mapping[str, str]
    infrastructure: tuple[tuple[str, str, str], ...]
    communication: Mapping[str, str]
    checklist: tuple[ChecklistItem, ...]
    findings: tuple[Finding, ...]
    flows: DocFlows


@dataclass(frozen=True)
class MarkdownPage:
    """What architecture.md adds: each overview as Mermaid text, with its title."""

    diagrams: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class HtmlPage:
    """What index.html adds to the facts: the drawings and the page's own parts."""

    diagrams: tuple[PageDiagram, ...]
    icons: Markup  # the shared <symbol> definitions
    legend: tuple[LegendEntry, ...]
    service_views: Mapping[str, tuple[str, str]]  # service -> (href, what it is)
    script: Markup
    script_hash: str  # the Content-Security-Policy source of `script`
    linked: frozenset[str]  # drawings linked from the page instead of inlined
    budget_mb: str


def document_context(catalog: ResolvedCatalog, checklist: Sequence[ChecklistItem],
                     findings: Sequence[Finding]) -> DocumentFacts:
    """Everything both documents show."""
    services = [catalog.services[n] for n in sorted(catalog.services)]
    return DocumentFacts(
        system=catalog.system, title=catalog.system.title or catalog.system.name,
        gateway=gateway_facts(catalog), mesh=mesh_facts(catalog),
        services=tuple(service_doc(catalog, s) for s in services),
        catalog_rows=tuple((s.name, s.bounded_context or "", primary_technology(s),
                            store_technology(s.data_store), s.spec.team or "")
                           for s in services),
        stores=tuple(store_rows(catalog)), topics=tuple(topic_rows(catalog)),
        bus=event_bus_facts(catalog), infrastructure=tuple(infrastructure_facts(catalog)),
        communication=communication_facts(catalog), checklist=tuple(checklist),
        findings=tuple(findings), flows=doc_flows(catalog))


def markdown_document(catalog: ResolvedCatalog, context: DocumentFacts) -> str:
    views = build_views(catalog, DOC_VIEWS)
    diagrams = MarkdownPage(tuple((v.title, mermaid(v)) for v in views))
    return render("architecture.md.jinja", context, diagrams)


def html_document(catalog: ResolvedCatalog, context: DocumentFacts,
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
        html = HtmlPage(diagrams=tuple(diagrams), icons=Markup(icons.defs()),
                        legend=tuple(legend()), service_views=views, script=Markup(script),
                        script_hash=f"sha256-{digest}", linked=linked,
                        budget_mb=f"{budget.PAGE_BUDGET / 1_000_000:g}")
        return render("index.html.jinja", context, html, explorer)

    return budget.fit(page, drawn)

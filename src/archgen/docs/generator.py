"""The architecture document's contents: architecture.md and index.html from the catalog,
the diagrams and the rule results."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from archgen.diagrams.generator import build_views
from archgen.diagrams.mermaid import render as mermaid
from archgen.diagrams.model import View
from archgen.diagrams.render import render_view
from archgen.docs.checklist import ChecklistItem
from archgen.docs.facts import join, primary_technology, service_doc, store_technology
from archgen.docs.render import render
from archgen.docs.sections import (
    communication_facts,
    event_bus_facts,
    gateway_facts,
    infrastructure_facts,
    mesh_facts,
    store_rows,
    topic_rows,
)
from archgen.errors import ArchgenError
from archgen.findings import Finding
from archgen.model.resolved import ResolvedCatalog
from archgen.resources import data_dir

DOC_VIEWS = ("system", "context", "events")
_SVG_START = re.compile(rb"<svg\b")
_SIZE = re.compile(r'<svg width="[^"]*" height="[^"]*"')


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
    }


def markdown_document(catalog: ResolvedCatalog, context: Mapping[str, Any]) -> str:
    views = build_views(catalog, DOC_VIEWS)
    diagrams = [(v.title, mermaid(v)) for v in views]
    return render("architecture.md.jinja", diagrams=diagrams, **context)


def html_document(catalog: ResolvedCatalog, context: Mapping[str, Any],
                  problems: list[str] | None = None) -> str:
    """The page; a diagram graphviz cannot draw is said on it (and in `problems`)."""
    views = build_views(catalog, DOC_VIEWS)
    diagrams = [(v.name, v.title, _drawing(v, problems)) for v in views]
    script = (data_dir("templates") / "docs" / "filter.js").read_text(encoding="utf-8")
    # The page's CSP allows exactly this script, by hash: nothing else may run.
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return render("index.html.jinja", diagrams=diagrams, script=Markup(script),
                  script_hash=f"sha256-{digest}", **context)


def _drawing(view: View, problems: list[str] | None) -> Markup:
    try:
        return Markup(_inline_svg(render_view(view, ["svg"])["svg"]))
    except ArchgenError as exc:
        if problems is None:
            raise
        problems.append(f"the {view.name} diagram of index.html not drawn: {exc.message}")
        return Markup("<p>This diagram could not be drawn: {}</p>").format(exc.message)


def _inline_svg(svg: bytes) -> str:
    # Drop the XML prologue and DOCTYPE: inside HTML only the <svg> element is valid.
    # Without its fixed width and height (in pt) the drawing scales to the page.
    match = _SVG_START.search(svg)
    if match is None:
        return ""
    text = svg[match.start():].decode("utf-8")
    return _SIZE.sub("<svg", text, count=1)

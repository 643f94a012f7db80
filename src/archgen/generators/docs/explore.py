"""What the page's explorer (templates/docs/explore.js) knows: the catalog as a small graph.

The drawings name their nodes by the diagram ids (`svc_order_service`, `db_orders_db`,
`topic_orders`, `ctx_...`), which graphviz writes into each node's `<title>`. This model
says, for each service, which of those ids are its neighbours, so that a click can
highlight them in every drawing; and what a search can find (services, endpoints,
events). It sits in the page as JSON: data, not script, so the CSP has nothing to allow.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from archgen.generators.diagrams.contexts import (
    context_members,
    context_name,
    context_slug,
    context_views,
)
from archgen.generators.diagrams.flows import aggregated_events
from archgen.generators.diagrams.model import ident
from archgen.generators.diagrams.views import (
    CLUSTER_THRESHOLD,
    dependency_label,
    store_node,
    topics_of,
)
from archgen.generators.docs.inline_svg import IconStore
from archgen.generators.docs.page import DIAGRAMS_HREF, Drawing, drawings
from archgen.model.resolved import ResolvedCatalog

# Past this many bounded contexts their drawings stay in ../diagrams/ (context-<slug>.svg):
# each costs a graphviz run and tens of kB of page.
MAX_CONTEXT_DRAWINGS = 150


@dataclass(frozen=True, slots=True)
class ContextDrawing:
    """A bounded context's own view, inlined in a <template> until a reader opens it."""

    slug: str
    svg: Markup


def context_drawings(catalog: ResolvedCatalog, problems: list[str] | None) -> list[Drawing]:
    """Each bounded context's own view as graphviz drew it (drawn once per page, however
    often the page's byte budget renders it); none past MAX_CONTEXT_DRAWINGS contexts."""
    views = context_views(catalog)
    return drawings(views, problems) if len(views) <= MAX_CONTEXT_DRAWINGS else []


@dataclass(frozen=True)
class Explorer:
    """What templates/docs/explore.html.jinja shows."""

    explore_model: Markup  # the catalog as the explorer's JSON
    context_drawings: tuple[ContextDrawing, ...]
    explore_views_href: str
    cluster_threshold: int
    events_by_context: bool  # the event flow is drawn per bounded context
    explore_service_format: str  # "svg", or "mmd" where no per-service images are drawn


def explorer_context(catalog: ResolvedCatalog, drawn: list[Drawing],
                     icons: IconStore) -> Explorer:
    """The explorer's inputs; the context drawings share `icons`."""
    inlined = []
    for drawing in drawn:
        svg = drawing.inline(icons)
        if svg is not None:
            inlined.append(ContextDrawing(drawing.name.removeprefix("context-"), Markup(svg)))
    return Explorer(explore_model=model_json(catalog), context_drawings=tuple(inlined),
                    explore_views_href=DIAGRAMS_HREF, cluster_threshold=CLUSTER_THRESHOLD,
                    events_by_context=aggregated_events(catalog),
                    explore_service_format=("svg" if len(catalog.services) <= CLUSTER_THRESHOLD
                                            else "mmd"))


def explore_model(catalog: ResolvedCatalog) -> dict[str, Any]:
    services: dict[str, Any] = {}
    for name in sorted(catalog.services):
        svc = catalog.services[name]
        store = store_node(svc)
        topics = sorted({t.id for e in [*(p.event for p in svc.publishes),
                                         *(c.event for c in svc.consumes)]
                         for t in topics_of(catalog, e)})
        services[name] = {
            "id": ident("svc", name),
            "context": context_name(svc),
            "ctx": ident("ctx", context_name(svc)),
            "calls": [[d.target, ident("svc", d.target), dependency_label(d, total=True)]
                      for d in svc.dependencies if d.target != name],
            "callers": [[c, ident("svc", c), dependency_label(d, total=True)]
                        for c in sorted(svc.downstream)
                        for d in catalog.services[c].dependencies if d.target == name],
            "store": [store.id, store.label] if store else None,
            "topics": topics,
            "publishes": [p.event for p in svc.publishes],
            "consumes": [c.event for c in svc.consumes],
            "endpoints": [e.route for e in svc.endpoints],
            "routed": svc.routed,
        }
    events = {name: {"topics": [t.id for t in topics_of(catalog, name)],
                     "producers": list(event.producers), "consumers": list(event.consumers)}
              for name, event in sorted(catalog.events.items())}
    contexts = {ident("ctx", name): {"name": name, "slug": context_slug(name),
                                     "services": [s.name for s in members]}
                for name, members in context_members(catalog).items()}
    return {"services": services, "events": events, "contexts": contexts}


def model_json(catalog: ResolvedCatalog) -> Markup:
    """The model as JSON safe inside a <script type="application/json"> element."""
    text = json.dumps(explore_model(catalog), sort_keys=True, separators=(",", ":"))
    # `</script>` (or `<!--`) in a name must not end the element: escape every `<`, `>`, `&`.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)

"""The system view past CLUSTER_THRESHOLD services, and one view per bounded context.

At 45 services a drawing of every service is a 1:4 strip; at 200 it is 1:15. Past
the threshold the system view draws one node per bounded context (with how many
services it has and how many the gateway routes to) and one edge per pair of
contexts that call each other, labelled with the number of calls. Each context
then has a view of its own (`context-<slug>`): its services, their stores, the
calls among them, and the services outside it that they call or are called by.
"""

from __future__ import annotations

import hashlib
import re

from archgen.generators.diagrams.model import Kind, Node, Style, View, ViewBuilder, ident
from archgen.generators.diagrams.ranks import with_ranks
from archgen.generators.diagrams.views import (
    NO_CONTEXT,
    dependency_label,
    gateway_node,
    service_node,
    store_node,
    title_of,
)
from archgen.model.resolved import ResolvedCatalog, Service

# Context boxes are plain boxes, narrower and lower than icons with labels.
_BOX_COLUMN, _BOX_ROW = 3.4, 1.1
_SLUG = re.compile(r"[^a-z0-9]+")
CONTEXT_VIEW_PREFIX = "context-"


def context_name(svc: Service) -> str:
    return svc.bounded_context or NO_CONTEXT


def context_slug(name: str) -> str:
    """`Order Management` -> `order-management`; a hash keeps two names that slug alike apart."""
    slug = _SLUG.sub("-", name.lower()).strip("-")[:50] or "context"
    if slug.replace("-", " ") == name.lower():
        return slug
    return f"{slug}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:6]}"


def context_members(catalog: ResolvedCatalog) -> dict[str, list[Service]]:
    members: dict[str, list[Service]] = {}
    for name in sorted(catalog.services):
        svc = catalog.services[name]
        members.setdefault(context_name(svc), []).append(svc)
    return dict(sorted(members.items()))


def context_node(name: str, services: list[Service]) -> Node:
    routed = sum(1 for s in services if s.routed)
    count = f"{len(services)} service{'s' if len(services) != 1 else ''}"
    return Node(ident("ctx", name), name, Kind.CONTEXT, "",
                f"{count}, {routed} public" if routed else count)


def context_system_view(catalog: ResolvedCatalog) -> View:
    members = context_members(catalog)
    b = ViewBuilder()
    b.node(Node("clients", "Clients", Kind.CLIENT, "", "web and mobile"))
    gateway = b.node(gateway_node(catalog))
    b.edge("clients", gateway, "HTTPS", Style.SYNC)
    # The gateway's edge to every context with a public service would cross most of the
    # drawing (it routes to nearly all of them): the count of public services is in
    # each context's box instead, and the gateway's own box says how many it reaches.
    for name, services in members.items():
        b.node(context_node(name, services))
    calls: dict[tuple[str, str], int] = {}
    for svc in catalog.services.values():
        for dep in svc.dependencies:
            target = catalog.services.get(dep.target)
            if target is None or context_name(target) == context_name(svc):
                continue
            pair = (context_name(svc), context_name(target))
            calls[pair] = calls.get(pair, 0) + 1
    for (caller, callee), count in sorted(calls.items()):
        b.edge(ident("ctx", caller), ident("ctx", callee),
               f"{count} call{'s' if count != 1 else ''}", Style.SYNC)
    notes = (f"{len(catalog.services)} services in {len(members)} bounded contexts: one node "
             "per context, edges count the calls between them; open a context-<name> view "
             "for its services, the event flow for events, service-<name> for one service.",)
    view = b.build("system", f"{title_of(catalog)}: system (bounded contexts)", "LR", notes)
    return with_ranks(view, column=_BOX_COLUMN, row=_BOX_ROW)


def context_detail_view(catalog: ResolvedCatalog, name: str) -> View:
    """One bounded context: its services and stores, and its calls in and out."""
    inside = list(context_members(catalog).get(name, []))
    names = {s.name for s in inside}
    b = ViewBuilder()
    for svc in inside:
        b.node(service_node(svc))
    if any(s.routed for s in inside):
        gateway = b.node(gateway_node(catalog))
        for svc in inside:
            if svc.routed:
                b.edge(gateway, ident("svc", svc.name), "", Style.SYNC)
    for svc in inside:
        node = ident("svc", svc.name)
        for dep in svc.dependencies:
            if dep.target == svc.name:
                continue
            target = catalog.services.get(dep.target)
            other = (service_node(target) if target
                     else Node(ident("svc", dep.target), dep.target, Kind.EXTERNAL, "",
                               "not in the catalog"))
            b.edge(node, b.node(other), dependency_label(dep), Style.SYNC)
        for caller in sorted(svc.downstream):
            if caller in names:
                continue
            other_svc = catalog.services[caller]
            for dep in other_svc.dependencies:
                if dep.target == svc.name:
                    b.edge(b.node(service_node(other_svc)), node, dependency_label(dep),
                           Style.SYNC)
        store = store_node(svc)
        if store is not None:
            b.edge(node, b.node(store), "", Style.DATA)
    return with_ranks(b.build(f"{CONTEXT_VIEW_PREFIX}{context_slug(name)}",
                              f"{title_of(catalog)}: {name}", "LR"))


def is_context_view(view: View) -> bool:
    """A bounded context's own view (`context-<slug>`), not the context map (`context`)."""
    return view.name.startswith(CONTEXT_VIEW_PREFIX)


def context_views(catalog: ResolvedCatalog) -> list[View]:
    """One view per bounded context, past CLUSTER_THRESHOLD services (none below)."""
    from archgen.generators.diagrams.views import CLUSTER_THRESHOLD

    if len(catalog.services) <= CLUSTER_THRESHOLD:
        return []
    return [context_detail_view(catalog, name) for name in context_members(catalog)]

"""networkx views of the resolved model. Pure: no I/O, no findings, no YAML.

The synchronous dependency graph has one node per service and one edge per
known `depends_on` entry, carrying the resolved Dependency. Rules ask it for
cycles and for the worst call chains; everything here is linear in the size
of the graph (Tarjan for components, memoised walks for chains).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import networkx as nx

from archgen.model.resolved import ResolvedCatalog

if TYPE_CHECKING:
    Graph: TypeAlias = nx.DiGraph[str]  # generic only in the stubs
else:
    Graph = nx.DiGraph


def sync_graph(catalog: ResolvedCatalog) -> Graph:
    graph: Graph = Graph()
    graph.add_nodes_from(catalog.services)
    for service in catalog.services.values():
        for dep in service.dependencies:
            if dep.known:
                graph.add_edge(dep.source, dep.target, dependency=dep)
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """One cycle per strongly connected component, rotated to start at its smallest name.

    Reporting one finding per component (not per elementary cycle) keeps the
    count linear: a dense component has exponentially many elementary cycles.
    """
    found: list[list[str]] = []
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        start = min(component)
        found.append(_cycle_through(graph, start, component))
    return sorted(found)


def cycle_component(graph: Graph, node: str) -> set[str]:
    """The strongly connected component of `node` (the services that reach each other)."""
    for component in nx.strongly_connected_components(graph):
        if node in component:
            return set(component)
    return {node}


def _cycle_through(graph: Graph, start: str, component: set[str]) -> list[str]:
    """A shortest cycle from `start` back to itself inside its component (BFS)."""
    sub = graph.subgraph(component)
    best: list[str] | None = None
    for succ in sorted(sub.successors(start)):
        path: list[str] = nx.shortest_path(sub, succ, start)
        if best is None or len(path) < len(best) or (len(path) == len(best) and path < best):
            best = path
    assert best is not None  # a node in a non-trivial component has a successor in it
    return [start, *best[:-1]]


@dataclass(frozen=True, slots=True)
class Chain:
    """The worst synchronous call chain from a service: hops and total time budget."""

    services: tuple[str, ...]
    budget_ms: int


def worst_chains(graph: Graph) -> dict[str, Chain]:
    """For every service, the call chain with the largest sum of timeout x attempts.

    Services inside a cycle are left out (their chains are unbounded; the cycle
    rule reports them). Edges without a timeout contribute nothing. Plain dicts
    rather than subgraph views: views re-filter on every access, which costs
    seconds at 10,000 services.
    """
    in_cycle = {n for c in nx.strongly_connected_components(graph) if len(c) > 1 for n in c}
    in_cycle |= {n for n in graph if graph.has_edge(n, n)}
    succ: dict[str, list[tuple[str, int]]] = {}
    for node, targets in graph.adjacency():
        if node in in_cycle:
            continue
        succ[node] = sorted((t, (d["dependency"].timeout_ms or 0) * d["dependency"].attempts)
                            for t, d in targets.items() if t not in in_cycle)
    best: dict[str, Chain] = {}
    for node in _post_order(succ):
        chain = Chain((node,), 0)
        for target, hop in succ[node]:
            tail = best[target]
            if hop + tail.budget_ms > chain.budget_ms:
                chain = Chain((node, *tail.services), hop + tail.budget_ms)
        best[node] = chain
    return best


def _post_order(succ: dict[str, list[tuple[str, int]]]) -> list[str]:
    """Every node after all its successors (iterative DFS; the graph here is acyclic)."""
    order: list[str] = []
    seen: set[str] = set()
    for root, edges in succ.items():
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(edges))]
        while stack:
            node, children = stack[-1]
            for child, _ in children:
                if child not in seen:
                    seen.add(child)
                    stack.append((child, iter(succ[child])))
                    break
            else:
                stack.pop()
                order.append(node)
    return order

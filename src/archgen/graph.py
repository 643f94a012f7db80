"""Graph views of the resolved model. Pure: no I/O, no findings, no YAML.

The synchronous dependency graph has one node per service and one edge per
known `depends_on` entry, carrying the resolved Dependency: a plain adjacency
mapping. Rules ask it for cycles and for the worst call chains; everything here
is linear in the size of the graph (Tarjan for components, memoised walks for
chains). A catalog's graphs are nearly always acyclic, which the standard
library's topological sort tells at once: networkx, whose import costs more
than the rest of a validation of a small catalog, is loaded only for a graph
that has a cycle, to take its components apart.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from archgen.model.resolved import Dependency, ResolvedCatalog

if TYPE_CHECKING:
    import networkx as nx

N = TypeVar("N", bound=Hashable)
# caller -> callee -> the dependency; every service is a key, also one calling none.
SyncGraph: TypeAlias = dict[str, dict[str, Dependency]]


def sync_graph(catalog: ResolvedCatalog) -> SyncGraph:
    graph: SyncGraph = {name: {} for name in catalog.services}
    for service in catalog.services.values():
        for dep in service.dependencies:
            if dep.known:
                graph.setdefault(dep.source, {})[dep.target] = dep
                graph.setdefault(dep.target, {})
    return graph


def edges(graph: Mapping[N, Mapping[N, Any]]) -> list[tuple[N, N]]:
    return [(a, b) for a, targets in graph.items() for b in targets]


def acyclic(graph: Mapping[N, Mapping[N, Any]]) -> bool:
    """No cycle, a node calling itself included (graphlib's sort, in the standard library)."""
    try:
        TopologicalSorter({node: tuple(targets) for node, targets in graph.items()}).prepare()
    except CycleError:
        return False
    return True


def networkx_graph(graph: Mapping[N, Mapping[N, Any]], attribute: str) -> nx.DiGraph[N]:
    """The graph in networkx, each edge's value under `attribute`: for graphs with cycles."""
    import networkx as nx

    found: nx.DiGraph[N] = nx.DiGraph()
    found.add_nodes_from(graph)
    found.add_edges_from((a, b, {attribute: value}) for a, targets in graph.items()
                         for b, value in targets.items())
    return found


def knots(graph: Mapping[N, Mapping[N, Any]]) -> list[set[N]]:
    """The strongly connected components that hold a cycle: more than one node, or one
    node calling itself. None, without networkx, when the graph is acyclic."""
    if acyclic(graph):
        return []
    import networkx as nx

    return [set(c) for c in nx.strongly_connected_components(networkx_graph(graph, "value"))
            if len(c) > 1 or any(n in graph[n] for n in c)]


def cycles(graph: SyncGraph) -> list[list[str]]:
    """One cycle per strongly connected component, rotated to start at its smallest name.

    Reporting one finding per component (not per elementary cycle) keeps the
    count linear: a dense component has exponentially many elementary cycles.
    A service calling itself is no cycle here (a rule of its own reports it).
    """
    return [cycle for cycle, _ in cycle_knots(graph)]


def cycle_knots(graph: SyncGraph) -> list[tuple[list[str], set[str]]]:
    """Each cycle of `cycles` with its component (the services that reach each other),
    from one pass over the components."""
    found = [(_cycle_through(graph, min(component), component), component)
             for component in knots(graph) if len(component) >= 2]
    return sorted(found, key=lambda pair: pair[0])


def _cycle_through(graph: SyncGraph, start: str, component: set[str]) -> list[str]:
    """A shortest cycle from `start` back to itself inside its component (BFS)."""
    import networkx as nx

    sub = networkx_graph({n: {t: d for t, d in graph[n].items() if t in component}
                          for n in component}, "dependency")
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


def worst_chains(graph: SyncGraph) -> dict[str, Chain]:
    """For every service, the call chain with the largest sum of timeout x attempts.

    Services inside a cycle are left out (their chains are unbounded; the cycle
    rule reports them). Edges without a timeout contribute nothing.
    """
    in_cycle = {n for knot in knots(graph) for n in knot}
    succ: dict[str, list[tuple[str, int]]] = {}
    for node, targets in graph.items():
        if node in in_cycle:
            continue
        succ[node] = sorted((t, (d.timeout_ms or 0) * d.attempts)
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

"""Which column (rank) each node of an overview goes in: the layout's shape, decided here.

graphviz puts every node at the end of its longest chain of edges: a gateway that
routes to 40 services, or 40 services that write to 40 stores, become one column
of 40 nodes, a drawing 1:15 tall. Here the layers of that layering are cut into
columns of at most `height` nodes, `height` chosen so that the drawing comes out
about 3:2 wide. Nodes in a layer are ordered by where their predecessors are, so
that the nodes that share neighbours share a column and their edges stay short.

Pure and deterministic: the same view gives the same ranks, so the DOT text that
pins them (`rank=same` groups along an invisible chain) is the same bytes each run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from archgen.generators.diagrams.model import Style, View

TARGET_ASPECT = 1.5  # width / height the wrapping aims at; tests hold it within 1:2 .. 3:1
# The room one column takes across (node, label and the gap to the next column) and one
# row takes down, in inches, as render.py draws them: icons with their labels under them.
COLUMN_WIDTH = 3.2
ROW_HEIGHT = 1.9
# graphviz keeps `nodesep` between the edges that pass a column as between nodes: the
# drawings with pinned columns use a small one (render.py), or passing edges make
# every column tall.
RANKED_NODESEP = "0.25"
PASSING = 0.35
# A view this small keeps graphviz's own ranks: nothing to wrap.
MIN_NODES = 8
MAX_LAYERS = 30
# Nor is a view wrapped whose own layers come out at least this wide (width / height):
# tall strips are what graphviz's ranking makes of big systems; long chains it draws well.
MIN_ASPECT = 0.7


def with_ranks(view: View, *, column: float = COLUMN_WIDTH, row: float = ROW_HEIGHT) -> View:
    """`view` with `ranks` set: its free nodes (not in a cluster) in wrapped columns."""
    free = [n.id for n in view.nodes if not n.cluster]
    if len(free) < MIN_NODES or view.direction != "LR":
        return view
    layers, forward = _layers(view, free)
    if len(layers) > MAX_LAYERS:
        return view  # long chains (events between contexts): pinning them costs dot minutes
    natural = _aspect(layers, forward, column, row)
    if natural >= MIN_ASPECT:
        return view  # not a tall strip: graphviz's own ranks give the better layout
    best: list[list[str]] = []
    best_score = math.inf
    for height in range(1, max(len(layer) for layer in layers) + 1):
        columns = [chunk for layer in layers for chunk in _chunks(layer, height)]
        score = abs(math.log(_aspect(columns, forward, column, row) / TARGET_ASPECT))
        if score < best_score:
            best, best_score = columns, score
    return replace(view, ranks=tuple(tuple(c) for c in best))


def passing_slots(view: View) -> int:
    """How many columns the edges of a ranked view pass on their way (dot routes each
    through a slot in every one): 0 when every edge joins neighbouring columns. An edge
    with an end outside the columns counts one."""
    where = {n: i for i, col in enumerate(view.ranks) for n in col}
    slots = 0
    for edge in view.edges:
        if edge.style is Style.LAYOUT:
            continue
        if edge.source in where and edge.target in where:
            slots += max(0, abs(where[edge.target] - where[edge.source]) - 1)
        else:
            slots += 1
    return slots


def _aspect(columns: Sequence[Sequence[str]], forward: dict[str, list[str]], column: float,
            row: float) -> float:
    """Width over height graphviz will draw: an edge that spans columns takes a slot
    (one `nodesep`) in every column it passes, as a node does."""
    where = {n: i for i, col in enumerate(columns) for n in col}
    passing = [0] * len(columns)
    for source, targets in forward.items():
        for target in targets:
            for i in range(where[source] + 1, where[target]):
                passing[i] += 1
    tallest = max(len(col) * row + passing[i] * PASSING for i, col in enumerate(columns))
    return len(columns) * column / tallest


def _chunks(layer: Sequence[str], height: int) -> list[list[str]]:
    count = math.ceil(len(layer) / height)
    size = math.ceil(len(layer) / count)  # even columns: 7 in columns of 4 is 4 + 3, not 6 + 1
    return [list(layer[i:i + size]) for i in range(0, len(layer), size)]


def _layers(view: View, free: list[str]) -> tuple[list[list[str]], dict[str, list[str]]]:
    """Longest-path layers over the ranked edges, cycles broken, each layer ordered."""
    members = set(free)
    succ: dict[str, list[str]] = {n: [] for n in free}
    for edge in view.edges:
        if (edge.ranked and edge.style is not Style.LAYOUT and edge.source != edge.target
                and edge.source in members and edge.target in members):
            succ[edge.source].append(edge.target)
    forward = _acyclic(free, succ)
    preds: dict[str, list[str]] = {n: [] for n in free}
    for source, targets in forward.items():
        for target in targets:
            preds[target].append(source)
    # Kahn's order: every node after all of its predecessors, so one pass sets the levels.
    waiting = {n: len(preds[n]) for n in free}
    ready = [n for n in free if waiting[n] == 0]
    level: dict[str, int] = {}
    while ready:
        node = ready.pop()
        level[node] = 1 + max((level[p] for p in preds[node]), default=-1)
        for target in forward[node]:
            waiting[target] -= 1
            if waiting[target] == 0:
                ready.append(target)
    layers: list[list[str]] = [[] for _ in range(max(level.values()) + 1)]
    for node in free:
        layers[level[node]].append(node)
    # Order each layer by the mean position of its predecessors (barycentre), names breaking ties.
    position: dict[str, float] = {}
    for layer in layers:
        layer.sort(key=lambda n: (_mean([position[p] for p in preds[n]]), n))
        for index, node in enumerate(layer):
            position[node] = index / max(1, len(layer) - 1)
    return layers, forward


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _acyclic(nodes: list[str], succ: dict[str, list[str]]) -> dict[str, list[str]]:
    """The edges minus those that close a cycle (depth-first, in name order)."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    forward: dict[str, list[str]] = {n: [] for n in nodes}
    for root in sorted(nodes):
        if root in state:
            continue
        stack = [(root, iter(sorted(set(succ[root]))))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                continue
            if state.get(child) == 1:
                continue  # a back edge: graphviz draws it against the flow
            forward[node].append(child)
            if child not in state:
                state[child] = 1
                stack.append((child, iter(sorted(set(succ[child])))))
    return forward

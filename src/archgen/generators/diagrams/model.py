"""The diagram intermediate representation: views as sorted nodes, edges and clusters.

Every output format (Mermaid, PlantUML, DOT, the `diagrams` package) renders a
View; none of them reads the catalog. Views are built sorted so that the text
formats are byte-identical across runs.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    CLIENT = "client"
    GATEWAY = "gateway"
    SERVICE = "service"
    EXTERNAL = "external"  # a dependency on a service the catalog does not define
    STORE = "store"
    BUS = "bus"
    TOPIC = "topic"
    DLQ = "dlq"
    CONTEXT = "context"
    INFRA = "infra"


class Style(StrEnum):
    SYNC = "sync"
    ASYNC = "async"
    DATA = "data"
    DLQ = "dlq"
    LAYOUT = "layout"  # invisible: only keeps nodes in a row


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    label: str
    kind: Kind
    tech: str = ""
    detail: str = ""
    cluster: str = ""  # the id of the Cluster this node belongs to, "" for none


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    label: str
    style: Style
    # False: the layout may not rank the target after the source (graphviz
    # `constraint=false`), for edges that run against the reading direction.
    ranked: bool = True


@dataclass(frozen=True, slots=True)
class Cluster:
    id: str
    label: str


@dataclass(frozen=True)
class View:
    """One diagram. `name` is the output file stem (``system``, ``service-order-service``)."""

    name: str
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    clusters: tuple[Cluster, ...] = ()
    direction: str = "LR"
    notes: tuple[str, ...] = field(default=())
    # Columns of node ids, left to right (ranks.py); () leaves the ranks to graphviz.
    ranks: tuple[tuple[str, ...], ...] = ()

    def rank_lines(self) -> list[str]:
        """DOT statements that pin `ranks`: each column `rank=same` with one node of an
        invisible chain, so column k is the k-th rank whatever the edges say."""
        if not self.ranks:
            return []
        anchors = [f"rank_{i}" for i in range(len(self.ranks))]
        lines = [f'"{a}" [style=invis, shape=point, width=0, height=0, label=""];'
                 for a in anchors]
        lines.extend(f'"{a}" -> "{b}" [style=invis];' for a, b in itertools.pairwise(anchors))
        for anchor, column in zip(anchors, self.ranks, strict=True):
            members = " ".join(f'"{n}";' for n in column)
            lines.append(f'{{ rank=same; "{anchor}"; {members} }}')
        return lines


# The "(no topic)" node: no `_` in it, and ident() always makes `topic_...`,
# so no topic name can take it (a topic called `none` did, issue 13).
NO_TOPIC_ID = "notopic"
_DNS = re.compile(r"[a-z][a-z0-9-]{0,62}")
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def ident(prefix: str, name: str) -> str:
    """A node id safe in every format, distinct for distinct names.

    DNS labels of up to 60 characters map losslessly (`-` -> `_`); anything
    else (longer names, bounded context names, event names, hostile input) gets
    a hash suffix so two names that sanitize or cut alike still get two ids.
    """
    clean = _UNSAFE.sub("_", name)[:60]
    if _DNS.fullmatch(name) and len(name) <= 60:
        return f"{prefix}_{clean}"
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
    return f"{prefix}_{clean}_{digest}"


class ViewBuilder:
    """Collects nodes and edges in any order; `build` sorts and merges duplicate edges."""

    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}
        self._edges: dict[tuple[str, str, Style], list[str]] = {}
        self._clusters: dict[str, Cluster] = {}
        self._unranked: set[tuple[str, str, Style]] = set()

    def node(self, node: Node) -> str:
        self._nodes.setdefault(node.id, node)
        return node.id

    def cluster(self, cluster: Cluster) -> str:
        self._clusters.setdefault(cluster.id, cluster)
        return cluster.id

    def edge(self, source: str, target: str, label: str, style: Style, *,
             ranked: bool = True) -> None:
        key = (source, target, style)
        labels = self._edges.setdefault(key, [])
        if label and label not in labels:
            labels.append(label)
        if not ranked:
            self._unranked.add(key)

    def has(self, node_id: str) -> bool:
        return node_id in self._nodes

    def build(self, name: str, title: str, direction: str = "LR",
              notes: tuple[str, ...] = ()) -> View:
        edges = tuple(Edge(s, t, "\n".join(sorted(labels)), style,
                           (s, t, style) not in self._unranked)
                      for (s, t, style), labels in sorted(self._edges.items()))
        nodes = tuple(sorted(self._nodes.values(), key=lambda n: n.id))
        clusters = tuple(sorted(self._clusters.values(), key=lambda c: c.id))
        return View(name, title, nodes, edges, clusters, direction, notes)

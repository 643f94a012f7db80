"""How readable a drawing is, measured on graphviz's own layout (`dot -Tjson`).

graphviz reports where it put every node (centre, width, height) and every edge
(its B-spline control points). From those this module counts what makes a
drawing hard to read: edges that cross each other, edges that run through a
node box other than their own ends, edges that loop around the figure, and the
aspect ratio of the whole drawing. The tests hold the views to these numbers.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from itertools import combinations
from typing import Any

Point = tuple[float, float]
Segment = tuple[Point, Point]
_SAMPLES = 12  # points per cubic Bézier piece: a polyline within a point or two of the curve
_INSET = 4.0  # points: an edge grazing a box's border does not cross the box


@dataclass(frozen=True, slots=True)
class Box:
    name: str
    x0: float
    y0: float
    x1: float
    y1: float

    def inset(self, by: float) -> Box:
        return Box(self.name, self.x0 + by, self.y0 + by, self.x1 - by, self.y1 - by)

    def contains(self, p: Point) -> bool:
        return self.x0 <= p[0] <= self.x1 and self.y0 <= p[1] <= self.y1


@dataclass(frozen=True, slots=True)
class Curve:
    tail: str
    head: str
    points: tuple[Point, ...]  # the spline as a polyline


@dataclass(frozen=True, slots=True)
class Layout:
    width: float
    height: float
    boxes: dict[str, Box]
    curves: tuple[Curve, ...]

    @property
    def aspect(self) -> float:
        """Width over height of the drawing's bounding box."""
        return self.width / self.height if self.height else float("inf")


@dataclass(frozen=True, slots=True)
class Quality:
    crossings: int  # pairs of edge pieces that cross, away from shared ends
    through_nodes: tuple[tuple[str, str, str], ...]  # (tail, head, node it runs through)
    loops: tuple[tuple[str, str], ...]  # edges that detour around the figure
    aspect: float


def layout(source: str, command: str = "dot", timeout_s: int = 120) -> Layout:
    """graphviz's layout of a DOT text, from `-Tjson`."""
    proc = subprocess.run([command, "-Tjson"], input=source.encode("utf-8"), check=True,
                          capture_output=True, timeout=timeout_s)
    return parse(json.loads(proc.stdout))


def parse(data: dict[str, Any]) -> Layout:
    """A Layout from graphviz's JSON (points, y up; node sizes in inches)."""
    x0, y0, x1, y1 = (float(v) for v in str(data["bb"]).split(","))
    objects: list[dict[str, Any]] = data.get("objects") or []
    boxes: dict[str, Box] = {}
    ids: dict[int, str] = {}
    for obj in objects:
        ids[int(obj["_gvid"])] = str(obj["name"])
        if "pos" not in obj or "nodes" in obj or "subgraphs" in obj:
            continue  # a cluster, not a node
        cx, cy = (float(v) for v in str(obj["pos"]).split(","))
        half_w, half_h = float(obj["width"]) * 36, float(obj["height"]) * 36
        boxes[str(obj["name"])] = Box(str(obj["name"]), cx - half_w, cy - half_h,
                                      cx + half_w, cy + half_h)
    curves = []
    for edge in data.get("edges") or []:
        if "pos" not in edge or edge.get("style") == "invis":
            continue
        curves.append(Curve(ids[int(edge["tail"])], ids[int(edge["head"])],
                            tuple(_polyline(str(edge["pos"])))))
    return Layout(x1 - x0, y1 - y0, boxes, tuple(curves))


def _polyline(pos: str) -> list[Point]:
    """The B-spline of an edge's `pos` (`e,x,y s,x,y p0 p1 p2 p3 ...`) as points."""
    controls: list[Point] = []
    for part in pos.split(";", maxsplit=1)[0].split():
        fields = part.split(",")
        if fields[0] in ("e", "s"):
            continue
        controls.append((float(fields[0]), float(fields[1])))
    if len(controls) < 4:
        return controls
    points = [controls[0]]
    for i in range(0, len(controls) - 3, 3):
        p0, p1, p2, p3 = controls[i:i + 4]
        for step in range(1, _SAMPLES + 1):
            t = step / _SAMPLES
            u = 1 - t
            points.append((u ** 3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0]
                           + t ** 3 * p3[0],
                           u ** 3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1]
                           + t ** 3 * p3[1]))
    return points


def quality(lay: Layout) -> Quality:
    return Quality(crossings(lay), through_nodes(lay), loops(lay), lay.aspect)


def _segments(curve: Curve, lay: Layout) -> list[Segment]:
    """The pieces of a curve not inside its own end boxes (arrows meet there)."""
    ends = [lay.boxes[n] for n in (curve.tail, curve.head) if n in lay.boxes]
    return [(a, b) for a, b in zip(curve.points, curve.points[1:], strict=False)
            if not any(box.contains(a) and box.contains(b) for box in ends)]


def crossings(lay: Layout) -> int:
    """Pairs of distinct edges whose curves cross (each pair counted once per crossing).

    Pieces are bucketed in a grid, so only pieces that share a cell are compared:
    thousands of edges take seconds, not minutes.
    """
    cells: dict[tuple[int, int], list[tuple[int, Segment]]] = {}
    for index, curve in enumerate(lay.curves):
        for piece in _segments(curve, lay):
            for cell in _cells(piece):
                cells.setdefault(cell, []).append((index, piece))
    found: set[tuple[int, Segment, int, Segment]] = set()
    for members in cells.values():
        for (i, s), (j, u) in combinations(members, 2):
            if i == j or (i, s, j, u) in found or (j, u, i, s) in found:
                continue
            a, b = lay.curves[i], lay.curves[j]
            shared = {a.tail, a.head} & {b.tail, b.head}
            if _intersects(s, u) and not (shared and _near_shared(s, shared, lay)):
                found.add((i, s, j, u))
    return len(found)


_CELL = 40.0


def _cells(s: Segment) -> list[tuple[int, int]]:
    x0, x1 = sorted((s[0][0], s[1][0]))
    y0, y1 = sorted((s[0][1], s[1][1]))
    return [(cx, cy) for cx in range(int(x0 // _CELL), int(x1 // _CELL) + 1)
            for cy in range(int(y0 // _CELL), int(y1 // _CELL) + 1)]


def through_nodes(lay: Layout) -> tuple[tuple[str, str, str], ...]:
    """(tail, head, node) for each edge that runs through a box not its own end."""
    found = []
    for curve in lay.curves:
        for box in lay.boxes.values():
            if box.name in (curve.tail, curve.head):
                continue
            inner = box.inset(_INSET)
            if inner.x0 >= inner.x1 or inner.y0 >= inner.y1:
                continue
            if any(_segment_hits_box(s, inner) for s in zip(curve.points, curve.points[1:],
                                                           strict=False)):
                found.append((curve.tail, curve.head, box.name))
    return tuple(sorted(found))


def loops(lay: Layout) -> tuple[tuple[str, str], ...]:
    """Edges that swing out past both ends by more than half the figure across the flow.

    graphviz routes an edge against the ranks around everything in its way; such an
    edge goes far above or below (left or right of) both of its ends.
    """
    found = []
    for curve in lay.curves:
        if curve.tail not in lay.boxes or curve.head not in lay.boxes:
            continue
        tail, head = lay.boxes[curve.tail], lay.boxes[curve.head]
        xs = [p[0] for p in curve.points]
        ys = [p[1] for p in curve.points]
        out_y = max(max(ys) - max(tail.y1, head.y1), min(tail.y0, head.y0) - min(ys))
        out_x = max(max(xs) - max(tail.x1, head.x1), min(tail.x0, head.x0) - min(xs))
        if out_y > lay.height / 2 or out_x > lay.width / 2:
            found.append((curve.tail, curve.head))
    return tuple(sorted(found))


def _near_shared(s: Segment, shared: set[str], lay: Layout) -> bool:
    """Two edges of one node fan out from it: touching near that node is not a crossing."""
    for name in shared:
        box = lay.boxes.get(name)
        if box is None:
            continue
        grown = Box(name, box.x0 - 30, box.y0 - 30, box.x1 + 30, box.y1 + 30)
        if grown.contains(s[0]) or grown.contains(s[1]):
            return True
    return False


def _orient(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _intersects(s: Segment, t: Segment) -> bool:
    """Proper crossing of two segments (touching end to end does not count)."""
    d1, d2 = _orient(t[0], t[1], s[0]), _orient(t[0], t[1], s[1])
    d3, d4 = _orient(s[0], s[1], t[0]), _orient(s[0], s[1], t[1])
    return d1 * d2 < 0 and d3 * d4 < 0


def _segment_hits_box(s: tuple[Point, Point], box: Box) -> bool:
    if box.contains(s[0]) or box.contains(s[1]):
        return True
    corners = ((box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1))
    return any(_intersects(s, (corners[i], corners[(i + 1) % 4])) for i in range(4))

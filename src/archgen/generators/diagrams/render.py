"""PNG and SVG of a View through the `diagrams` package over graphviz.

Rendering happens in a temporary folder and returns bytes: generators stay
pure of the output folder, and only the writer writes. SVGs get their icons
embedded as data URIs, since graphviz points at PNG files inside the Python
installation that no reader of the SVG will have.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import subprocess
import tempfile
import threading
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archgen.errors import ArchgenError
from archgen.generators.diagrams import escape
from archgen.generators.diagrams.dot import EDGE_COLOR, EDGE_STYLE, FILL, node_text
from archgen.generators.diagrams.icons import icon_class, icon_class_path
from archgen.generators.diagrams.model import Kind, Node, View
from archgen.generators.diagrams.ranks import RANKED_NODESEP, TARGET_ASPECT, passing_slots
from archgen.limits import MAX_DENSE_EDGES, MAX_EDGES_PER_NODE

RENDERED_FORMATS = ("png", "svg")
_HREF = re.compile(r'xlink:href="([^"]+\.png)"')
# pad: labels under icons are wider than their fixed-size nodes; graphviz does not
# count them, so the margin keeps outer labels from being cut off.
_GRAPH = {"fontname": "Helvetica", "fontsize": "20", "labelloc": "t", "pad": "0.8",
          "nodesep": "0.9", "ranksep": "1.3", "splines": "spline", "dpi": "96"}
_NODE = {"fontname": "Helvetica", "fontsize": "12", "width": "1.2", "height": "1.2"}
_EDGE = {"fontname": "Helvetica", "fontsize": "11"}
# Past this many nodes plus edges, dot's crossing minimisation takes minutes:
# big flat views use the force-directed sfdp layout, big clustered ones a capped dot.
_LARGE = 250
# A low dpi keeps their PNGs at a few MB instead of tens.
# splines=true: sfdp routes each edge around the nodes in its way (straight lines ran
# through hundreds of boxes at 200 services), for a few seconds more. It routes them
# `esep` clear of each box, which needs nodes `sep` apart (sep > esep): at graphviz's
# +3 points a few edges of 200 services' context map still grazed a box.
_LARGE_FLAT = {"layout": "sfdp", "dpi": "40", "overlap": "prism", "splines": "true",
               "K": "1.2", "sep": "+16", "esep": "+10"}
_LARGE_CLUSTERED = {"splines": "false", "dpi": "40", "mclimit": "0.05", "nslimit": "1",
                    "nslimit1": "1", "remincross": "false", "searchsize": "10",
                    "nodesep": "0.4", "ranksep": "0.8"}
# Past this many edges sfdp's routing around nodes takes minutes (the event flow of 200
# services: 973 edges, over 120 s): straight lines then.
_ROUTED_EDGES = 700
_RANKED = {"nodesep": RANKED_NODESEP}
# Past this many column slots passed by edges, dot's own placement of the pinned columns
# takes minutes whatever the options (500 services' system view: 10,459 slots, 58 s of
# CPU; 2,000 services': 174,424, 68 s capped and straight, past the timeout on a busy
# machine). Such a view is placed here instead (`placed_positions`) and graphviz only
# draws it (neato -n2, straight edges): well under a second.
PLACED_SLOTS = 3_000
# Edges first: the boxes and their names stay readable over the lines that cross them.
_PLACED = {"layout": "neato", "splines": "false", "dpi": "40", "outputorder": "edgesfirst"}
# One cell of the placed grid, in points: a context box and its label with room around.
_CELL_WIDTH_PT, _CELL_HEIGHT_PT = 3.4 * 72, 1.3 * 72
_TIMEOUT_S = 120
DOT_COMMAND = "dot"


def render_view(view: View, formats: Sequence[str]) -> dict[str, bytes]:
    """Render `view` in each of `formats` (png, svg); returns bytes keyed by format."""
    wanted = [f for f in RENDERED_FORMATS if f in formats]
    if not wanted:
        return {}
    edges, nodes = len(view.edges), max(1, len(view.nodes))
    if edges > MAX_DENSE_EDGES and edges > MAX_EDGES_PER_NODE * nodes:
        raise ArchgenError(f"{edges} edges among {nodes} nodes are more than graphviz can lay "
                           f"out (at most {MAX_EDGES_PER_NODE} per node past "
                           f"{MAX_DENSE_EDGES})", "see AG017; the text formats show it")
    source = dot_source(view)
    key = hashlib.sha256(source.encode("utf-8")).hexdigest()
    with _DRAWN_LOCK:  # views are drawn from two threads (generator.render_files)
        out = {fmt: _DRAWN[(key, fmt)] for fmt in wanted if (key, fmt) in _DRAWN}
    missing = [fmt for fmt in wanted if fmt not in out]
    if missing:
        drawn = run_graphviz(source, missing, placed=is_placed(view))
        if "svg" in drawn:
            drawn["svg"] = fix_viewbox(embed_icons(drawn["svg"]))
        with _DRAWN_LOCK:
            for fmt, data in drawn.items():
                _DRAWN[(key, fmt)] = data
                _DRAWN.move_to_end((key, fmt))
            while sum(map(len, _DRAWN.values())) > _DRAWN_BYTES and len(_DRAWN) > 1:
                _DRAWN.popitem(last=False)
        out.update(drawn)
    return {fmt: out[fmt] for fmt in wanted}


# The last drawings by (sha256 of the DOT source, format): `generate` draws the overview
# views for diagrams/ and again for the docs page; the second asks for the same
# source and gets the same bytes without a second layout. A pure function's results:
# the same source always gives the same drawing.
_DRAWN: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_DRAWN_BYTES = 64_000_000  # every drawing of a run, but for the largest systems
_DRAWN_LOCK = threading.Lock()


def dot_source(view: View) -> str:
    """The DOT text the `diagrams` package builds for `view`, icons and all."""
    import diagrams  # type: ignore[import-untyped]  # the package ships no types

    graph = dict(_GRAPH)
    positions = placed_positions(view) if is_placed(view) else {}
    if positions:
        graph.update(_PLACED)
    elif view.ranks:
        # Pinned columns (ranks.py) spare dot its ranking; edges that pass a column take
        # a slot there, so the slots are kept narrow for the columns to stay short.
        graph.update(_RANKED)
        if len(view.edges) > _ROUTED_EDGES and passing_slots(view) > _ROUTED_EDGES:
            # Thousands of services' contexts: dot's crossing minimisation and spline
            # routing alone ran past the timeout (1,206 contexts, 2,174 edges); capped,
            # with straight lines, the layout takes under a minute. Edges that only join
            # neighbouring columns (the event flow's lanes) keep splines: 1,204 of them
            # take under a second.
            graph.update({k: v for k, v in _LARGE_CLUSTERED.items()
                          if k not in ("nodesep", "ranksep")})
    elif len(view.nodes) + len(view.edges) > _LARGE:
        graph.update(_LARGE_CLUSTERED if view.clusters else _LARGE_FLAT)
        if len(view.edges) > _ROUTED_EDGES:
            graph["splines"] = "false"
    with warnings.catch_warnings():
        # graphviz warns about odd backslashes; escape.dot leaves none.
        warnings.filterwarnings("ignore", module=r"graphviz(\..*)?$")
        graph["label"] = _label(view.title)
        diagram = diagrams.Diagram(view.name, filename="view", show=False,
                                   direction=view.direction, graph_attr=graph,
                                   node_attr=_NODE, edge_attr=_EDGE)
        # The context manager would render each format separately (one layout
        # per format); setting the context by hand lets graphviz lay out once.
        diagrams.setdiagram(diagram)
        try:
            _draw(view, positions)
        finally:
            diagrams.setdiagram(None)
        if not positions:  # placed nodes need no rank to pin them
            diagram.dot.body.extend("\t" + line + "\n" for line in view.rank_lines())
        return str(diagram.dot.source)


def is_placed(view: View) -> bool:
    """Whether `view` is laid out here rather than by dot: pinned columns that edges pass
    more often than dot can place in time, every node in a column (no clusters)."""
    if not view.ranks or view.clusters:
        return False
    return passing_slots(view) > PLACED_SLOTS


def placed_positions(view: View) -> dict[str, str]:
    """`pos` of each node, in points: the columns' order kept (callers before callees),
    filled top to bottom into a grid about TARGET_ASPECT wide.

    Every edge is a straight line and passes no slot: the columns that kept a tall
    strip of passing edges short are refilled to the drawing's shape instead.
    """
    kinds = {node.id: node.kind for node in view.nodes}
    # Clients and the gateway in the top left corner, where the flow starts; their icons
    # with the labels under them take two cells down.
    first = (Kind.CLIENT, Kind.GATEWAY)
    order = sorted((node for column in view.ranks for node in column),
                   key=lambda node: kinds.get(node) not in first)
    cells = sum(2 if kinds.get(node) in first else 1 for node in order)
    # columns * width / (rows * height) = aspect, columns * rows = cells
    rows = max(2, round(math.sqrt(cells * _CELL_WIDTH_PT / (TARGET_ASPECT * _CELL_HEIGHT_PT))))
    positions: dict[str, str] = {}
    cell = 0
    for node in order:
        column, row = divmod(cell, rows)
        positions[node] = f"{column * _CELL_WIDTH_PT:.0f},{-row * _CELL_HEIGHT_PT:.0f}"
        cell += 2 if kinds.get(node) in first else 1
    return positions


def run_graphviz(source: str, formats: Sequence[str], *,
                 placed: bool = False) -> dict[str, bytes]:
    """One `dot` run writing every format (the layout is the expensive part); `placed`:
    the nodes carry their positions and graphviz only draws (neato -n2)."""
    with tempfile.TemporaryDirectory(prefix="archgen-diagram-") as tmp:
        base = Path(tmp)
        args = [DOT_COMMAND, "-Kneato", "-n2"] if placed else [DOT_COMMAND]
        for fmt in formats:
            args += [f"-T{fmt}", "-o", str(base / f"view.{fmt}")]
        try:
            subprocess.run(args, input=source.encode("utf-8"), check=True, timeout=_TIMEOUT_S,
                           capture_output=True)
        except FileNotFoundError:
            raise ArchgenError("graphviz is not installed (no `dot` command)",
                               "install it (Debian: apt-get install graphviz) or ask only "
                               "for text formats: --format mermaid,plantuml,dot") from None
        except subprocess.CalledProcessError as exc:
            raise ArchgenError(f"graphviz failed: {_first_error(exc.stderr)}") from None
        except subprocess.TimeoutExpired:
            raise ArchgenError(f"graphviz took more than {_TIMEOUT_S} s",
                               "draw fewer views (--view) or use text formats") from None
        return {fmt: (base / f"view.{fmt}").read_bytes() for fmt in formats}


def _draw(view: View, positions: dict[str, str]) -> None:
    from diagrams import Cluster, Edge

    drawn: dict[str, Any] = {}
    for node in view.nodes:
        if not node.cluster:
            drawn[node.id] = _node(node, positions.get(node.id))
    for cluster in view.clusters:
        # The cluster's name comes from its id; its label is plain text, never HTML.
        with Cluster(cluster.id, graph_attr={"fontsize": "14", "label": _label(cluster.label)}):
            for node in view.nodes:
                if node.cluster == cluster.id:
                    drawn[node.id] = _node(node)
    for edge in view.edges:
        attrs = {"style": EDGE_STYLE[edge.style], "color": EDGE_COLOR[edge.style],
                 "fontcolor": EDGE_COLOR[edge.style]}
        if not edge.ranked:
            attrs["constraint"] = "false"
        drawn[edge.source] >> Edge(label=_label(edge.label), **attrs) >> drawn[edge.target]


def _node(node: Node, pos: str | None = None) -> Any:
    from diagrams import Node as PlainNode

    path = icon_class_path(node)
    text = node.label if path else node_text(node)
    if path and node.detail:
        text += f"\n{node.detail}"
    label = _label(text)
    placed = {"pos": pos} if pos else {}
    if path is None:
        return PlainNode(label, nodeid=node.id, shape="box", style="rounded,filled",
                         fillcolor=FILL[node.kind], fixedsize="false", labelloc="c",
                         width="1.6", height="0.8", **placed)
    return icon_class(path)(label, nodeid=node.id, **placed)


def _label(text: str) -> Any:
    """Every label the graphviz package gets: escaped, and never an HTML-like label.

    A label shaped `<...>` would otherwise be graphviz HTML: links (`javascript:`),
    images read from the local disk.
    """
    from graphviz import nohtml  # type: ignore[import-untyped]

    return nohtml(escape.dot(text))


def _first_error(stderr: bytes) -> str:
    """The line of graphviz's output that says what failed (warnings come first)."""
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    errors = [line for line in lines if line.startswith("Error")]
    return (errors or lines or ["no message"])[0]


_SIZE = re.compile(rb'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"\s+viewBox="[^"]*"')


def fix_viewbox(svg: bytes) -> bytes:
    """Make the viewBox match width and height.

    With a dpi other than 72, graphviz scales the drawing by dpi/72 but keeps
    the unscaled viewBox, so browsers crop the right and bottom of the drawing.
    """
    def fixed(match: re.Match[bytes]) -> bytes:
        width, height = match.group(1), match.group(2)
        return (b'<svg width="' + width + b'pt" height="' + height + b'pt" viewBox="0.00 0.00 '
                + width + b" " + height + b'"')

    return _SIZE.sub(fixed, svg, count=1)


def embed_icons(svg: bytes) -> bytes:
    """Replace file references to icon PNGs by data URIs, so the SVG stands alone."""
    cache: dict[str, str] = {}

    def data_uri(match: re.Match[str]) -> str:
        path = match.group(1)
        if path not in cache:
            encoded = base64.b64encode(Path(path).read_bytes()).decode("ascii")
            cache[path] = f"data:image/png;base64,{encoded}"
        return f'xlink:href="{cache[path]}"'

    return _HREF.sub(data_uri, svg.decode("utf-8")).encode("utf-8")

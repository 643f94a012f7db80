"""The `diagrams` registry entry: every view under diagrams/.

Past CLUSTER_THRESHOLD services, `generate` draws SVG (the format the docs page shows
and links) of the three overview views and of the one view per bounded context the
system view then links to, and writes the per-service views as text: drawing two
images per service took minutes at 2,000 services (BENCHMARKS.md), and
`archgen diagram --service NAME` draws the one a reader needs. The event view of
each context (`events-<slug>`) is text too: their images took a minute and 90 MB
at 200 services, and `archgen diagram --view contexts` draws them. No PNG is drawn
there: rasterizing was most of graphviz's time (the system view of 200 services:
2.3 of 3.9 s of CPU, a 6 MB PNG; a context's PNG four fifths of its 7.4 s), and the
event flow's PNG was not byte-stable from one graphviz run to the next while its SVG
is. `archgen diagram --format png` draws any of them on demand.

A view graphviz cannot draw (a timeout, a crash) does not stop the other
outputs: it is left out and said in `problems`, which `archgen generate`
prints before writing the rest and exiting 1.
"""

from __future__ import annotations

import functools
import itertools

from archgen.generators.diagrams.event_contexts import is_event_context_view
from archgen.generators.diagrams.generator import FORMATS, TEXT_FORMATS, build_views, render_files
from archgen.generators.diagrams.model import View
from archgen.generators.diagrams.seq_files import drawn_flows, flow_files
from archgen.generators.diagrams.sequences import derive_sequences
from archgen.generators.diagrams.views import CLUSTER_THRESHOLD
from archgen.generators.inputs import built
from archgen.output import GenerationContext, OutputFile, Unit

OVERVIEWS = ("system", "context", "events", "contexts")


class DiagramsGenerator:
    name = "diagrams"
    threads = 2  # graphviz runs as a subprocess: two views drawn at a time overlap it
    description = ("architecture diagrams: system, context map, event flow, one per service, "
                   "a sequence diagram per flow")

    def __init__(self, formats: tuple[str, ...] = FORMATS, prefix: str = "diagrams/") -> None:
        self.formats = formats
        self.prefix = prefix

    def plan(self, ctx: GenerationContext) -> list[OutputFile]:
        problems: list[str] = []
        files = [f for formats, views in itertools.groupby(self._views(ctx), key=lambda d: d[1])
                 for f in render_files([view for view, _ in views], formats, self.prefix,
                                       problems=problems)]
        files.extend(flow_files(ctx.catalog, self.formats, self.prefix))
        ctx.problems.extend(sorted(problems))
        return sorted(files, key=lambda f: f.path)

    def _views(self, ctx: GenerationContext) -> list[tuple[View, tuple[str, ...]]]:
        """Every view with the formats it is written in."""
        catalog = ctx.catalog
        if len(catalog.services) <= CLUSTER_THRESHOLD:
            return [(view, self.formats) for view in build_views(catalog)]
        # Past the threshold only the overviews and the contexts are drawn, as SVG; a
        # context's own event view and each service's view are written as text (a page of
        # images would not load).
        text_only = tuple(f for f in self.formats if f in TEXT_FORMATS)
        no_png = tuple(f for f in self.formats if f != "png")
        return [*((view, text_only if is_event_context_view(view) else no_png)
                  for view in build_views(catalog, OVERVIEWS)),
                *((view, text_only) for view in build_views(catalog, ("service",)))]

    def units(self, ctx: GenerationContext) -> list[Unit]:
        """A unit per view, fingerprinted on the view (its nodes, edges and layout
        hints: every format is drawn from it alone) and the formats asked for: a
        change that leaves a view alone runs no graphviz for it."""
        flows = derive_sequences(ctx.catalog)
        return [*(Unit(f"{self.prefix}{view.name}", built(self.prefix, formats, view),
                       functools.partial(self._render, ctx, view, formats))
                  for view, formats in self._views(ctx)),
                Unit(f"{self.prefix}flows", built(self.prefix, self.formats, flows),
                     functools.partial(drawn_flows, flows, self.formats, self.prefix))]

    def _render(self, ctx: GenerationContext, view: View,
                formats: tuple[str, ...]) -> list[OutputFile]:
        problems: list[str] = []
        files = render_files([view], formats, self.prefix, problems=problems)
        ctx.problems.extend(sorted(problems))
        return files

"""The `diagrams` registry entry: every view under diagrams/.

Past CLUSTER_THRESHOLD services, `generate` draws PNG and SVG for the three
overview views and the one view per bounded context the system view then
links to, and writes the per-service views as text: drawing two
images per service took minutes at 2,000 services (BENCHMARKS.md), and
`archgen diagram --service NAME` draws the one a reader needs. The event view of
each context (`events-<slug>`) is text too: their images took a minute and 90 MB
at 200 services, and `archgen diagram --view contexts` draws them.

A view graphviz cannot draw (a timeout, a crash) does not stop the other
outputs: it is left out and said in `problems`, which `archgen generate`
prints before writing the rest and exiting 1.
"""

from __future__ import annotations

from archgen.generators.diagrams.event_contexts import is_event_context_view
from archgen.generators.diagrams.generator import FORMATS, TEXT_FORMATS, build_views, render_files
from archgen.generators.diagrams.seq_files import flow_files
from archgen.generators.diagrams.views import CLUSTER_THRESHOLD
from archgen.output import GenerationContext, OutputFile

OVERVIEWS = ("system", "context", "events", "contexts")


class DiagramsGenerator:
    name = "diagrams"
    description = ("architecture diagrams: system, context map, event flow, one per service, "
                   "a sequence diagram per flow")

    def __init__(self, formats: tuple[str, ...] = FORMATS, prefix: str = "diagrams/") -> None:
        self.formats = formats
        self.prefix = prefix

    def plan(self, ctx: GenerationContext) -> list[OutputFile]:
        catalog = ctx.catalog
        problems: list[str] = []
        if len(catalog.services) <= CLUSTER_THRESHOLD:
            files = render_files(build_views(catalog), self.formats, self.prefix,
                                 problems=problems)
        else:
            text_only = [f for f in self.formats if f in TEXT_FORMATS]
            views = build_views(catalog, OVERVIEWS)
            drawn = [v for v in views if not is_event_context_view(v)]
            files = [*render_files(drawn, self.formats, self.prefix, problems=problems),
                     *render_files([v for v in views if is_event_context_view(v)],
                                   text_only, self.prefix),
                     *render_files(build_views(catalog, ("service",)), text_only, self.prefix)]
        files.extend(flow_files(catalog, self.formats, self.prefix))
        ctx.problems.extend(sorted(problems))
        return sorted(files, key=lambda f: f.path)

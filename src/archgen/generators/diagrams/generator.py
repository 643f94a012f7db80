"""The diagrams generator: views x formats -> OutputFiles (pure: renders in memory).

Text formats (Mermaid, PlantUML, DOT) are byte-identical across runs. PNG and
SVG come from graphviz and depend on its version and fonts, so they are marked
not reproducible: `generate --check` must not fail on another graphviz build.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from archgen.errors import ArchgenError, UsageError
from archgen.generators.diagrams import dot, mermaid, plantuml
from archgen.generators.diagrams.contexts import context_views
from archgen.generators.diagrams.event_contexts import event_context_views
from archgen.generators.diagrams.flows import context_view, event_view
from archgen.generators.diagrams.model import View
from archgen.generators.diagrams.render import RENDERED_FORMATS, render_view
from archgen.generators.diagrams.views import VIEW_KINDS, service_view, system_view
from archgen.model.resolved import ResolvedCatalog

if TYPE_CHECKING:
    from archgen.output import OutputFile

TEXT_FORMATS: dict[str, tuple[str, Callable[[View], str]]] = {
    "mermaid": ("mmd", mermaid.render),
    "plantuml": ("puml", plantuml.render),
    "dot": ("dot", dot.render),
}
FORMATS = ("png", "svg", "mermaid", "plantuml", "dot")
Progress = Callable[[str], None]


def build_views(catalog: ResolvedCatalog, kinds: Iterable[str] = VIEW_KINDS,
                services: Sequence[str] | None = None) -> list[View]:
    """The requested views; `services` limits the per-service views (None: every service)."""
    wanted = set(kinds)
    unknown = wanted - set(VIEW_KINDS)
    if unknown:
        raise UsageError(f"unknown view {sorted(unknown)[0]!r}",
                         f"choose from: {', '.join(VIEW_KINDS)}")
    missing = [s for s in services or () if s not in catalog.services]
    if missing:
        raise UsageError(f"no service called {missing[0]!r} in the catalog",
                         f"choose from: {', '.join(sorted(catalog.services))}")
    views: list[View] = []
    if "system" in wanted:
        views.append(system_view(catalog))
    if "context" in wanted:
        views.append(context_view(catalog))
    if "events" in wanted:
        views.append(event_view(catalog))
    if "contexts" in wanted:
        views.extend(context_views(catalog))
        views.extend(event_context_views(catalog))
    if "service" in wanted:
        names = sorted(services) if services else sorted(catalog.services)
        views.extend(service_view(catalog, n) for n in names)
    return views


def render_files(views: Sequence[View], formats: Iterable[str], prefix: str = "",
                 progress: Progress | None = None, workers: int = 2,
                 problems: list[str] | None = None) -> list[OutputFile]:
    """Every view in every format, sorted by path. Graphviz runs in `workers` threads.

    With a `problems` list, a view graphviz cannot draw is left out and said
    there (one line each) instead of stopping every other output.
    """
    # Imported here: archgen.generators' registry imports this package.
    from archgen.output import OutputFile

    wanted = list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise UsageError(f"unknown diagram format {unknown[0]!r}",
                         f"choose from: {', '.join(FORMATS)}")
    files: list[OutputFile] = []
    for view in views:
        for fmt in wanted:
            if fmt in TEXT_FORMATS:
                ext, render = TEXT_FORMATS[fmt]
                files.append(OutputFile(f"{prefix}{view.name}.{ext}", render(view), "diagrams"))
    rendered = [f for f in wanted if f in RENDERED_FORMATS]
    if rendered:
        files.extend(_rendered(views, rendered, prefix, progress, workers, problems))
    elif progress:
        for view in views:
            progress(view.name)
    return sorted(files, key=lambda f: f.path)


def _rendered(views: Sequence[View], formats: list[str], prefix: str,
              progress: Progress | None, workers: int,
              problems: list[str] | None) -> list[OutputFile]:
    from archgen.output import OutputFile

    def one(view: View) -> list[OutputFile]:
        try:
            images = render_view(view, formats)
        except ArchgenError as exc:
            if problems is None:
                raise
            names = ", ".join(f"{prefix}{view.name}.{fmt}" for fmt in formats)
            problems.append(f"{names} not drawn: {exc.message}")
            images = {}
        if progress:
            progress(view.name)
        return [OutputFile(f"{prefix}{view.name}.{fmt}", data, "diagrams", reproducible=False)
                for fmt, data in sorted(images.items())]

    # graphviz runs as a subprocess, so threads overlap its work with ours.
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return [f for files in pool.map(one, views) for f in files]

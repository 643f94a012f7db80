"""`archgen diagram`: draw the architecture (system, context map, event flow, per service)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from archgen.commands.style import CatalogArg, command_settings, output_dir_option
from archgen.errors import UsageError
from archgen.exit_codes import EXIT_FINDINGS

_PROGRESS_FROM = 4  # rendering fewer views is quick enough to need no bar


FORMATS = ("png", "svg", "mermaid", "plantuml", "dot")
# The views `--view` lists, named here so that building the CLI (which every command,
# `validate` included, does) imports no generator; tests/test_help.py keeps them equal to
# the diagrams generator's VIEW_KINDS and FLOWS_VIEW.
FLOWS_VIEW = "flows"
VIEWS = ("system", "context", "events", "contexts", "service", FLOWS_VIEW)


def diagram(
    catalog: CatalogArg = Path("catalog.yaml"),
    output: Annotated[Path, output_dir_option("diagrams")] = Path("diagrams"),
    formats: Annotated[str, typer.Option(
        "--format", "-f", metavar="FORMATS", show_default=False,
        help=f"Comma-separated: {', '.join(FORMATS)}.  [default: all]")] = ",".join(FORMATS),
    views: Annotated[str, typer.Option(
        "--view", metavar="VIEWS", show_default=False,
        help=f"Comma-separated: {', '.join(VIEWS)}.  [default: all]")] = ",".join(VIEWS),
    service: Annotated[list[str] | None, typer.Option(
        "--service", "-s", metavar="NAME", show_default=False,
        help="Draw the service view of this service only (repeatable).")] = None,
) -> int:
    """Draw the architecture diagrams.

    The system view, the context map, the event flow, one view per bounded context
    (past 25 services, where the system view shows contexts) and one view per
    service, as PNG, SVG, Mermaid, PlantUML (C4) and DOT; and a sequence diagram per
    flow (from each public endpoint that emits events) in flows/, as SVG, Mermaid and
    PlantUML.
    """
    from archgen import pipeline
    from archgen.commands.common import run_clock
    from archgen.generators.diagrams.generator import build_views
    from archgen.generators.diagrams.selection import ChosenViews
    from archgen.generators.diagrams.seq_files import flow_files

    run = pipeline.prepare(catalog, run_clock())
    if run is None:
        return EXIT_FINDINGS
    kinds = _choose("--view", views, VIEWS)
    if service and "service" not in kinds:
        kinds.append("service")
    chosen = build_views(run.catalog, [k for k in kinds if k != FLOWS_VIEW], service)
    wanted = _choose("--format", formats, FORMATS)
    with progress_bar(len(chosen) if {"png", "svg"} & set(wanted) else 0) as advance:
        files = pipeline.plan(run, [ChosenViews(chosen, wanted, advance)])
    flows = flow_files(run.catalog, wanted) if FLOWS_VIEW in kinds and not service else []
    files.extend(flows)
    complete = not service and set(kinds) >= set(VIEWS)
    code = pipeline.write_outputs(run, output, files, ["diagrams"] if complete else [])
    for note in (n for v in chosen for n in v.notes):
        sys.stdout.write(f"note: {note}\n")
    if FLOWS_VIEW in kinds and not service and not flows:
        sys.stdout.write("note: no flow drawn: no public endpoint emits an event (or no "
                         "format asked for has a sequence form: svg, mermaid, plantuml)\n")
    first = chosen[0].name if chosen else ""
    if first:
        sys.stdout.write(f"Start with {output / first}.{_preferred(wanted)}\n")
    elif flows:
        ext = "." + _preferred(wanted)
        start = next((f for f in flows if f.path.endswith(ext)), flows[0])
        sys.stdout.write(f"Start with {output / start.path}\n")
    return code


def _choose(flag: str, text: str, allowed: Sequence[str]) -> list[str]:
    """The comma-separated values of `flag`; a usage error names any it does not know."""
    chosen = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [c for c in chosen if c not in allowed]
    if unknown or not chosen:
        what = ", ".join(repr(u) for u in unknown) if unknown else "nothing"
        raise UsageError(f"{flag} names {what}", f"choose from: {', '.join(allowed)}")
    return chosen


def _preferred(formats: Sequence[str]) -> str:
    ext = {"mermaid": "mmd", "plantuml": "puml"}
    for fmt in ("svg", "png", "mermaid", "plantuml", "dot"):
        if fmt in formats:
            return ext.get(fmt, fmt)
    return "svg"


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[str], None] | None]:
    """A rich progress bar on stderr while rendering many views; nothing for a few."""
    if total < _PROGRESS_FROM:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Rendering views", total=total)
        yield lambda name: bar.update(task, advance=1, description=f"Rendered {name}")


def register(app: typer.Typer) -> None:
    app.command(**command_settings(
        ("Every view in every format, into diagrams/", "archgen diagram shop.yaml"),
        ("One service's view, as Mermaid", "archgen diagram shop.yaml -s orders -f mermaid"),
        ("Each flow's sequence diagram, as SVG", "archgen diagram shop.yaml --view flows -f svg"),
    ))(diagram)

"""`archgen diagram`: draw the architecture (system, context map, event flow, per service)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from archgen.commands.common import load_resolved, write_files
from archgen.exit_codes import EXIT_FINDINGS

if TYPE_CHECKING:
    pass

_PROGRESS_FROM = 4  # rendering fewer views is quick enough to need no bar


def diagram(
    catalog: Annotated[Path, typer.Argument(help="The catalog file.")] = Path("catalog.yaml"),
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder.")
                      ] = Path("diagrams"),
    formats: Annotated[str, typer.Option(
        "--format", "-f", help="Comma-separated: png, svg, mermaid, plantuml, dot.")
                       ] = "png,svg,mermaid,plantuml,dot",
    views: Annotated[str, typer.Option(
        "--view", help="Comma-separated: system, context, events, service.")
                     ] = "system,context,events,service",
    service: Annotated[list[str] | None, typer.Option(
        "--service", "-s", help="Draw the service view of this service only (repeatable).")
                       ] = None,
) -> int:
    """Draw the architecture as PNG, SVG, Mermaid, PlantUML (C4) and DOT."""
    from archgen.diagrams.generator import build_views, render_files

    resolved = load_resolved(catalog)
    if resolved is None:
        return EXIT_FINDINGS
    kinds = _split(views)
    if service and "service" not in kinds:
        kinds.append("service")
    chosen = build_views(resolved, kinds, service)
    wanted = _split(formats)
    with progress_bar(len(chosen) if {"png", "svg"} & set(wanted) else 0) as advance:
        files = render_files(chosen, wanted, progress=advance)
    complete = not service and set(kinds) >= {"system", "context", "events", "service"}
    code = write_files(output, files, ["diagrams"] if complete else [])
    for note in (n for v in chosen for n in v.notes):
        sys.stdout.write(f"note: {note}\n")
    first = chosen[0].name if chosen else ""
    if first:
        sys.stdout.write(f"Start with {output / first}.{_preferred(wanted)}\n")
    return code


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


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
    app.command()(diagram)

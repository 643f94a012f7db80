"""`archgen export backstage|structurizr`: the catalog in other tools' formats."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from archgen.exit_codes import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from archgen.model.resolved import ResolvedCatalog

export_app = typer.Typer(name="export", no_args_is_help=True, rich_markup_mode=None,
                         help="Export the catalog to Backstage or Structurizr.")

CatalogArg = Annotated[Path, typer.Argument(help="The catalog file.")]
OutputOpt = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Write to this file (through archgen's writer) instead of stdout.")]


@export_app.command()
def backstage(catalog: CatalogArg = Path("catalog.yaml"), output: OutputOpt = None) -> int:
    """Backstage entities (catalog-info.yaml): System, Domains, Components, APIs, Resources."""
    from archgen.exports.backstage import render

    return _export(catalog, output, render, "export-backstage")


@export_app.command()
def structurizr(catalog: CatalogArg = Path("catalog.yaml"), output: OutputOpt = None) -> int:
    """A Structurizr DSL workspace (workspace.dsl)."""
    from archgen.exports.structurizr import render

    return _export(catalog, output, render, "export-structurizr")


def _export(path: Path, output: Path | None, render: Callable[[ResolvedCatalog], str],
            generator: str) -> int:
    from archgen.commands.common import load_resolved, write_files
    from archgen.output import OutputFile

    resolved = load_resolved(path)
    if resolved is None:
        return EXIT_FINDINGS
    text = render(resolved)
    if output is None:
        sys.stdout.write(text)
        return EXIT_OK
    # The writer owns every write: the manifest beside the file keeps user files safe.
    return write_files(output.parent, [OutputFile(output.name, text, generator)], [])


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")

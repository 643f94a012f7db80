"""`archgen export backstage|structurizr`: the catalog in other tools' formats."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from archgen.exit_codes import EXIT_FINDINGS, EXIT_OK

export_app = typer.Typer(name="export", no_args_is_help=True, rich_markup_mode=None,
                         help="Export the catalog to Backstage or Structurizr.")

CatalogArg = Annotated[Path, typer.Argument(help="The catalog file.")]
OutputOpt = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Write to this file (through archgen's writer) instead of stdout.")]


@export_app.command()
def backstage(catalog: CatalogArg = Path("catalog.yaml"), output: OutputOpt = None) -> int:
    """Backstage entities (catalog-info.yaml): System, Domains, Components, APIs, Resources."""
    return _export(catalog, output, "backstage")


@export_app.command()
def structurizr(catalog: CatalogArg = Path("catalog.yaml"), output: OutputOpt = None) -> int:
    """A Structurizr DSL workspace (workspace.dsl)."""
    return _export(catalog, output, "structurizr")


def _export(path: Path, output: Path | None, kind: str) -> int:
    from dataclasses import replace

    from archgen.commands.common import load_resolved, run_clock, write_files
    from archgen.generation import build_context
    from archgen.generators.exports import EXPORTS

    resolved = load_resolved(path)
    if resolved is None:
        return EXIT_FINDINGS
    generator = EXPORTS[kind]
    (file,) = generator.plan(build_context(resolved, run_clock()))
    if output is None:
        sys.stdout.write(str(file.content))
        return EXIT_OK
    # The writer owns every write: the manifest beside the file keeps user files safe.
    return write_files(output.parent, [replace(file, path=output.name)], [generator.name])


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")

"""`archgen export backstage|structurizr`: the catalog in other tools' formats."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from archgen.commands.style import CatalogArg, command_settings, examples, output_dir_option
from archgen.exit_codes import EXIT_FINDINGS

export_app = typer.Typer(
    name="export", no_args_is_help=True, rich_markup_mode=None,
    help="Export the catalog to Backstage or Structurizr.",
    epilog=examples(
        ("Backstage entities on stdout", "archgen export backstage shop.yaml"),
        ("A Structurizr workspace in docs/workspace.dsl",
         "archgen export structurizr shop.yaml -o docs")))

_BACKSTAGE = "catalog-info.yaml"
_STRUCTURIZR = "workspace.dsl"


@export_app.command(**command_settings(
    ("Print the entities", "archgen export backstage shop.yaml"),
    (f"Write ./{_BACKSTAGE}, where Backstage looks for it", "archgen export backstage -o ."),
))
def backstage(
    catalog: CatalogArg = Path("catalog.yaml"),
    output: Annotated[Path | None, output_dir_option(document=_BACKSTAGE)
                      ] = None,
) -> int:
    """Backstage entities: System, Domains, Components, APIs, Resources."""
    return _export(catalog, output, "backstage", _BACKSTAGE)


@export_app.command(**command_settings(
    ("Print the workspace", "archgen export structurizr shop.yaml"),
    (f"Write docs/{_STRUCTURIZR}", "archgen export structurizr shop.yaml -o docs"),
))
def structurizr(
    catalog: CatalogArg = Path("catalog.yaml"),
    output: Annotated[Path | None, output_dir_option(document=_STRUCTURIZR)
                      ] = None,
) -> int:
    """A Structurizr DSL workspace."""
    return _export(catalog, output, "structurizr", _STRUCTURIZR)


def _export(path: Path, output: Path | None, kind: str, name: str) -> int:
    from dataclasses import replace

    from archgen import pipeline
    from archgen.commands.common import document_target, run_clock
    from archgen.generators.exports import EXPORTS

    run = pipeline.prepare(path, run_clock())
    if run is None:
        return EXIT_FINDINGS
    generator = EXPORTS[kind]
    (file,) = pipeline.plan(run, [generator])
    if output is None:
        sys.stdout.write(str(file.content))
        return pipeline.finish(run)
    target = document_target(output, name, (Path(name).suffix, ".yml"))
    # The writer owns every write: the manifest beside the file keeps user files safe.
    return pipeline.write_outputs(run, target.parent, [replace(file, path=target.name)],
                                  [generator.name])


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")

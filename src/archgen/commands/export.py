"""`archgen export backstage|structurizr`: the catalog in other tools' formats."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from archgen.commands.style import CatalogArg, command_settings, examples, output_dir_option
from archgen.exit_codes import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from archgen.model.resolved import ResolvedCatalog

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
    from archgen.exports.backstage import render

    return _export(catalog, output, render, "export-backstage", _BACKSTAGE)


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
    from archgen.exports.structurizr import render

    return _export(catalog, output, render, "export-structurizr", _STRUCTURIZR)


def _export(path: Path, output: Path | None, render: Callable[[ResolvedCatalog], str],
            generator: str, name: str) -> int:
    from archgen.commands.common import document_target, load_resolved, write_files
    from archgen.output import OutputFile

    resolved = load_resolved(path)
    if resolved is None:
        return EXIT_FINDINGS
    text = render(resolved)
    if output is None:
        sys.stdout.write(text)
        return EXIT_OK
    target = document_target(output, name, (Path(name).suffix, ".yml"))
    # The writer owns every write: the manifest beside the file keeps user files safe.
    return write_files(target.parent, [OutputFile(target.name, text, generator)], [])


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")

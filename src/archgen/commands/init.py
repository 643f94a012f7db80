"""`archgen init`: start a catalog from a blueprint."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archgen.exit_codes import EXIT_OK
from archgen.files import write_new


def init(
    directory: Annotated[Path, typer.Argument(help="Where to create catalog.yaml.")] = Path("."),
    blueprint: Annotated[str, typer.Option("--blueprint", "-b",
                                           help="The blueprint to start from.")] = "ecommerce",
) -> int:
    """Create DIR/catalog.yaml from a blueprint. Never overwrites a file."""
    from archgen.resources import blueprint_catalog

    source = blueprint_catalog(blueprint)
    target = directory / "catalog.yaml"
    directory.mkdir(parents=True, exist_ok=True)
    write_new(target, source.read_text(encoding="utf-8"))
    typer.echo(f"Created {target} from the {blueprint} blueprint. "
               f"Next: archgen validate {target}")
    return EXIT_OK


def register(app: typer.Typer) -> None:
    app.command()(init)

"""`archgen down`: stop the `archgen up` of an output folder (or what a crash left of it)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from archgen.commands.style import CatalogArg, command_settings, running_output_option
from archgen.exit_codes import EXIT_OK


def down(
    catalog: CatalogArg = Path("catalog.yaml"),
    output: Annotated[Path | None, running_output_option()] = None,
) -> int:
    """Stop the running `archgen up`: every part, and the supervisor; nothing is left."""
    from archgen.runtime import instance, teardown

    folder = instance.output_folder(catalog, output)

    def say(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    if teardown.down(folder, say):
        say(f"stopped: nothing of the run of {folder} is left")
    else:
        say(f"no archgen up is running for {folder}")
    return EXIT_OK


def register(app: typer.Typer) -> None:
    app.command(**command_settings(
        ("Stop the system `archgen up shop.yaml --detach` started", "archgen down shop.yaml"),
        ("By its output folder", "archgen down -o generated/shop"),
    ))(down)

"""`archgen schema`: the JSON Schema of catalog format 1."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from archgen.exit_codes import EXIT_OK
from archgen.files import write_replacing


def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write to this file instead of stdout.")
                      ] = None,
) -> int:
    """Print the JSON Schema (Draft 2020-12) of catalog format 1."""
    from archgen.model.schema import catalog_schema

    text = json.dumps(catalog_schema(), indent=2, sort_keys=True) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        write_replacing(output, text)
    return EXIT_OK


def register(app: typer.Typer) -> None:
    app.command()(schema)

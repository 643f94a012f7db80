"""`archgen validate`: load and check catalogs, report, exit 0/1/2."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from archgen.exit_codes import EXIT_FINDINGS, EXIT_OK


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    none = "none"


def validate(
    catalogs: Annotated[list[Path] | None, typer.Argument(
        help="Catalog files (default: ./catalog.yaml).")] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f",
                                                        help="Output format.")] = OutputFormat.text,
    fail_on: Annotated[FailOn, typer.Option(help="Lowest severity that fails the run.")
                       ] = FailOn.error,
) -> int:
    """Check catalogs against the format and the architecture template's rules."""
    from archgen.reporting import REPORTERS
    from archgen.validation import exceeds, validate_file

    paths = catalogs or [Path("catalog.yaml")]
    reports = [validate_file(p) for p in paths]
    sys.stdout.write(REPORTERS[output_format.value](reports))
    return EXIT_FINDINGS if exceeds(reports, fail_on.value) else EXIT_OK


def register(app: typer.Typer) -> None:
    app.command()(validate)

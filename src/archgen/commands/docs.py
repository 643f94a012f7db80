"""`archgen docs`: the architecture document (Markdown and static HTML) with the checklist
ticked from the validator's results."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer


def docs(
    catalog: Annotated[Path, typer.Argument(help="The catalog file.")] = Path("catalog.yaml"),
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder.")
                      ] = Path("docs"),
) -> int:
    """Write architecture.md and index.html, in the structure of the architecture template."""
    from archgen.commands.common import refuse, run_clock, write_files
    from archgen.generation import build_context
    from archgen.generators.docs import DocsGenerator
    from archgen.validation import validate_file

    today = run_clock()
    report = validate_file(catalog, today=today)
    loaded = report.load
    if loaded is None or loaded.catalog is None or loaded.errors:
        return refuse(report)
    ctx = build_context(loaded.catalog, today, report.findings)
    files = DocsGenerator(prefix="").plan(ctx)
    code = write_files(output, files, ["docs"])
    sys.stdout.write(f"Open {output / 'index.html'} in a browser; "
                     f"{len(report.findings)} finding(s) are in the checklist.\n")
    return code


def register(app: typer.Typer) -> None:
    app.command()(docs)

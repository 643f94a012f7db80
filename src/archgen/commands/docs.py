"""`archgen docs`: the architecture document (Markdown and static HTML) with the checklist
ticked from the validator's results."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from archgen.commands.style import CatalogArg, command_settings, output_dir_option
from archgen.exit_codes import EXIT_FINDINGS


def docs(
    catalog: CatalogArg = Path("catalog.yaml"),
    output: Annotated[Path, output_dir_option("docs")] = Path("docs"),
) -> int:
    """Write the architecture document (Markdown, HTML).

    architecture.md and index.html, in the structure of the architecture template,
    with its checklist ticked from the validator's findings.
    """
    from archgen import pipeline
    from archgen.commands.common import run_clock
    from archgen.generators.docs import DocsGenerator

    run = pipeline.prepare(catalog, run_clock())
    if run is None:
        return EXIT_FINDINGS
    generator = DocsGenerator(prefix="")
    code = pipeline.write_outputs(run, output, pipeline.plan(run, [generator]), [generator.name])
    sys.stdout.write(f"Open {output / 'index.html'} in a browser; "
                     f"{len(run.report.findings)} finding(s) are in the checklist.\n")
    return code


def register(app: typer.Typer) -> None:
    app.command(**command_settings(
        ("docs/architecture.md and docs/index.html", "archgen docs shop.yaml"),
        ("Into the folder your site is built from", "archgen docs shop.yaml -o site/architecture"),
    ))(docs)

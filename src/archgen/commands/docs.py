"""`archgen docs`: the architecture document (Markdown and static HTML) with the checklist
ticked from the validator's results."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from archgen.commands.style import CatalogArg, command_settings, output_dir_option


def docs(
    catalog: CatalogArg = Path("catalog.yaml"),
    output: Annotated[Path, output_dir_option("docs")] = Path("docs"),
) -> int:
    """Write the architecture document (Markdown, HTML).

    architecture.md and index.html, in the structure of the architecture template,
    with its checklist ticked from the validator's findings.
    """
    from archgen.commands.common import refuse, run_clock, write_files
    from archgen.exit_codes import EXIT_FINDINGS
    from archgen.generation import build_context
    from archgen.generators.docs import DocsGenerator
    from archgen.reporting import clean
    from archgen.validation import validate_file

    today = run_clock()
    report = validate_file(catalog, today=today)
    loaded = report.load
    if loaded is None or loaded.catalog is None or loaded.errors:
        return refuse(report)
    ctx = build_context(loaded.catalog, today, report.findings)
    generator = DocsGenerator(prefix="")
    files = generator.plan(ctx)
    code = write_files(output, files, ["docs"])
    sys.stdout.write(f"Open {output / 'index.html'} in a browser; "
                     f"{len(report.findings)} finding(s) are in the checklist.\n")
    for problem in ctx.problems:  # a diagram graphviz could not draw
        sys.stderr.write(f"archgen: error: {clean(problem)}\n")
    return EXIT_FINDINGS if ctx.problems else code


def register(app: typer.Typer) -> None:
    app.command(**command_settings(
        ("docs/architecture.md and docs/index.html", "archgen docs shop.yaml"),
        ("Into the folder your site is built from", "archgen docs shop.yaml -o site/architecture"),
    ))(docs)

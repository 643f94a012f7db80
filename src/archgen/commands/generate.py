"""`archgen generate`: plan every output from the catalog, then let the writer write it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archgen.commands.style import (
    CatalogArg,
    command_settings,
    output_dir_option,
    trust_templates_option,
)
from archgen.errors import UsageError
from archgen.exit_codes import EXIT_FINDINGS

# The kinds `--only` takes, for `--help` without importing every generator; a test keeps it
# equal to GENERATORS. Add a kind here when you add it there.
KINDS = ("openapi", "asyncapi", "diagrams", "docs", "services", "compose", "gateway",
         "aggregator", "helm", "mesh", "observability")


def generate(
    catalog: CatalogArg = Path("catalog.yaml"),
    output: Annotated[Path | None, output_dir_option("generated/<system.name>")] = None,
    only: Annotated[str | None, typer.Option(
        "--only", metavar="KINDS", show_default=False,
        help=f"Generate only these kinds, comma-separated: {', '.join(KINDS)}.  "
             "[default: all]")] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Write nothing; exit 1 if the folder differs from the catalog.")
                     ] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Write nothing; list what would change.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Overwrite generated files you edited (files archgen did not "
                        "write are never touched).")] = False,
    trust_templates: Annotated[bool, trust_templates_option()] = False,
) -> int:
    """Generate specs, runnable services, deployment, diagrams and docs from a catalog.

    OpenAPI and AsyncAPI specs, the services, compose, Helm, gateway, mesh and SLO
    config, the diagrams and the architecture document, written through a manifest:
    files you edited are never overwritten without --force.
    """
    from archgen import pipeline
    from archgen.commands.common import run_clock

    if check and dry_run:
        raise UsageError("--check and --dry-run exclude each other", "use one of them")
    kinds = select_kinds(only, list(KINDS))  # the generators are imported after the no-op
    run = pipeline.prepare(catalog, run_clock(), trust_templates=trust_templates,
                           output=output)
    if run is None:
        return EXIT_FINDINGS
    return pipeline.generate(run, run.output_dir(output), kinds, check=check,
                             dry_run=dry_run, force=force)


def select_kinds(only: str | None, known: list[str]) -> list[str]:
    """The kinds `--only` names, in registry order; a usage error if one is unknown."""
    if only is None:
        return known
    wanted = {k.strip() for k in only.split(",") if k.strip()}
    unknown = sorted(wanted - set(known))
    if unknown or not wanted:
        what = ", ".join(repr(k) for k in unknown) if unknown else "nothing"
        raise UsageError(f"--only names {what}", f"kinds: {', '.join(known)}")
    return [k for k in known if k in wanted]


def register(app: typer.Typer) -> None:
    app.command(**command_settings(
        ("Everything, into generated/<system.name>/", "archgen generate shop.yaml"),
        ("Only the API specs, into a folder of your choosing",
         "archgen generate shop.yaml --only openapi,asyncapi -o specs"),
        ("In CI: fail when the committed files are stale",
         "archgen generate shop.yaml -o generated/shop --check"),
    ))(generate)

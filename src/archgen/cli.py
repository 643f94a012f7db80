"""The command line: parse -> run -> report -> exit code.

This is the one place that catches archgen's own errors. Exit codes follow
validator-design.md: 0 nothing at or above the threshold, 1 findings,
2 usage, configuration or internal error (never findings).
"""

from __future__ import annotations

import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import click
import typer

from archgen import __version__
from archgen.errors import ArchgenError, OutputError, UsageError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

app = typer.Typer(
    name="archgen", add_completion=False, no_args_is_help=True,
    pretty_exceptions_enable=False, rich_markup_mode=None,
    help="Architecture-as-code for microservice systems: validate a service catalog, "
         "generate services, specs and deployment, draw the architecture.",
)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    none = "none"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"archgen {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
                     ] = False,
) -> None:
    """archgen."""


CatalogArg = Annotated[Path, typer.Argument(help="The catalog file.", show_default=True)]


@app.command()
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


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write to this file instead of stdout.")
                      ] = None,
) -> int:
    """Print the JSON Schema (Draft 2020-12) of catalog format 1."""
    import json

    from archgen.model.schema import catalog_schema

    text = json.dumps(catalog_schema(), indent=2, sort_keys=True) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        write_new_or_replace(output, text)
    return EXIT_OK


@app.command()
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


def write_new(target: Path, text: str) -> None:
    """Write a file that must not exist yet; atomically, so no half-written file is left."""
    if target.exists():
        raise OutputError(f"{target} already exists; refusing to overwrite it",
                          "choose another directory or remove the file")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.link(tmp, target)  # fails if the target appeared meanwhile
    except FileExistsError:
        raise OutputError(f"{target} already exists; refusing to overwrite it") from None
    finally:
        os.unlink(tmp)


def write_new_or_replace(target: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.",
                               suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, target)


def run(args: list[str]) -> int:
    """Run the CLI and map every outcome to an exit code; never a traceback without --debug."""
    debug = "--debug" in args
    try:
        result = app(args=args, prog_name="archgen", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_ERROR
    except click.exceptions.Abort:
        sys.stderr.write("archgen: aborted\n")
        return EXIT_ERROR
    except ArchgenError as exc:
        sys.stderr.write(f"archgen: error: {exc.message}\n")
        if exc.hint:
            sys.stderr.write(f"  hint: {exc.hint}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("archgen: interrupted\n")
        return 130
    except Exception as exc:  # the edge: any bug becomes one line and exit 2
        if debug:
            raise
        first = str(exc).splitlines()[0][:200] if str(exc) else ""
        sys.stderr.write(f"archgen: internal error: {type(exc).__name__}: {first} "
                         "(rerun with --debug for the traceback, and please report it)\n")
        return EXIT_ERROR
    return result if isinstance(result, int) else EXIT_OK


__all__ = ["UsageError", "app", "run", "write_new", "write_new_or_replace"]

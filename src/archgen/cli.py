"""The command line: parse -> run -> report -> exit code.

Commands live in `archgen.commands`, one module each, listed in COMMANDS.
This is the one place that catches archgen's own errors. Exit codes follow
validator-design.md: 0 nothing at or above the threshold, 1 findings,
2 usage, configuration or internal error (never findings).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from typer.exceptions import TyperException

from archgen import __version__
from archgen.commands import (
    diagram,
    docs,
    export,
    generate,
    init,
    loadtest,
    rules,
    schema,
    token,
    up,
    validate,
)
from archgen.errors import ArchgenError
from archgen.exit_codes import EXIT_ERROR, EXIT_OK

COMMANDS = (validate, schema, init, generate, rules, diagram, docs, export, up, token, loadtest)

app = typer.Typer(
    name="archgen", add_completion=False, no_args_is_help=True,
    pretty_exceptions_enable=False, rich_markup_mode=None,
    help="Architecture-as-code for microservice systems: validate a service catalog, "
         "generate services, specs and deployment, draw the architecture.",
)


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


for _command in COMMANDS:
    _command.register(app)


def run(args: list[str]) -> int:
    """Run the CLI and map every outcome to an exit code; never a traceback without --debug."""
    debug = "--debug" in args
    try:
        result = app(args=args, prog_name="archgen", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        sys.stderr.write("archgen: aborted\n")
        return EXIT_ERROR
    except TyperException as exc:  # usage errors: typer vendors click's, with show()
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            sys.stderr.write(f"archgen: error: {exc}\n")
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

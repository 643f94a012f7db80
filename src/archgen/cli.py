"""The command line: parse -> run -> report -> exit code.

Commands live in `archgen.commands`, one module each, listed in COMMANDS.
This is the one place that catches archgen's own errors. Exit codes follow
docs/architecture.md: 0 nothing at or above the threshold, 1 findings,
2 usage, configuration or internal error (never findings).

Conventions every command follows (commands/style.py holds the shared pieces):
- Help: a one-line docstring saying what the command makes; `**command_settings(...)`
  on `app.command` for archgen's help class and one to three `(what, command line)`
  examples; every option that takes a value names it with an upper-case `metavar`
  (DIR, FILE, NAME, KINDS...), never a Python type; fixed sets of values are an Enum
  (typer lists them) or listed in the help text, kept true by tests/test_help.py.
- Flags mean one thing everywhere: `-o/--output DIR` is the folder a command writes
  into (`style.output_dir_option`); the catalog is the first argument, default
  catalog.yaml (`style.CatalogArg`); `-f/--format` picks an output format.
- Errors: raise `archgen.errors.UsageError(message, hint)`; never print `archgen: error:`
  yourself. Here, at the edge, archgen's errors and typer/click's usage errors print
  the same two lines: `archgen: error: <message>` and `  hint: <what to do>`.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from typer._click.exceptions import NoArgsIsHelpError
from typer.exceptions import TyperException

from archgen import __version__
from archgen.commands import (
    diagram,
    diff,
    docs,
    down,
    drift,
    export,
    generate,
    init,
    loadtest,
    logs,
    ps,
    rules,
    schema,
    token,
    up,
    validate,
)
from archgen.commands.style import examples
from archgen.errors import ArchgenError
from archgen.exit_codes import EXIT_ERROR, EXIT_OK

COMMANDS = (validate, diff, schema, init, generate, rules, diagram, docs, export, up, ps, logs,
            down, token, loadtest, drift)

app = typer.Typer(
    name="archgen", add_completion=False, no_args_is_help=True,
    pretty_exceptions_enable=False, rich_markup_mode=None,
    help="Architecture-as-code for microservice systems: validate a service catalog, "
         "generate runnable services, OpenAPI and AsyncAPI specs, deployment (compose, "
         "Helm, gateway, mesh, SLO alerts), diagrams and the architecture document, and "
         "gate catalog changes with `archgen diff`.",
    epilog=examples(
        ("Start a catalog, check it, and generate everything from it",
         "archgen init shop.yaml && archgen validate shop.yaml && "
         "archgen generate shop.yaml"),
        ("Help on one command", "archgen validate --help")),
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
    except NoArgsIsHelpError as exc:  # `archgen` alone: the help, as a usage error
        exc.show()
        return EXIT_ERROR
    except TyperException as exc:  # typer vendors click's usage errors
        message, hint = usage_error(exc)
        _error(message, hint)
        return EXIT_ERROR
    except ArchgenError as exc:
        _error(exc.message, exc.hint)
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


def _error(message: str, hint: str) -> None:
    sys.stderr.write(f"archgen: error: {message}\n")
    if hint:
        sys.stderr.write(f"  hint: {hint}\n")


def usage_error(exc: TyperException) -> tuple[str, str]:
    """Click's usage error in archgen's words: lower-case message, the help as the hint."""
    message = exc.format_message().replace("Value error, ", "")
    if message[:1].isupper() and message[1:2].islower():
        message = message[0].lower() + message[1:]
    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx is not None else "archgen"
    return message, f"see `{path} --help`"
